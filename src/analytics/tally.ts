import type { Group, GroupOrNone, Outcome, Segment } from '../sessionFacts/types.ts';

/** Counts keyed by a string, e.g. topic → mentions. */
export type Counts = Map<string, number>;

/**
 * The rollup counters of a filter, summed and parsed by field (see fields.ts for the names).
 * Steps are keyed by step id; scores by their number.
 */
export interface Tally {
  started: number;
  outcomes: Counts;
  /** Sessions ever handed to a person, by outcome now. */
  handedOver: Counts;
  reached: Counts;
  answered: Counts;
  skipped: Counts;
  /** step → outcome → sessions that stopped there */
  stopped: Map<string, Counts>;
  completeSeconds: Map<number, number>;
  segments: Counts;
  nps: Map<string, number[]>;
  scale: Map<string, Map<number, number>>;
  intent: Map<string, Map<number, number>>;
  choice: Map<string, Counts>;
  timing: Counts;
  /** product → `<bucket>:<segment>` → sessions (fields.ts `i:`; `-` for none) */
  interest: Map<string, Counts>;
  /** segment (`-` for none) → sessions open to anything */
  openInterest: Counts;
  /** factor → segment (`-` for none) → sessions */
  factors: Map<string, Counts>;
  sentiment: Map<GroupOrNone, Counts>;
  topics: Map<GroupOrNone, Counts>;
  escalations: Counts;
  escalationsResolved: number;
  firstReplySeconds: Map<number, number>;
  /** Detractor sessions, and those contacted through a follow-up task within 48 h. */
  followUp: { detractors: number; contacted48h: number };
  /** Key drivers: respondents by NPS group per topic named in a reason, and per CSAT step rated low. */
  drivers: { topic: Map<string, Record<Group, number>>; csat: Map<string, Record<Group, number>> };
}

export function emptyTally(): Tally {
  return {
    started: 0,
    outcomes: new Map(),
    handedOver: new Map(),
    reached: new Map(),
    answered: new Map(),
    skipped: new Map(),
    stopped: new Map(),
    completeSeconds: new Map(),
    segments: new Map(),
    nps: new Map(),
    scale: new Map(),
    intent: new Map(),
    choice: new Map(),
    timing: new Map(),
    interest: new Map(),
    openInterest: new Map(),
    factors: new Map(),
    sentiment: new Map(),
    topics: new Map(),
    escalations: new Map(),
    escalationsResolved: 0,
    firstReplySeconds: new Map(),
    followUp: { detractors: 0, contacted48h: 0 },
    drivers: { topic: new Map(), csat: new Map() },
  };
}

function bump<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}
function inner<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/**
 * Adds one rollup hash (field → count) into `tally`. Unknown fields are ignored (among them `d:`,
 * products per answer as counted before products became once per session; a rebuild drops them).
 */
export function addCounts(tally: Tally, counts: Iterable<[string, number]>): Tally {
  for (const [name, n] of counts) {
    if (!n) continue;
    const [kind, a = '', b = ''] = splitField(name);
    switch (kind) {
      case 's': tally.started += n; break;
      case 'o': bump(tally.outcomes, a, n); break;
      case 'H': bump(tally.handedOver, a, n); break;
      case 'r': bump(tally.reached, a, n); break;
      case 'a': bump(tally.answered, a, n); break;
      case 'k': bump(tally.skipped, a, n); break;
      case 'x': bump(inner(tally.stopped, b, () => new Map()), a as Outcome, n); break;
      case 't': bump(tally.completeSeconds, Number(a), n); break;
      case 'g': bump(tally.segments, a as Segment, n); break;
      case 'n': {
        const hist = inner(tally.nps, a, () => new Array<number>(11).fill(0));
        const score = Number(b);
        if (Number.isInteger(score) && score >= 0 && score <= 10) hist[score] = (hist[score] ?? 0) + n;
        break;
      }
      case 'c': bump(inner(tally.scale, a, () => new Map()), Number(b), n); break;
      case 'p': bump(inner(tally.intent, a, () => new Map()), Number(b), n); break;
      case 'h': bump(inner(tally.choice, a, () => new Map()), b, n); break;
      case 'w': bump(tally.timing, a, n); break;
      case 'i': bump(inner(tally.interest, a, () => new Map()), b, n); break;
      case 'I': bump(tally.openInterest, a, n); break;
      case 'f': bump(inner(tally.factors, a, () => new Map()), b, n); break;
      case 'e': bump(inner(tally.sentiment, a as GroupOrNone, () => new Map()), b, n); break;
      case 'm': bump(inner(tally.topics, a as GroupOrNone, () => new Map()), b, n); break;
      case 'E': bump(tally.escalations, a, n); break;
      case 'ER': tally.escalationsResolved += n; break;
      case 'EF': bump(tally.firstReplySeconds, Number(a), n); break;
      case 'Dt':
      case 'Dc': {
        const byGroup = inner(kind === 'Dt' ? tally.drivers.topic : tally.drivers.csat, b, () => ({ promoter: 0, passive: 0, detractor: 0 }));
        if (a === 'promoter' || a === 'passive' || a === 'detractor') byGroup[a] += n;
        break;
      }
      case 'F':
        if (a === 'd') tally.followUp.detractors += n;
        else if (a === 'c48') tally.followUp.contacted48h += n;
        break;
      default: break;
    }
  }
  return tally;
}

/** `kind:a:b`, where the last part may itself hold no colon (fields.ts cleans free text). */
function splitField(name: string): [string, string?, string?] {
  const first = name.indexOf(':');
  if (first < 0) return [name];
  const second = name.indexOf(':', first + 1);
  if (second < 0) return [name.slice(0, first), name.slice(first + 1)];
  return [name.slice(0, first), name.slice(first + 1, second), name.slice(second + 1)];
}
