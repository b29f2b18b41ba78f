import type { Analysis } from '../../core/analysis.ts';
import { isOnlyRequestWords } from '../../core/intentWords.ts';
import { describeQuestion } from '../definition/describeQuestion.ts';
import type { QuestionStep } from '../definition/flowSchema.ts';

/** A usable answer to one question, or not. */
export type ReadAnswerResult = { status: 'answered'; value: number | string | string[] } | { status: 'unreadable' };

const unreadable = { status: 'unreadable' } as const;

/** Menu item id of one value: `<stepId>__<value>` (WeCom click ids take only [0-9a-zA-Z_-]), so a click needs no NLU. */
export function menuItemId(stepId: string, value: string | number): string {
  return `${stepId}__${value}`;
}

/**
 * Reads the answer to `step` from a reply: a click on one of this step's menu items first (an
 * exact answer whatever the NLU said), else the NLU's analysis when its intent is `answer` and
 * the value fits the question (a score in range, known options, non-empty text).
 */
export function readAnswer(step: QuestionStep, reply: { text: string; menuId?: string; analysis: Analysis }): ReadAnswerResult {
  const clicked = readMenuAnswer(step, reply.menuId);
  if (clicked.status === 'answered' || reply.analysis.intent !== 'answer') return clicked;
  return readValue(step, reply);
}

/**
 * The answer a reply carries besides its intent: "2分，太差了，我要投诉" asks for a person *and*
 * scores 2. A text question keeps such a reply only when it says something (a sentiment or a
 * topic was read), so a bare "转人工" is not stored as the reason; nor is one the analyser read a
 * sentiment into (request words are never an answer, core/intentWords.ts).
 */
export function readAnswerBesidesIntent(step: QuestionStep, reply: { text: string; menuId?: string; analysis: Analysis }): ReadAnswerResult {
  const clicked = readMenuAnswer(step, reply.menuId);
  if (clicked.status === 'answered' || reply.analysis.intent === 'answer') return readAnswer(step, reply);
  if (step.kind === 'text' && reply.analysis.sentiment === null && reply.analysis.topics.length === 0) return unreadable;
  return readValue(step, reply);
}

function readValue(step: QuestionStep, reply: { text: string; analysis: Analysis }): ReadAnswerResult {
  const { range } = describeQuestion(step);
  if (step.kind === 'text') {
    const text = reply.text.trim();
    return text === '' || isOnlyRequestWords(text) ? unreadable : { status: 'answered', value: text };
  }
  if (step.kind === 'choice') return pickOptions(step, reply.analysis.choices ?? []);
  const score = reply.analysis.score;
  return range !== undefined && score !== null && Number.isInteger(score) && score >= range.min && score <= range.max
    ? { status: 'answered', value: score }
    : unreadable;
}

/** The answer carried by a menu click on this step, if the click belongs to it. */
export function readMenuAnswer(step: QuestionStep, menuId: string | undefined): ReadAnswerResult {
  const prefix = menuItemId(step.id, '');
  if (menuId === undefined || !menuId.startsWith(prefix) || step.kind === 'text') return unreadable;
  const picked = menuId.slice(prefix.length);
  if (step.kind === 'choice') return pickOptions(step, [picked]);
  const { range } = describeQuestion(step);
  const score = /^-?\d+$/.test(picked) ? Number(picked) : NaN;
  return range !== undefined && score >= range.min && score <= range.max ? { status: 'answered', value: score } : unreadable;
}

/** Known option ids in option order; a single-choice question needs exactly one. */
function pickOptions(step: Extract<QuestionStep, { kind: 'choice' }>, ids: readonly string[]): ReadAnswerResult {
  const picked = step.options.filter((o) => ids.includes(o.id)).map((o) => o.id);
  const [first] = picked;
  if (first === undefined) return unreadable;
  if (step.multiple) return { status: 'answered', value: picked };
  return picked.length === 1 ? { status: 'answered', value: first } : unreadable;
}
