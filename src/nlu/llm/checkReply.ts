import { purchaseFactorSchema, type AnalysisRequest, type PurchaseFactor, type TimingBucket } from '../../core/analysis.ts';
import { foldText } from '../../core/foldText.ts';
import { maskPii } from '../../core/maskPii.ts';
import { resolveRange } from '../resolveRange.ts';
import { parseIsoDate, todayIn } from '../../core/calendar.ts';
import { detectInjection } from '../rules/detectInjection.ts';
import { normalizeText } from '../rules/normalizeText.ts';
import type { LlmReply, RawLlmReply } from './replyPrompt.ts';

/**
 * An LLM answer must prove itself, field by field: what the request does not allow, or what the
 * reply's own words do not show, is dropped and that field falls back to the rules. Nothing here
 * fails the whole answer; the zod schema has already caught malformed JSON.
 */

/** The fields a check can drop; the analysers then take the rules' value for them. */
export type CheckedField = 'score' | 'timing' | 'products' | 'openInterest' | 'factors' | 'choices';

export interface DroppedValue {
  field: CheckedField;
  /** Why, for the logs: "no evidence", "outside 0–10", "window starts before today"… */
  reason: string;
}

export interface CheckedReply {
  reply: LlmReply;
  /** Every value refused, for the logs (one product of three is a drop too). */
  dropped: DroppedValue[];
  /** Fields whose LLM reading is refused as a whole: the analysers take the rules' value. */
  fallback: ReadonlySet<CheckedField>;
}

const FACTORS: ReadonlySet<string> = new Set(purchaseFactorSchema.options);
const TIMING_KINDS: ReadonlySet<string> = new Set(['timing', 'repurchase']);
/** Slack, in days, around each bucket's band: models round "next month" and "年底" differently. */
const BUCKET_SLACK_DAYS = 10;
/** A purchase window further out than this is not a plan anyone stated in a survey reply. */
const FURTHEST_DAYS = 5 * 366;
/** Where each dated bucket's window middle may fall, in days from today (see bucketForRange). */
const BUCKET_BANDS: Record<Exclude<TimingBucket, 'undecided' | 'never'>, { from: number; to: number }> = {
  within_1_month: { from: 0, to: 31 },
  '1_3_months': { from: 32, to: 92 },
  '3_6_months': { from: 93, to: 183 },
  '6_12_months': { from: 184, to: 366 },
  over_12_months: { from: 367, to: FURTHEST_DAYS },
};
// "score=10", "评分：10", "NPS 为 10": a key assigned a value is an instruction, not a judgment.
const SCORE_KEY = String.raw`(?:score|rating|nps|csat|分数|评分|得分|打分|分值)\s*(?:=|==|:|->|为)\s*["']?`;
const ASSIGNED_BEFORE = new RegExp(`${SCORE_KEY}$`);
const ASSIGNMENT_INSIDE = new RegExp(`${SCORE_KEY}\\d`);

/** A model-made id for the logs: short, and masked, as the model may have copied the reply into it. */
function quoted(id: string): string {
  return JSON.stringify(maskPii(id.slice(0, 40)));
}

/** The one form both the reply and an evidence span are compared in. */
function comparable(text: string): string {
  return foldText(text).replace(/\s+/g, '');
}

/** The reply as the rules read it and as the model was sent it (masked), in comparable form. */
export interface ReplyTexts {
  forms: string[];
}

export function replyTexts(original: string, sent: string): ReplyTexts {
  return { forms: [...new Set([comparable(original), comparable(sent)])] };
}

