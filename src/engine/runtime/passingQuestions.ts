import type { CatalogItem } from '../../core/analysis.ts';
import { describeQuestion } from '../definition/describeQuestion.ts';
import { isQuestionStep } from '../definition/flowSchema.ts';
import type { Fill, Flow, QuestionStep } from '../definition/flowSchema.ts';
import type { PassingQuestion, RecordedAnswer } from './turnResult.ts';

/** A fill whose step is a question of the flow, with that step. */
export interface FillTarget {
  fill: Fill;
  step: QuestionStep;
}

/** The flow's fills with their steps (validation guarantees each names a question step). */
export function fillTargets(flow: Flow): FillTarget[] {
  return flow.fills.flatMap((fill) => {
    const step = flow.steps.find((s) => s.id === fill.step);
    return step !== undefined && isQuestionStep(step) ? [{ fill, step }] : [];
  });
}

/** Fill targets a reply to `currentStepId` may still answer: every other one without an answer (or with a missing one). */
export function openFillTargets(flow: Flow, answers: Readonly<Record<string, RecordedAnswer>>, currentStepId: string): FillTarget[] {
  return fillTargets(flow).filter(({ step }) => step.id !== currentStepId && (answers[step.id] === undefined || answers[step.id]?.missing === true));
}

/** What the analyser must be told to read a reply as an answer to each open fill target. */
export function passingQuestions(
  flow: Flow,
  answers: Readonly<Record<string, RecordedAnswer>>,
  currentStepId: string,
  catalog: readonly CatalogItem[],
): PassingQuestion[] {
  return openFillTargets(flow, answers, currentStepId).map(({ step }) => {
    const { catalog: withCatalog, ...shape } = describeQuestion(step, catalog);
    return { stepId: step.id, ...shape, ...(withCatalog ? { readsCatalog: true as const } : {}) };
  });
}

/**
 * A question the flow passes by because a reply to another one answered it: it is a fill target,
 * does not say `alwaysAsk`, and its answer was taken in passing.
 */
export function answeredInPassing(flow: Flow, answers: Readonly<Record<string, RecordedAnswer>>, stepId: string): boolean {
  const target = fillTargets(flow).find((t) => t.step.id === stepId);
  return target !== undefined && target.step.alwaysAsk !== true && answers[stepId]?.inPassing === true;
}
