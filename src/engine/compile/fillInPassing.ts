import type { Analysis, PurchaseFactor, TimingBucket } from '../../core/analysis.ts';
import type { Fill, Flow, QuestionStep } from '../definition/flowSchema.ts';
import type { SurveyContext } from '../runtime/persistedSnapshot.ts';
import { openFillTargets } from '../runtime/passingQuestions.ts';
import { readAnswer } from '../runtime/readAnswer.ts';
import { defaultLabels } from '../runtime/renderQuestion.ts';
import type { RecordedAnswer } from '../runtime/turnResult.ts';
import { nextQuestionId } from './conditionHolds.ts';
import { npsGroupIn, reasonAck } from './reasonReplies.ts';
import { storeAnswer, type StoredAnswer } from './recordAnswers.ts';
import type { ReplyEvent } from './surveyEmitted.ts';

/** What filling in passing changes: the stored answers (as `storeAnswer`) and the lines to confirm. */
export interface FilledInPassing extends StoredAnswer {
  noted: string[];
  /** Acknowledgements of reasons taken in passing. */
  heard: string[];
}

/**
 * Records every answer a reply gives to other steps of the flow (its `fills`) besides the one it
 * was asked: "9分，下个月还想来做水光" to the NPS question also answers timing and products. Each
 * is stored under its step, marked `inPassing`, with the reading the conversation layer made of the
 * reply for that step (`event.passing`), and noted to be confirmed before the next question.
 */
export function fillInPassing(flow: Flow, context: SurveyContext, event: ReplyEvent, currentStepId: string): FilledInPassing {
  let answers = context.answers;
  let flagged = context.flagged;
  const emitted: StoredAnswer['emitted'] = [];
  const noted = [...(context.noted ?? [])];
  const heard = [...(context.heard ?? [])];
  for (const { fill, step } of openFillTargets(flow, context.answers, currentStepId)) {
    const reading = event.passing?.[step.id];
    if (reading === undefined) continue;
    if (fill.from === 'reason' && nextQuestionId(flow, answers, currentStepId) !== step.id) continue;
    const value = valueInPassing(fill, step, event.text, reading);
    if (value === undefined) continue;
    const stored = storeAnswer(flow, { ...context, answers, flagged }, { ...event, analysis: readingKept(fill, reading) }, step, value, true, true);
    ({ answers, flagged } = stored);
    emitted.push(...stored.emitted);
    if (fill.from === 'reason') {
      heard.push(reasonAck(reading, npsGroupIn(flow, answers)) ?? '您说的情况我们记下了。');
      continue;
    }
    const note = describeInPassing(fill, step, value, reading, flow);
    if (note !== '' && !noted.includes(note)) noted.push(note);
  }
  return { answers, flagged, emitted, noted, heard };
}

/**
 * A score taken in passing keeps its score and sentiment only: the date and products the same
 * words name belong to their own steps, and analytics counts them once, not with every step.
 */
function readingKept(fill: Fill, reading: Analysis): Analysis {
  return fill.from === 'score' ? { ...reading, timing: null, products: [], factors: [], openInterest: false } : reading;
}

/** The answer a reading gives `step` by its fill, or undefined when it gives none. */
function valueInPassing(fill: Fill, step: QuestionStep, text: string, reading: Analysis): RecordedAnswer['value'] & {} | undefined {
  if (fill.topics !== undefined && !reading.topics.some((t) => fill.topics?.includes(t))) return undefined;
  if (reading.intent !== 'answer') return undefined;
  switch (fill.from) {
    case 'score': {
      const read = readAnswer(step, { text, analysis: reading });
      return read.status === 'answered' && typeof read.value === 'number' ? read.value : undefined;
    }
    case 'timing':
      return reading.timing !== null && reading.timing.bucket !== 'undecided' && reading.timing.bucket !== 'never' ? text : undefined;
    case 'products':
      return reading.products.length > 0 ? text : undefined;
    case 'factors':
      return (reading.factors ?? []).length > 0 ? text : undefined;
    case 'reason':
      return reading.topics.length > 0 ? text : undefined;
  }
}

export const timingLabels: Record<TimingBucket, string> = {
  within_1_month: '一个月内',
  '1_3_months': '1-3个月内',
  '3_6_months': '3-6个月内',
  '6_12_months': '半年到一年内',
  over_12_months: '一年以后',
  undecided: '还没想好',
  never: '不打算再来',
};

/** "1月" when the window is one calendar month ("下个月"), else its bucket ("3-6个月内"). */
function describeTiming(timing: NonNullable<Analysis['timing']>): string {
  const { from, to } = timing;
  if (from !== null && to !== null && from.slice(0, 7) === to.slice(0, 7)) return `${Number(from.slice(5, 7))}月`;
  return timingLabels[timing.bucket];
}

const factorLabels: Record<PurchaseFactor, string> = {
  price: '价格',
  effect: '效果',
  convenience: '方便',
  advisor: '顾问',
  range: '项目选择',
};

/** How an answer taken in passing is confirmed: "推荐9分", "一个月内", "水光针". */
export function describeInPassing(fill: Fill, step: QuestionStep, value: RecordedAnswer['value'], reading: Analysis, flow: Flow): string {
  if (fill.from === 'timing') return reading.timing ? describeTiming(reading.timing) : '';
  if (fill.from === 'products') {
    return reading.products.map((id) => flow.catalog.find((c) => c.id === id)?.name ?? id).join('、');
  }
  if (fill.from === 'factors') return `看重${(reading.factors ?? []).map((f) => factorLabels[f]).join('、')}`;
  if (typeof value !== 'number') return '';
  if (step.kind === 'nps') return `推荐${value}分`;
  if (step.kind === 'csat') return `「${step.touchpoint}」${value}分`;
  if (step.kind === 'repurchase') {
    const label = step.labels?.[String(value)] ?? defaultLabels.repurchase?.[value];
    return label === undefined ? `再来意愿${value}分` : label.replace(/^\d+\s*/, '');
  }
  return `${value}分`;
}
