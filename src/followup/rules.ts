import { addDays, instantOf, localDateKey } from '../core/calendar.ts';
import { readSession, type SessionView } from '../sessionFacts/fromSession.ts';
import { sessionInterest, TIMING_LABELS, type PurchaseWindow } from '../sessionFacts/interest.ts';
import { segmentOf, segmentRules } from '../sessionFacts/segments.ts';
import { stepCatalog } from '../sessionFacts/stepCatalog.ts';
import type { Group, ResponseFacts, Segment } from '../sessionFacts/types.ts';
import type { Flow, FollowUpCondition, FollowUpRule } from '../engine/index.ts';
import type { FollowUpEvent } from './types.ts';
import { ownText } from '../core/ownText.ts';

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
  /** Catalogue ids named in any answer, each once, in the order first named. */
  products: string[];
  /** Catalogue id → name, for task reasons. */
  productNames: Record<string, string>;
  /** The purchase window analytics files the session's products under (src/sessionFacts/interest.ts). */
  window?: PurchaseWindow;
  /** The survey time zone (window days are calendar days there). */
  timeZone: string;
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
  task?: { reason: string; dueHours: number; beforeWindow?: { leadDays: number } };
  tags: string[];
  /** For a rule with a product condition: the items it is about (named by the customer, in order). */
  products?: string[];
}

/**
 * Reads what the rules need from a session on the flow version it ran.
 *
 * @example
 * const facts = readRuleFacts(session, flow, 'completed');
 */
export function readRuleFacts(session: SessionView, flow: Flow, event: FollowUpEvent, timeZone: string): RuleFacts {
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
  const interest = sessionInterest(facts.answers, timeZone);
  const window = interest.window;
  // Days from the answer that gave the window to its start (the earliest expected purchase).
  const repurchaseInDays = window?.startDay ? Math.max(0, Math.round((Date.parse(window.startDay) - Date.parse(localDateKey(window.at, timeZone))) / 86_400_000)) : undefined;
  return {
    event,
    ...(segment ? { segment } : {}),
    ...(facts.group ? { group: facts.group } : {}),
    ...(facts.npsScore !== undefined ? { npsScore: facts.npsScore } : {}),
    scores,
    topics: [...new Set(answered.flatMap((a) => a.topics))],
    reasonSentiments: reasons.flatMap((a) => (a.sentiment ? [a.sentiment.label] : [])),
    ...(repurchaseInDays !== undefined ? { repurchaseInDays } : {}),
    products: interest.products.map((p) => p.id),
    productNames: Object.fromEntries(flow.catalog.map((p) => [p.id, p.name])),
    ...(window ? { window } : {}),
    timeZone,
    askedForPerson: session.escalation?.trigger === 'intent',
    labels: Object.fromEntries(stepCatalog([flow]).map((s) => [s.stepId, s.label])),
    facts,
  };
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
  if (when.product !== undefined && !productsOf(when, f).length) return false;
  const timing = list(when.timing);
  if (timing && (!f.window || !timing.includes(f.window.bucket))) return false;
  return true;
}

/** The products a rule is about: those the customer named that its condition lists (all for `any`). */
function productsOf(when: FollowUpCondition, f: Pick<RuleFacts, 'products'>): string[] {
  if (when.product === undefined || when.product === 'any') return f.products;
  const wanted = list(when.product)!;
  return f.products.filter((p) => wanted.includes(p));
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
      ...(r.then.task
        ? { task: { reason: r.then.task.reason, dueHours: r.then.task.dueHours, ...(r.then.task.beforeWindow ? { beforeWindow: r.then.task.beforeWindow } : {}) } }
        : {}),
      tags: r.then.tags ?? [],
      ...(r.when.product !== undefined ? { products: productsOf(r.when, facts) } : {}),
    }));
}

/**
 * The task a fired rule makes, as an advisor sees it: its reason with {{products}},
 * {{windowStart}} and {{window}} filled in, and when it is due. With `beforeWindow` it is due
 * `leadDays` before the purchase window starts (midnight, survey time zone): "contact before the
 * window about the product". When the window has no start (还没想好) or that moment is not after
 * `at`, it is due `dueHours` after `at`, like any task.
 *
 * @example
 * planTask(fired, facts, at) // { reason: '2027年1月23日前联系顾客，沟通热玛吉', dueAt: 2027-01-19T16:00:00Z }
 */
export function planTask(rule: FiredRule & { task: NonNullable<FiredRule['task']> }, facts: RuleFacts, at: Date): { reason: string; dueAt: Date } {
  const ids = rule.products ?? facts.products;
  const fields: Record<string, string> = {
    products: ids.length ? ids.map((id) => facts.productNames[id] ?? id).join('、') : '意向项目',
    windowStart: facts.window?.startDay ? chineseDate(facts.window.startDay) : '时间未定',
    window: facts.window ? TIMING_LABELS[facts.window.bucket] : '时间未定',
  };
  // Own fields only: `{{constructor}}` stays as written rather than rendering a function.
  const reason = rule.task.reason.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (whole, name: string) => ownText(fields, name) ?? whole);
  const fallback = new Date(at.getTime() + rule.task.dueHours * 3_600_000);
  const start = facts.window?.startDay;
  if (!rule.task.beforeWindow || !start) return { reason, dueAt: fallback };
  const [year, month, day] = addDays(start, -rule.task.beforeWindow.leadDays).split('-').map(Number) as [number, number, number];
  const due = instantOf({ year, month, day, hour: 0, minute: 0 }, facts.timeZone);
  return { reason, dueAt: due.getTime() > at.getTime() ? due : fallback };
}

/** 2027-01-23 → 2027年1月23日 */
function chineseDate(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
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
