import type { PurchaseFactor, SentimentLabel, TimingBucket } from '../core/analysis.ts';
import type { SessionStatus } from '../core/sessions.ts';

/**
 * The facts read from a finished or running session (one per session, stored as the per-response
 * record) and from an escalation: what analytics counts, follow-up rules test and webhooks carry.
 */

export const segments = ['loyal', 'at_risk', 'potential', 'other'] as const;
export type Segment = (typeof segments)[number];

/**
 * Where a session stands now, exactly one of: completed (the flow reached its end, also after an
 * advisor handed it back), opted_out, escalated (with an advisor now), expired, in_progress (active
 * or paused). Whether a person was ever asked to take over is a fact of its own
 * (`ResponseFacts.escalation`), so a handed-over session that later completes is both.
 */
export const outcomes = ['completed', 'opted_out', 'escalated', 'expired', 'in_progress'] as const;
export type Outcome = (typeof outcomes)[number];

export const npsGroups = ['promoter', 'passive', 'detractor'] as const;
export type Group = (typeof npsGroups)[number];
/** A reason given in a session without an NPS answer. */
export type GroupOrNone = Group | 'none';

export type AnswerKind = 'nps' | 'csat' | 'rating' | 'repurchase' | 'choice' | 'text';

/** One recorded answer, reduced to what analytics and the export need. */
export interface AnswerFact {
  stepId: string;
  kind: AnswerKind;
  /** When the customer gave it (the answer's own time, not the session's). */
  at: Date;
  value: number | string | string[] | null;
  raw: string;
  /** Skipped after re-asks: recorded, but not a response. */
  missing: boolean;
  /** A free-text "why" (a text step with `question: reason`). */
  reason: boolean;
  /**
   * A reason that follows up another question than the NPS one (a low CSAT's "what went wrong?",
   * a low intent's "what would change your mind?"): that question's step id. Absent on the NPS
   * reasons, and on every reason of a flow without an NPS question. Only NPS reasons are counted
   * as reasons by NPS group.
   */
  followsUp?: string;
  sentiment?: { label: SentimentLabel; confidence: number };
  topics: string[];
  timing?: TimingBucket;
  /** First day of the purchase window the analyser estimated (YYYY-MM-DD, survey time zone), when it gave one. */
  timingFrom?: string;
  /** Catalogue ids the answer names, in the order mentioned. */
  products: string[];
  /** Purchase factors the answer names (absent when none, and in records stored before factors). */
  factors?: PurchaseFactor[];
  /** "都行 / 都想试试": open to the range without naming an item. */
  openInterest?: true;
}

/** Everything analytics knows about one session: the per-response record. */
export interface ResponseFacts {
  sessionId: string;
  flowId: string;
  flowVersion: number;
  status: SessionStatus;
  outcome: Outcome;
  customerId: string;
  nickname?: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
  /** Orders changes of one session: a later save has a higher revision. */
  revision: number;
  /** Filter attributes the session carries (campaign, store, scene…), see dimensions.ts. */
  dims: Record<string, string>;
  /** In flow order. */
  answers: AnswerFact[];
  /** Question steps put to the customer, in the order first asked. */
  asked: string[];
  npsStep?: string;
  npsScore?: number;
  group?: Group;
  intent?: number;
  /** Only completed sessions have one. */
  segment?: Segment;
  escalation?: { trigger: string; at: Date };
  /** When an advisor first reached the customer through a follow-up task (src/followup/). */
  contactedAt?: Date;
}

/** One escalation, reduced to its analytics facts. */
export interface EscalationFacts {
  escalationId: string;
  sessionId: string;
  flowId: string;
  trigger: string;
  createdAt: Date;
  firstReplySeconds?: number;
  resolved: boolean;
  revision: number;
}
