import { segmentsSchema, type Flow, type SegmentSettings } from '../engine/index.ts';
import type { AnswerFact, Group, Segment } from './types.ts';

/** The segment rules of a flow: its `settings.segments`, each missing threshold at its default. */
export function segmentRules(flow: Pick<Flow, 'settings'>): SegmentSettings {
  return flow.settings.segments ?? segmentsSchema.parse({});
}

/** What decides a completed session's segment. */
export interface SegmentInput {
  group?: Group;
  /** Repurchase intent, 0–5. */
  intent?: number;
  /** Reasons the customer gave (text answers to `question: reason` steps). */
  reasons: Array<Pick<AnswerFact, 'sentiment'>>;
}

/**
 * The segment of a completed session. A risk signal wins over a high score, so at_risk is checked
 * first: detractor, intent ≤ atRisk.maxIntent, or a reason read as negative with at least
 * atRisk.minConfidence. Then loyal (promoter, intent ≥ loyal.minIntent), potential (passive,
 * intent ≥ potential.minIntent), else other. An unanswered intent meets no intent threshold.
 *
 * @example
 * segmentOf({ group: 'promoter', intent: 5, reasons: [] }, segmentRules(flow)) // 'loyal'
 */
export function segmentOf(input: SegmentInput, rules: SegmentSettings): Segment {
  const { group, intent } = input;
  const negative =
    rules.atRisk.negativeReason &&
    input.reasons.some((r) => r.sentiment?.label === 'negative' && r.sentiment.confidence >= rules.atRisk.minConfidence);
  if (group === 'detractor' || (intent !== undefined && intent <= rules.atRisk.maxIntent) || negative) return 'at_risk';
  if (group === 'promoter' && intent !== undefined && intent >= rules.loyal.minIntent) return 'loyal';
  if (group === 'passive' && intent !== undefined && intent >= rules.potential.minIntent) return 'potential';
  return 'other';
}
