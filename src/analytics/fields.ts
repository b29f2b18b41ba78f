import { createHash } from 'node:crypto';
import { localDateKey, monthOf } from '../core/calendar.ts';
import { sessionInterest } from '../sessionFacts/interest.ts';
import type { EscalationFacts, ResponseFacts } from '../sessionFacts/types.ts';
import type { CellDims, Contribution, RollupLine } from './ports.ts';

/** A CSAT answer at or below this counts as "rated it low" in the key drivers (below the top-2 box of 1–5). */
export const LOW_CSAT = 3;

/**
 * Rollup counter names. Each response adds +1 to some of these in the rollup of a day (and of its
 * month); every number on the dashboard is a sum of them, so sums over any set of days and cells
 * are exact. Session fields are filed on the day the session started (a cohort: the funnel of the
 * sessions that started in a range), answer fields on the day the answer was given.
 *
 * | field | counts |
 * |---|---|
 * | `s` | sessions started |
 * | `o:<outcome>` | sessions by outcome (completed, opted_out, escalated, expired, in_progress: sessionFacts/types.ts) |
 * | `H:<outcome>` | sessions ever handed to a person (an escalation), by their outcome now: a handed-over session that completed is in `o:completed` and `H:completed` |
 * | `r:<step>`, `a:<step>`, `k:<step>` | sessions that reached (were asked or answered), answered, skipped a step |
 * | `x:<outcome>:<step>` | sessions not completed, by the last step they were asked |
 * | `t:<seconds>` | completed sessions by seconds from start to completion (exact medians) |
 * | `g:<segment>` | completed sessions by segment |
 * | `n:<step>:<score>` | NPS answers by score |
 * | `c:<step>:<value>`, `p:<step>:<value>` | CSAT/rating and repurchase-intent answers by value |
 * | `h:<step>:<option>` | choice answers by option |
 * | `w:<bucket>` | sessions by purchase window bucket (once per session, on the day of the answer it was read from) |
 * | `i:<product>:<bucket>:<segment>` | sessions interested in a catalogue item (named in any answer, once per session, on the day first named), by the session's purchase window bucket and segment (`-`: none) |
 * | `I:<segment>` | sessions open to anything ("都行"), on the day first said |
 * | `f:<factor>:<segment>` | sessions naming a purchase factor (once per session, on the day first named) |
 * | `e:<group>:<label>`, `m:<group>:<topic>` | NPS reasons (not follow-ups of other questions) by sentiment and topic mentions, by NPS group (`none` without one) |
 * | `E:<trigger>`, `ER`, `EF:<seconds>` | escalations by trigger, resolved, seconds to the first advisor reply (on the day opened) |
 * | `Dt:<group>:<topic>`, `Dc:<group>:<step>` | respondents by NPS group who named a topic in any reason, or rated a CSAT step low (≤ 3), once per session, on the day of the NPS answer (key drivers) |
 * | `F:d`, `F:c48` | detractor sessions, and those an advisor reached through a follow-up task within 48 h of the NPS answer |
 */
export const field = {
  started: 's',
  outcome: (o: string) => `o:${o}`,
  handedOver: (o: string) => `H:${o}`,
  reached: (step: string) => `r:${step}`,
  answered: (step: string) => `a:${step}`,
  skipped: (step: string) => `k:${step}`,
  stopped: (outcome: string, step: string) => `x:${outcome}:${step}`,
  completeSeconds: (s: number) => `t:${s}`,
  segment: (s: string) => `g:${s}`,
  nps: (step: string, score: number) => `n:${step}:${score}`,
  scale: (step: string, v: number) => `c:${step}:${v}`,
  intent: (step: string, v: number) => `p:${step}:${v}`,
  choice: (step: string, option: string) => `h:${step}:${clean(option)}`,
  timing: (bucket: string) => `w:${bucket}`,
  interest: (product: string, bucket: string | undefined, segment: string | undefined) => `i:${clean(product)}:${bucket || NONE}:${segment || NONE}`,
  openInterest: (segment: string | undefined) => `I:${segment || NONE}`,
  factor: (factor: string, segment: string | undefined) => `f:${clean(factor)}:${segment || NONE}`,
  sentiment: (group: string, label: string) => `e:${group}:${label}`,
  topic: (group: string, topic: string) => `m:${group}:${clean(topic)}`,
  escalation: (trigger: string) => `E:${clean(trigger)}`,
  escalationResolved: 'ER',
  firstReplySeconds: (s: number) => `EF:${s}`,
  driverTopic: (group: string, topic: string) => `Dt:${group}:${clean(topic)}`,
  driverLowCsat: (group: string, step: string) => `Dc:${group}:${step}`,
  followUpDetractor: 'F:d',
  followUpContacted48h: 'F:c48',
};

