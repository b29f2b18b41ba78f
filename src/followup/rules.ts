import { readSession, type SessionView } from '../analytics/fromSession.ts';
import { segmentOf, segmentRules } from '../analytics/segments.ts';
import { stepCatalog } from '../analytics/stepCatalog.ts';
import type { Group, ResponseFacts, Segment } from '../analytics/types.ts';
import type { Flow, FollowUpCondition, FollowUpRule } from '../engine/index.ts';
import type { FollowUpEvent } from './types.ts';

/**
 * Follow-up rules, evaluated purely: a session (as analytics reads it) becomes `RuleFacts`, and
 * each rule of the flow whose `on` names the event and whose `when` holds fires. Segments come
 * from analytics (`segmentOf`), never from a definition of our own.
 */

/** What the rules look at, read once from a session. */
export interface RuleFacts {
  event: FollowUpEvent;
  /** Completed: the analytics segment. Escalated: the segment the answers so far give. */
  segment?: Segment;
  group?: Group;
  npsScore?: number;
  /** CSAT and rating answers. */
  scores: Array<{ stepId: string; touchpoint?: string; value: number }>;
  /** Topics of every answer, de-duplicated. */
  topics: string[];
  /** Sentiment labels of the reasons the customer gave. */
  reasonSentiments: string[];
  /** Days from the answer to the earliest expected purchase, when the customer named a time. */
  repurchaseInDays?: number;
  askedForPerson: boolean;
  /** Step id → how reports name the question (touchpoint, or the question shortened). */
  labels: Record<string, string>;
  /** The analytics facts the above came from (payloads reuse them). */
  facts: ResponseFacts;
}

/** A rule that fired, with what it asks for. */
export interface FiredRule {
  ruleId: string;
  description?: string;
  task?: { reason: string; dueHours: number };
  tags: string[];
}

/** Days from "now" to the start of each timing bucket, when the analyser gave no date. */
const BUCKET_START_DAYS: Record<string, number | undefined> = {
  within_1_month: 0,
  '1_3_months': 30,
  '3_6_months': 90,
  '6_12_months': 180,
  over_12_months: 365,
};

/**
 * Reads what the rules need from a session on the flow version it ran.
 *
 * @example
 * const facts = readRuleFacts(session, flow, 'completed');
 */
export function readRuleFacts(session: SessionView, flow: Flow, event: FollowUpEvent): RuleFacts {
  const facts = readSession(session, flow);
  const answered = facts.answers.filter((a) => !a.missing);
  const reasons = answered.filter((a) => a.reason);
  // Completed sessions carry analytics' segment; an escalation is looked at before completion,
  // so the same function is asked with the answers given so far.
  const segment =
    facts.segment ?? (event === 'escalated' ? segmentOf({ group: facts.group, intent: facts.intent, reasons }, segmentRules(flow)) : undefined);
  const touchpoints = new Map(flow.steps.flatMap((s) => (s.kind === 'csat' ? [[s.id, s.touchpoint] as const] : [])));
  const scores = answered.flatMap((a) =>
    (a.kind === 'csat' || a.kind === 'rating') && typeof a.value === 'number'
      ? [{ stepId: a.stepId, value: a.value, ...(touchpoints.has(a.stepId) ? { touchpoint: touchpoints.get(a.stepId)! } : {}) }]
      : [],
  );
  const repurchaseInDays = readRepurchaseDays(session, answered);
  return {
    event,
    ...(segment ? { segment } : {}),
    ...(facts.group ? { group: facts.group } : {}),
    ...(facts.npsScore !== undefined ? { npsScore: facts.npsScore } : {}),
    scores,
    topics: [...new Set(answered.flatMap((a) => a.topics))],
    reasonSentiments: reasons.flatMap((a) => (a.sentiment ? [a.sentiment.label] : [])),
    ...(repurchaseInDays !== undefined ? { repurchaseInDays } : {}),
    askedForPerson: session.escalation?.trigger === 'intent',
    labels: Object.fromEntries(stepCatalog([flow]).map((s) => [s.stepId, s.label])),
    facts,
  };
}

/**
 * The earliest expected purchase, in days after the answer: the analyser's estimated window
 * (`timing.from`) when it has one, else the start of its bucket.
 */