/** Why a span is not evidence for this reply, or null when it is. */
function spanProblem(span: string, texts: ReplyTexts, forScore: boolean): string | null {
  const needle = comparable(span).replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
  if (needle === '') return 'empty evidence';
  const places = texts.forms.flatMap((text) => occurrences(text, needle).map((at) => ({ text, at })));
  // Reasons are logged: they say what was wrong with a span, never quote the customer's words.
  if (places.length === 0) return `evidence (${span.length} chars) is not in the reply`;
  if (forScore) {
    if (ASSIGNMENT_INSIDE.test(needle)) return 'evidence assigns a score rather than judging';
    if (places.every(({ text, at }) => ASSIGNED_BEFORE.test(text.slice(Math.max(0, at - 12), at)))) {
      return 'evidence is a value assigned to a score key';
    }
  }
  return null;
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at >= 0 && found.length < 50; at = text.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** Why these spans do not show a value, or null when every one of them is in the reply. */
function evidenceProblem(spans: readonly string[], texts: ReplyTexts, forScore = false): string | null {
  if (spans.length === 0) return 'no evidence';
  for (const span of spans) {
    const problem = spanProblem(span, texts, forScore);
    if (problem) return problem;
  }
  return null;
}

// A number given as a score ("3分", "4星", "7 points"), and words that make arithmetic of it.
const SCORED_NUMBER = /(\d+)\s*(?:分(?!钟)|星|颗|points?|pts?\b)/g;
const ARITHMETIC = /[扣减加少多折半到至~\-+/]|满分|之|制|base/;

/**
 * Why the evidence contradicts the score: it states exactly one scored number, plainly (no
 * 扣/减/加, no range, no "满分5分"), and that number is not the score.
 */
function contradiction(score: number, spans: readonly string[]): string | null {
  const text = spans.map(foldText).join(' ');
  if (ARITHMETIC.test(text)) return null;
  const numbers = [...new Set([...text.matchAll(SCORED_NUMBER)].map((m) => Number(m[1])))];
  return numbers.length === 1 && numbers[0] !== score ? `evidence states ${numbers[0]}, not ${score}` : null;
}

function scoreProblem(reply: RawLlmReply, request: AnalysisRequest, texts: ReplyTexts, injected: boolean): string | null {
  if (reply.score === null) return null;
  const range = resolveRange(request);
  if (!range) return `a ${request.question} question has no score`;
  if (reply.score < range.min || reply.score > range.max) return `score ${reply.score} outside ${range.min}–${range.max}`;
  if (injected) return 'the reply tries to instruct the analyser';
  return evidenceProblem(reply.evidence.score, texts, true) ?? contradiction(reply.score, reply.evidence.score);
}

/** Why a timing does not fit the question, today and its own bucket, or null when it does. */
function timingProblem(reply: RawLlmReply, request: AnalysisRequest, texts: ReplyTexts): string | null {
  const timing = reply.timing;
  if (timing === null) return null;
  if (!TIMING_KINDS.has(request.question)) return `a ${request.question} question does not ask when`;
  const evidence = evidenceProblem(reply.evidence.timing, texts);
  if (evidence) return evidence;
  if (timing.bucket === 'undecided' || timing.bucket === 'never') {
    return timing.from === null && timing.to === null ? null : `${timing.bucket} with dates`;
  }
  const from = timing.from === null ? null : parseIsoDate(timing.from);
  const to = timing.to === null ? null : parseIsoDate(timing.to);
  if (from === null || to === null) return `window ${timing.from ?? '?'}..${timing.to ?? '?'} is not two YYYY-MM-DD dates`;
  if (to < from) return `window ${timing.from}..${timing.to} ends before it starts`;
  const today = todayIn(request.now, request.timeZone);
  if (from < today) return `window starts ${timing.from}, before today`;
  const band = BUCKET_BANDS[timing.bucket];
  if (timing.bucket === 'within_1_month' && to - today > band.to + BUCKET_SLACK_DAYS / 2) return `window ends ${timing.to}, beyond a month`;
  const middle = (from + to) / 2 - today;
  if (middle < band.from - BUCKET_SLACK_DAYS || middle > band.to + BUCKET_SLACK_DAYS) {
    return `window ${timing.from}..${timing.to} does not fit ${timing.bucket}`;
  }
  return null;
}

/** Products from the catalogue whose words are in the reply, each once; the rest is dropped. */
function checkProducts(reply: RawLlmReply, request: AnalysisRequest, texts: ReplyTexts, dropped: DroppedValue[]): string[] {
  const ids = new Set((request.catalog ?? []).map((c) => c.id));
  const kept: string[] = [];
  for (const id of new Set(reply.products)) {
    if (!ids.has(id)) {
      dropped.push({ field: 'products', reason: `${quoted(id)} is not in the catalogue` });
      continue;
    }
    const spans = reply.evidence.products.filter((p) => p.id === id).map((p) => p.span);
    const problem = evidenceProblem(spans, texts);
    if (problem) dropped.push({ field: 'products', reason: `${id}: ${problem}` });
    else kept.push(id);
  }
  return kept;
}

/** Why the picked choices cannot stand (a question without options, an id that is not one), or null. */
function choicesProblem(choices: string[] | null, request: AnalysisRequest): string | null {
  if (choices === null) return null;
  if (request.question !== 'choice') return `a ${request.question} question has no options`;
  const ids = new Set((request.options ?? []).map((o) => o.id));
  const unknown = choices.find((c) => !ids.has(c));
  return unknown === undefined ? null : `${quoted(unknown)} is not an option`;
}

/**
 * Checks an LLM answer against the request and the reply's words, dropping what does not hold:
 * a score off the scale, without evidence, from an assignment ("score=10") or contradicted by it
 * ("3分" given as a 10); timing on a question that does not ask when, without evidence, in the
 * past or not fitting its bucket; product ids outside the catalogue or without evidence; factor
 * labels outside the list; choices that are not options. `dropped` says what and why; for the fields in `fallback` the caller keeps
 * the rules' value.
 *
 * @example
 * const { reply, dropped } = checkReply(raw, request, replyTexts(request.text, sentText));
 */
export function checkReply(raw: RawLlmReply, request: AnalysisRequest, texts: ReplyTexts): CheckedReply {
  const dropped: DroppedValue[] = [];
  const injected = detectInjection(normalizeText(request.text));
  const score = scoreProblem(raw, request, texts, injected);
  if (score) dropped.push({ field: 'score', reason: score });
  const timing = timingProblem(raw, request, texts);
  if (timing) dropped.push({ field: 'timing', reason: timing });

  const products = checkProducts(raw, request, texts, dropped);
  // Every product the model named was refused: its reading of products is not worth keeping.
  const productsRefused = raw.products.length > 0 && products.length === 0;
  const factors = [...new Set(raw.factors)].filter((f): f is PurchaseFactor => FACTORS.has(f));
  for (const f of raw.factors.filter((x) => !FACTORS.has(x))) dropped.push({ field: 'factors', reason: `${quoted(f)} is not a factor` });
  const openInterest = raw.openInterest && (request.catalog?.length ?? 0) > 0 && raw.products.length === 0;

  const choicesWrong = choicesProblem(raw.choices, request);
  if (choicesWrong) dropped.push({ field: 'choices', reason: choicesWrong });

  const reply: LlmReply = {
    intent: raw.intent,
    score: score ? null : raw.score,
    sentiment: raw.sentiment,
    topics: raw.topics,
    timing: timing ? null : raw.timing,
    products,
    factors,
    openInterest,
    choices: choicesWrong ? null : raw.choices,
  };
  const fallback = new Set<CheckedField>();
  for (const d of dropped) if (d.field === 'score' || d.field === 'timing' || d.field === 'choices') fallback.add(d.field);
  if (productsRefused) fallback.add('products').add('openInterest');
  if (raw.factors.length > 0 && factors.length === 0) fallback.add('factors');
  return { reply, dropped, fallback };
}