/** In interest fields: no purchase window, or no segment (a session not completed). */
export const NONE = '-';

/** "Contacted within 48 h": from the NPS answer to the first contact through a follow-up task. */
const CONTACT_WINDOW_MS = 48 * 3_600_000;

/** Free text inside a field name: no separators (`:` splits fields, tab/newline the stored lines). */
export function clean(text: string): string {
  return text.replace(/[:\t\r\n]/g, ' ').trim().slice(0, 40);
}

/** Longest quote kept for display; the full text stays in the record and the export. */
const QUOTE_CHARS = 200;

/** The rollup cell of a response: its flow version, segment ('' until completed) and dimensions. */
export function cellOf(facts: Pick<ResponseFacts, 'flowVersion' | 'segment' | 'dims'>): { id: string; dims: CellDims } {
  const dims: CellDims = { v: String(facts.flowVersion), seg: facts.segment ?? '' };
  for (const key of Object.keys(facts.dims).sort()) dims[`d.${key}`] = facts.dims[key]!;
  const id = createHash('sha1').update(JSON.stringify(dims)).digest('hex').slice(0, 12);
  return { id, dims };
}

/**
 * What a session adds to the rollups: session fields on its start day, each answer's fields on
 * the answer's day, and its reasons as quotes. Deterministic, so applying the same facts twice
 * is recognisably the same contribution.
 */
export function sessionContribution(facts: ResponseFacts, timeZone: string): Contribution {
  const lines = new Map<string, string[]>();
  const add = (day: string, ...fields: string[]) => lines.set(day, [...(lines.get(day) ?? []), ...fields]);
  const startDay = localDateKey(facts.createdAt, timeZone);
  add(startDay, field.started, field.outcome(facts.outcome));
  if (facts.escalation) add(startDay, field.handedOver(facts.outcome));

  const answered = new Set(facts.answers.filter((a) => !a.missing).map((a) => a.stepId));
  const reached = [...new Set([...facts.asked, ...facts.answers.map((a) => a.stepId)])];
  for (const step of reached) add(startDay, field.reached(step));
  for (const a of facts.answers) add(startDay, a.missing ? field.skipped(a.stepId) : field.answered(a.stepId));
  const last = facts.asked.at(-1);
  if (facts.outcome !== 'completed' && last) add(startDay, field.stopped(facts.outcome, last));
  if (facts.completedAt && facts.outcome === 'completed') {
    add(startDay, field.completeSeconds(Math.max(0, Math.round((facts.completedAt.getTime() - facts.createdAt.getTime()) / 1000))));
  }
  if (facts.segment) add(startDay, field.segment(facts.segment));
  if (facts.group === 'detractor') {
    add(startDay, field.followUpDetractor);
    const answeredAt = facts.answers.find((a) => a.stepId === facts.npsStep)?.at ?? facts.createdAt;
    if (facts.contactedAt && facts.contactedAt.getTime() - answeredAt.getTime() <= CONTACT_WINDOW_MS) add(startDay, field.followUpContacted48h);
  }

  const npsAnswer = facts.group ? facts.answers.find((a) => a.stepId === facts.npsStep && !a.missing) : undefined;
  if (npsAnswer && facts.group) add(localDateKey(npsAnswer.at, timeZone), ...driverFields(facts, facts.group));

  // Products and factors count once per session, on the day the answer that first named them was
  // given; each product is filed with the session's purchase window and segment (who wants what, when).
  const interest = sessionInterest(facts.answers, timeZone);
  const bucket = interest.window?.bucket;
  for (const p of interest.products) add(localDateKey(p.at, timeZone), field.interest(p.id, bucket, facts.segment));
  for (const f of interest.factors) add(localDateKey(f.at, timeZone), field.factor(f.id, facts.segment));
  if (interest.openInterest) add(localDateKey(interest.openInterest.at, timeZone), field.openInterest(facts.segment));
  // Timing once per respondent: the session's purchase window, not every answer that named a time.
  if (interest.window) add(localDateKey(interest.window.at, timeZone), field.timing(interest.window.bucket));

  const group = facts.group ?? 'none';
  const quotes: Contribution['quotes'] = [];
  for (const a of facts.answers) {
    if (a.missing || !answered.has(a.stepId)) continue;
    const day = localDateKey(a.at, timeZone);
    add(day, ...answerFields(a, group));
    if (isNpsReason(a) && a.raw.trim()) {
      quotes.push({
        score: a.at.getTime(),
        month: monthOf(day),
        member: `${facts.sessionId}|${a.stepId}`,
        text: JSON.stringify({ t: a.raw.trim().slice(0, QUOTE_CHARS), tp: a.topics, se: a.sentiment?.label ?? null }),
        lists: [`${group}:*`, ...a.topics.map((t) => `${group}:${clean(t)}`)],
      });
    }
  }
  return { cell: cellOf(facts), lines: toLines(lines), quotes };
}

