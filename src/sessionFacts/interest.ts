import type { PurchaseFactor, TimingBucket } from '../core/analysis.ts';
import { addDays, localDateKey } from '../core/calendar.ts';
import type { AnswerFact } from './types.ts';

/**
 * Who wants what, and when: a session's products of interest, purchase factors and purchase
 * window, read from all its answers (the reasons, the timing answer, the products question…).
 * Pure; analytics counts these (fields.ts) and follow-up rules act on them (src/followup/rules.ts),
 * so both read a session the same way.
 */

/** Days from the answer to the start of each timing bucket, when the analyser gave no date. */
export const BUCKET_START_DAYS: Partial<Record<TimingBucket, number>> = {
  within_1_month: 0,
  '1_3_months': 30,
  '3_6_months': 90,
  '6_12_months': 180,
  over_12_months: 365,
};

/** Timing buckets in words (export, task reasons, and the dashboard, which loads them as /dashboard/timing.js). */
export const TIMING_LABELS: Record<TimingBucket, string> = {
  within_1_month: '1个月内',
  '1_3_months': '1-3个月',
  '3_6_months': '3-6个月',
  '6_12_months': '6-12个月',
  over_12_months: '12个月以上',
  undecided: '还没想好',
  never: '不会再来',
};

/** When the customer expects to buy again. */
export interface PurchaseWindow {
  bucket: TimingBucket;
  /** The window's first day (YYYY-MM-DD, survey time zone); absent for undecided and never. */
  startDay?: string;
  /** The answer it was read from. */
  stepId: string;
  at: Date;
}

/**
 * The session's purchase window: of the answers that carry a timing, the one whose window starts
 * first (the analyser's date, else the answer's day plus the start of its bucket; ties go to the
 * answer given first). Without any start (only 还没想好 / 不会再来), the first such answer's bucket.
 *
 * @example
 * purchaseWindow(facts.answers, 'Asia/Shanghai') // { bucket: '1_3_months', startDay: '2027-01-23', stepId: 'timing', at }
 */
export function purchaseWindow(answers: readonly AnswerFact[], timeZone: string): PurchaseWindow | undefined {
  let best: PurchaseWindow | undefined;
  for (const a of byTime(answers)) {
    if (a.missing || !a.timing) continue;
    const days = BUCKET_START_DAYS[a.timing];
    const startDay = a.timingFrom ?? (days === undefined ? undefined : addDays(localDateKey(a.at, timeZone), days));
    const window: PurchaseWindow = { bucket: a.timing, ...(startDay ? { startDay } : {}), stepId: a.stepId, at: a.at };
    if (!best || (startDay !== undefined && (best.startDay === undefined || startDay < best.startDay))) best = window;
  }
  return best;
}

/** Something a session mentioned, with the answer that first named it. */
export interface Mention<T extends string = string> {
  id: T;
  stepId: string;
  at: Date;
}

/** What a session says about its next purchase. */
export interface SessionInterest {
  /** Catalogue ids named in any answer, each once, in the order first named. */
  products: Mention[];
  /** Purchase factors named in any answer, each once, in the order first named. */
  factors: Array<Mention<PurchaseFactor>>;
  /** The first answer that said "都行 / 都想试试". */
  openInterest?: { stepId: string; at: Date };
  window?: PurchaseWindow;
}

/**
 * Reads a session's interest from its answers (skipped ones left out). Each product and factor
 * counts once per session, from the answer that named it first.
 */
export function sessionInterest(answers: readonly AnswerFact[], timeZone: string): SessionInterest {
  const products = new Map<string, Mention>();
  const factors = new Map<PurchaseFactor, Mention<PurchaseFactor>>();
  let openInterest: SessionInterest['openInterest'];
  for (const a of byTime(answers)) {
    if (a.missing) continue;
    for (const id of a.products) if (!products.has(id)) products.set(id, { id, stepId: a.stepId, at: a.at });
    for (const id of a.factors ?? []) if (!factors.has(id)) factors.set(id, { id, stepId: a.stepId, at: a.at });
    if (a.openInterest && !openInterest) openInterest = { stepId: a.stepId, at: a.at };
  }
  const window = purchaseWindow(answers, timeZone);
  return { products: [...products.values()], factors: [...factors.values()], ...(openInterest ? { openInterest } : {}), ...(window ? { window } : {}) };
}

/** Answers in the order given (flow order for the same instant). */
function byTime(answers: readonly AnswerFact[]): AnswerFact[] {
  return answers.map((a, i) => [a, i] as const).sort(([a, i], [b, j]) => a.at.getTime() - b.at.getTime() || i - j).map(([a]) => a);
}
