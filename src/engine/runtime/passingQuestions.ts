import type { CatalogItem } from '../../core/analysis.ts';
import { describeQuestion } from '../definition/describeQuestion.ts';
import { isQuestionStep } from '../definition/flowSchema.ts';
import { listRoutes, routeTargets } from '../definition/listRoutes.ts';
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
  const next = nextQuestionsOf(flow, currentStepId);
  return fillTargets(flow).filter(
    ({ fill, step }) =>
      step.id !== currentStepId &&
      (answers[step.id] === undefined || answers[step.id]?.missing === true) &&
      // A reason is taken only for a question that may come right after this one.
      (fill.from !== 'reason' || next.has(step.id)),
  );
}

/** The questions that may come right after `stepId` (through message steps), by the flow's routes. */
function nextQuestionsOf(flow: Flow, stepId: string): Set<string> {
  const routes = listRoutes(flow);
  const found = new Set<string>();
  const seen = new Set<number>();
  const walk = (index: number): void => {
    for (const t of routeTargets(routes[index] ?? { branches: [] })) {
      const j = flow.steps.findIndex((s) => s.id === t.to);
      const step = flow.steps[j];
      if (step === undefined || seen.has(j)) continue;
      seen.add(j);
      if (isQuestionStep(step)) found.add(step.id);
      else walk(j);
    }
  };
  walk(flow.steps.findIndex((s) => s.id === stepId));
  return found;
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
