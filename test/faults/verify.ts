import type { CustomerRun } from './customers.ts';
import { replyKey, type ExpectedReply } from './oracle.ts';
import type { SessionStatus } from './personas.ts';
import type { SimMessage } from './simClient.ts';

/**
 * Compares what happened to one customer with what their script implies, and counts the
 * differences in four buckets:
 * - lost: an expected reply that never came, an answer or opt-out not stored, a message missing
 *   from the transcript, an escalation not recorded, not handed over or not notified;
 * - duplicated: the same reply, transcript entry, session, escalation or notification twice;
 * - misordered: an expected reply that came in the wrong order or after the wrong message;
 * - wrong: something the flow does not imply (another reply, another stored value or status).
 */

export type Bucket = 'lost' | 'duplicated' | 'misordered' | 'wrong';

export interface Tally {
  lost: number;
  duplicated: number;
  misordered: number;
  wrong: number;
  /** e.g. `lost reply` → 3, for the notes column. */
  kinds: Record<string, number>;
  /** One line per difference, naming the customer. */
  problems: string[];
}

export function emptyTally(): Tally {
  return { lost: 0, duplicated: 0, misordered: 0, wrong: 0, kinds: {}, problems: [] };
}

export function addTally(into: Tally, from: Tally): void {
  into.lost += from.lost;
  into.duplicated += from.duplicated;
  into.misordered += from.misordered;
  into.wrong += from.wrong;
  for (const [k, v] of Object.entries(from.kinds)) into.kinds[k] = (into.kinds[k] ?? 0) + v;
  into.problems.push(...from.problems);
}

/** A session as stored (the fields the suite reads). */
export interface StoredSession {
  _id: unknown;
  status: string;
  answers: Record<string, { value?: unknown } | undefined>;
  transcript: Array<{ direction: string; author: string; messageId?: string; text: string }>;
}

/** An escalation as stored (the fields the suite reads). */
export interface StoredEscalation {
  _id: unknown;
  trigger: string;
  handover: string;
  status: string;
  notifiedRounds: number;
}

export interface Observed {
  /** The simulator's transcript of this customer (both directions, events included). */
  transcript: SimMessage[];
  /** WeCom session state in the simulator: 2 queued, 3 with a person. */
  wecomState: number;
  sessions: StoredSession[];
  escalations: StoredEscalation[];
  /** All robot notification texts of the run. */
  robotTexts: string[];
  /** The customer record (opt-out lives there), if any. */
  customer?: { optedOut?: boolean };
}

/** Checks one customer; every difference lands in the returned tally. */
export function verifyCustomer(run: CustomerRun, seen: Observed): Tally {
  const tally = emptyTally();
  const who = run.plan.id;
  const count = (bucket: Bucket, kind: string, n: number, detail: string) => {
    if (n <= 0) return;
    tally[bucket] += n;
    tally.kinds[`${bucket} ${kind}`] = (tally.kinds[`${bucket} ${kind}`] ?? 0) + n;
    tally.problems.push(`${who}: ${bucket} ${kind}${n > 1 ? ` ×${n}` : ''}: ${detail}`);
  };
  checkReplies(run, seen.transcript, count);
  checkStored(run, seen.sessions, count);
  checkEscalation(run, seen, count);
  checkOptOut(run, seen.customer, count);
  return tally;
}

type Count = (bucket: Bucket, kind: string, n: number, detail: string) => void;