/** What a respondent says that may drive their score: topics of their reasons, CSAT steps rated low. */
function driverFields(facts: ResponseFacts, group: string): string[] {
  const topics = new Set(facts.answers.filter((a) => a.reason && !a.missing).flatMap((a) => a.topics.map(clean)));
  const low = facts.answers.filter((a) => a.kind === 'csat' && !a.missing && typeof a.value === 'number' && a.value <= LOW_CSAT);
  return [...[...topics].map((t) => field.driverTopic(group, t)), ...low.map((a) => field.driverLowCsat(group, a.stepId))];
}

function answerFields(a: ResponseFacts['answers'][number], group: string): string[] {
  const out: string[] = [];
  const v = a.value;
  if (a.kind === 'nps' && typeof v === 'number') out.push(field.nps(a.stepId, v));
  if ((a.kind === 'csat' || a.kind === 'rating') && typeof v === 'number') out.push(field.scale(a.stepId, v));
  if (a.kind === 'repurchase' && typeof v === 'number') out.push(field.intent(a.stepId, v));
  if (a.kind === 'choice') for (const option of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) out.push(field.choice(a.stepId, option));
  if (isNpsReason(a)) {
    if (a.sentiment) out.push(field.sentiment(group, a.sentiment.label));
    for (const t of a.topics) out.push(field.topic(group, t));
  }
  return out;
}

/** A reason counted by NPS group: an answer to a reason step that does not follow up another question. */
export function isNpsReason(a: Pick<ResponseFacts['answers'][number], 'reason' | 'followsUp'>): boolean {
  return a.reason && !a.followsUp;
}

/** What an escalation adds, on the day it was opened (under its session's cell). */
export function escalationContribution(facts: EscalationFacts, timeZone: string): Contribution {
  const fields = [field.escalation(facts.trigger)];
  if (facts.resolved) fields.push(field.escalationResolved);
  if (facts.firstReplySeconds !== undefined) fields.push(field.firstReplySeconds(Math.max(0, Math.round(facts.firstReplySeconds))));
  return { lines: [{ day: localDateKey(facts.createdAt, timeZone), fields }], quotes: [] };
}

function toLines(map: Map<string, string[]>): RollupLine[] {
  return [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, fields]) => ({ day, fields }));
}