function readRepurchaseDays(session: SessionView, answered: ResponseFacts['answers']): number | undefined {
  let best: number | undefined;
  for (const a of answered) {
    if (!a.timing) continue;
    const stored = session.answers[a.stepId] as { extracted?: { timing?: { from?: unknown } } } | undefined;
    const from = stored?.extracted?.timing?.from;
    const day = typeof from === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(from) ? Date.parse(`${from}T00:00:00Z`) : NaN;
    const answeredDay = Date.parse(`${a.at.toISOString().slice(0, 10)}T00:00:00Z`);
    const days = Number.isNaN(day) ? BUCKET_START_DAYS[a.timing] : Math.max(0, Math.round((day - answeredDay) / 86_400_000));
    if (days !== undefined && (best === undefined || days < best)) best = days;
  }
  return best;
}

const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** Whether every key of `when` holds for the facts (an empty `when` always holds). */
export function conditionHolds(when: FollowUpCondition, f: RuleFacts): boolean {
  const segments = list(when.segment);
  if (segments && (!f.segment || !segments.includes(f.segment))) return false;
  const groups = list(when.npsGroup);
  if (groups && (!f.group || !groups.includes(f.group))) return false;
  if (when.csat) {
    const { step, touchpoint, lte } = when.csat;
    const low = f.scores.some((s) => (step === undefined || s.stepId === step) && (touchpoint === undefined || s.touchpoint === touchpoint) && s.value <= lte);
    if (!low) return false;
  }
  if (when.repurchaseWithinDays !== undefined && (f.repurchaseInDays === undefined || f.repurchaseInDays > when.repurchaseWithinDays)) return false;
  const topics = list(when.topic);
  if (topics && !topics.some((t) => f.topics.includes(t))) return false;
  if (when.sentiment && !f.reasonSentiments.includes(when.sentiment)) return false;
  if (when.askedForPerson !== undefined && when.askedForPerson !== f.askedForPerson) return false;
  return true;
}

/**
 * The rules that fire for this event, in the flow's order.
 *
 * @example
 * evaluateRules(flow.followUp.rules, readRuleFacts(session, flow, 'completed'))
 * // [{ ruleId: 'at-risk-callback', task: { reason: '…', dueHours: 24 }, tags: [] }]
 */
export function evaluateRules(rules: readonly FollowUpRule[], facts: RuleFacts): FiredRule[] {
  return rules
    .filter((r) => (r.on as readonly string[]).includes(facts.event) && conditionHolds(r.when, facts))
    .map((r) => ({
      ruleId: r.id,
      ...(r.description ? { description: r.description } : {}),
      ...(r.then.task ? { task: { reason: r.then.task.reason, dueHours: r.then.task.dueHours } } : {}),
      tags: r.then.tags ?? [],
    }));
}

const SEGMENT_TAGS: Record<Segment, string> = { loyal: '忠诚客户', at_risk: '风险客户', potential: '潜力客户', other: '一般客户' };
const GROUP_TAGS: Record<Group, string> = { promoter: '推荐者', passive: '中立者', detractor: '贬损者' };

/** A tag with the group it belongs to (WeCom tag groups; replaced group by group per session). */
export interface Tag {
  group: string;
  name: string;
}

/** The WeCom tag group names huifang creates, per automatic group and for rule tags. */
export const TAG_GROUP_NAMES: Record<string, string> = {
  segment: '回访·客户分群',
  npsGroup: '回访·NPS',
  touchpoint: '回访·环节评价',
  topics: '回访·关注点',
  rules: '回访·跟进',
};

/**
 * The tags a session gives its customer: the automatic groups the flow asks for (segment, NPS
 * group, touchpoints rated high ≥4 or low ≤2, topics) and the fired rules' own tags.
 */
export function tagsFor(facts: RuleFacts, groups: readonly string[], fired: readonly FiredRule[]): Tag[] {
  const tags: Tag[] = [];
  const add = (group: string, name: string) => {
    const clipped = name.slice(0, 30);
    if (!tags.some((t) => t.group === group && t.name === clipped)) tags.push({ group, name: clipped });
  };
  if (groups.includes('segment') && facts.segment) add('segment', SEGMENT_TAGS[facts.segment]);
  if (groups.includes('npsGroup') && facts.group) add('npsGroup', GROUP_TAGS[facts.group]);
  if (groups.includes('touchpoint')) {
    for (const s of facts.scores) {
      if (!s.touchpoint) continue;
      if (s.value >= 4) add('touchpoint', `${s.touchpoint}满意`);
      else if (s.value <= 2) add('touchpoint', `${s.touchpoint}不满意`);
    }
  }
  if (groups.includes('topics')) for (const t of facts.topics) add('topics', t);
  for (const rule of fired) for (const t of rule.tags) add('rules', t);
  return tags;
}