/** Expected replies vs. what the bot sent, attributed to the customer message they followed. */
function checkReplies(run: CustomerRun, transcript: SimMessage[], count: Count): void {
  const steps = run.plan.persona.steps;
  const expected: Array<{ reply: ExpectedReply; after: number }> = run.sent.flatMap((s) => steps[s.index]!.replies.map((reply) => ({ reply, after: s.index })));
  // The customer's own actions, in order, map onto the steps they did.
  const actual: Array<{ key: string; after: number }> = [];
  let done = -1;
  for (const m of transcript) {
    if (m.direction === 'in') {
      const event = (m.body as { event_type?: string } | undefined)?.event_type;
      if (m.origin === 3 || event === 'enter_session') done += 1;
      continue;
    }
    actual.push({ key: replyKey(m), after: run.sent[done]?.index ?? -1 });
  }
  // Pair the n-th expected occurrence of a reply with its n-th actual occurrence.
  const seenCount = new Map<string, number>();
  const actualByKey = new Map<string, Array<{ position: number; after: number }>>();
  actual.forEach((a, position) => actualByKey.set(a.key, [...(actualByKey.get(a.key) ?? []), { position, after: a.after }]));
  const pairs: Array<{ expectedAfter: number; actualAfter: number; position: number; label: string }> = [];
  const expectedKeys = new Set(expected.map((e) => e.reply.key));
  for (const e of expected) {
    const n = seenCount.get(e.reply.key) ?? 0;
    seenCount.set(e.reply.key, n + 1);
    const match = actualByKey.get(e.reply.key)?.[n];
    if (!match) count('lost', 'reply', 1, `step ${e.after + 1} never got "${e.reply.label}"`);
    else pairs.push({ expectedAfter: e.after, actualAfter: match.after, position: match.position, label: e.reply.label });
  }
  for (const [key, list] of actualByKey) {
    const extra = list.length - (seenCount.get(key) ?? 0);
    if (extra <= 0) continue;
    if (expectedKeys.has(key)) count('duplicated', 'reply', extra, `got ${short(key)} ${extra} more time(s) than the flow implies`);
    else count('wrong', 'reply', extra, `got ${short(key)}, which the flow does not imply here`);
  }
  // In order: matched replies must follow the right message and keep the expected sequence.
  const inSequence = longestIncreasing(pairs.map((p) => p.position));
  pairs.forEach((p, i) => {
    if (p.actualAfter !== p.expectedAfter) count('misordered', 'reply', 1, `"${p.label}" answered step ${p.actualAfter + 1} instead of step ${p.expectedAfter + 1}`);
    else if (!inSequence.has(i)) count('misordered', 'reply', 1, `"${p.label}" came out of order`);
  });
}

/** One session; each answer stored with its value; each message in the transcript once; the status. */
function checkStored(run: CustomerRun, sessions: StoredSession[], count: Count): void {
  const steps = run.plan.persona.steps;
  if (run.sent.length === 0) return;
  if (sessions.length === 0) {
    count('lost', 'session', 1, 'no survey session stored');
  } else if (sessions.length > 1) {
    count('duplicated', 'session', sessions.length - 1, `${sessions.length} sessions for one survey`);
  }
  const answers: Record<string, { value?: unknown } | undefined> = Object.assign({}, ...sessions.map((s) => s.answers ?? {}));
  const wanted = new Map<string, unknown>();
  for (const s of run.sent) {
    const answer = steps[s.index]!.answer;
    if (answer) wanted.set(answer.step, answer.value);
  }
  for (const [step, value] of wanted) {
    const stored = answers[step];
    if (stored === undefined) count('lost', 'answer', 1, `answer to ${step} (${JSON.stringify(value)}) not stored`);
    else if (stored.value !== value) count('wrong', 'answer', 1, `answer to ${step} stored as ${JSON.stringify(stored.value)}, said ${JSON.stringify(value)}`);
  }
  for (const step of Object.keys(answers)) {
    if (!wanted.has(step)) count('wrong', 'answer', 1, `an answer to ${step} was stored, which the customer never gave`);
  }
  const inbound = sessions.flatMap((s) => s.transcript ?? []).filter((t) => t.direction === 'in' && t.author === 'customer');
  for (const s of run.sent) {
    if (!s.msgid || steps[s.index]!.recorded === false) continue;
    const times = inbound.filter((t) => t.messageId === s.msgid).length;
    if (times === 0) count('lost', 'transcript entry', 1, `step ${s.index + 1} ("${sayOf(run, s.index)}") is missing from the transcript`);
    if (times > 1) count('duplicated', 'transcript entry', times - 1, `step ${s.index + 1} ("${sayOf(run, s.index)}") is in the transcript ${times} times`);
  }
  // The status only means something when the customer got to the end of their script.
  if (!run.gaveUp && sessions.length > 0) {
    const want = steps.slice(0, run.plan.take).reduce<SessionStatus | undefined>((status, step) => step.status ?? status, undefined);
    const newest = sessions.at(-1)!;
    if (want && newest.status !== want) count('wrong', 'status', 1, `session is ${newest.status}, the script ends ${want}`);
  }
}

/** Recorded once, handed over (WeCom queue or a person) and notified to advisors once. */
function checkEscalation(run: CustomerRun, seen: Observed, count: Count): void {
  const steps = run.plan.persona.steps;
  const marks = run.sent.map((s) => steps[s.index]!.escalation).filter(Boolean);
  const want = marks.includes('handedOver') ? 'handedOver' : marks.includes('opened') ? 'opened' : undefined;
  const found = seen.escalations;
  if (!want) {
    if (found.length) count('wrong', 'escalation', found.length, `escalated (${found.map((e) => e.trigger).join(', ')}) though the script does not imply it`);
    return;
  }
  if (found.length === 0) {
    count('lost', 'escalation', 1, 'no escalation recorded');
    return;
  }
  if (found.length > 1) count('duplicated', 'escalation', found.length - 1, `${found.length} escalations recorded`);
  if (want !== 'handedOver') return;
  const escalation = found[0]!;
  if (!['queue', 'person'].includes(escalation.handover) || ![2, 3].includes(seen.wecomState)) {
    count('lost', 'hand-over', 1, `escalation handover "${escalation.handover}", WeCom state ${seen.wecomState} (want queue/person, 2/3)`);
  }
  const id = String(escalation._id);
  const mentions = seen.robotTexts.reduce((n, text) => n + text.split(`/escalations/${id}`).length - 1, 0);
  if (mentions === 0) count('lost', 'notification', 1, `escalation ${id} never reached the advisors' robot (notifiedRounds ${escalation.notifiedRounds})`);
  if (mentions > 1) count('duplicated', 'notification', mentions - 1, `escalation ${id} notified ${mentions} times`);
}

/** An opt-out is kept on the customer (it stops every future survey), and only then. */
function checkOptOut(run: CustomerRun, customer: Observed['customer'], count: Count): void {
  const saidIt = run.sent.some((s) => run.plan.persona.steps[s.index]!.status === 'opted_out');
  const kept = customer?.optedOut === true;
  if (saidIt && !kept) count('lost', 'opt-out', 1, 'the customer opted out, but their customer record does not say so');
  if (!saidIt && kept) count('wrong', 'opt-out', 1, 'the customer record says opted out, which the customer never asked for');
}

function sayOf(run: CustomerRun, index: number): string {
  const act = run.plan.persona.steps[index]!.act;
  return 'say' in act ? act.say : 'enter' in act ? `enter ${act.enter}` : `button ${act.click.source}`;
}

function short(key: string): string {
  const text = key.replace(/\n/g, ' ');
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** Indexes (into `values`) of one longest strictly increasing subsequence. */
function longestIncreasing(values: number[]): Set<number> {
  const length: number[] = [];
  const previous: number[] = [];
  values.forEach((v, i) => {
    length[i] = 1;
    previous[i] = -1;
    for (let j = 0; j < i; j++) {
      if (values[j]! < v && length[j]! + 1 > length[i]!) {
        length[i] = length[j]! + 1;
        previous[i] = j;
      }
    }
  });
  let end = -1;
  values.forEach((_, i) => {
    if (end === -1 || length[i]! > length[end]!) end = i;
  });
  const picked = new Set<number>();
  for (let i = end; i !== -1; i = previous[i]!) picked.add(i);
  return picked;
}
