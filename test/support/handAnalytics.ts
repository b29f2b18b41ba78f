/**
 * Analytics computed the slow, obvious way from whole sessions (as GET /api/sessions/:id returns
 * them), independently of src/analytics: the reference the rollups must equal. Deliberately
 * written as plain loops with its own reading of the rules, not by calling the code under test.
 */
export interface HandSession {
  id: string;
  flowId: string;
  flowVersion: number;
  status: string;
  campaign?: string | null;
  customerFields: Record<string, string>;
  answers: Record<string, { kind: string; value: unknown; raw: string; missing?: boolean; at: string; extracted?: HandReading }>;
  /** The analyser's whole reading of each answer (a step's `extract` keeps only part of it with the answer). */
  analysis?: Record<string, HandReading>;
  /** Question steps the bot put to the customer, in order (the session's own record of it). */
  askedSteps: string[];
  /** Present when the session was ever handed to a person. */
  escalation?: { trigger: string; at: string } | null;
  createdAt: string;
  completedAt?: string | null;
}

export interface HandReading {
  sentiment?: { label: string; confidence: number } | null;
  topics?: string[];
  timing?: { bucket: string; from?: string | null } | null;
  products?: string[];
  factors?: string[];
  openInterest?: boolean;
}

export interface HandFilter {
  from?: string;
  to?: string;
  store?: string;
  campaign?: string;
  segment?: string;
}

const REASON_STEPS = ['reason_promoter', 'reason_passive', 'reason_detractor', 'change_mind'];
/** The reasons for the NPS score: change_mind follows up the intent, csat_*_issue a low CSAT. */
const NPS_REASON_STEPS = ['reason_promoter', 'reason_passive', 'reason_detractor'];
/** Replies that only ask for something; never an answer. */
const REQUESTS = new Set(['转人工', '人工', '不想答', '不想回答', '我要转人工']);
const CSAT_STEPS = ['csat_booking', 'csat_advisor', 'csat_result'];

/** The day in Asia/Shanghai (UTC+8, no DST). */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
}

function inRange(day: string, f: HandFilter): boolean {
  return (!f.from || day >= f.from) && (!f.to || day <= f.to);
}

function usable(a: HandSession['answers'][string] | undefined): boolean {
  return !!a && !a.missing && a.value !== null && a.value !== undefined && !REQUESTS.has(String(a.value).trim());
}

export function handSegment(s: HandSession): string | null {
  if (s.status !== 'completed') return null;
  const nps = s.answers.nps;
  const score = usable(nps) ? (nps!.value as number) : null;
  const intentAnswer = s.answers.intent;
  const intent = usable(intentAnswer) ? (intentAnswer!.value as number) : null;
  const negative = REASON_STEPS.some((id) => {
    const a = s.answers[id];
    return usable(a) && a!.extracted?.sentiment?.label === 'negative' && a!.extracted.sentiment.confidence >= 0.9;
  });
  if ((score !== null && score <= 6) || (intent !== null && intent <= 1) || negative) return 'at_risk';
  if (score !== null && score >= 9 && intent !== null && intent >= 4) return 'loyal';
  if (score !== null && score >= 7 && score <= 8 && intent !== null && intent >= 3) return 'potential';
  return 'other';
}

export function handSummary(all: HandSession[], f: HandFilter) {
  const sessions = all.filter(
    (s) =>
      s.flowId === 'nps-default' &&
      (!f.store || s.customerFields.store === f.store) &&
      (!f.campaign || (s.campaign ?? s.customerFields.campaign) === f.campaign) &&
      (!f.segment || handSegment(s) === f.segment),
  );
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  const csat: Record<string, number[]> = Object.fromEntries(CSAT_STEPS.map((id) => [id, []]));
  const intents: number[] = [];
  const timing: Record<string, number> = {};
  const products: Record<string, { n: number; timing: Record<string, number>; segments: Record<string, number> }> = {};
  const factors: Record<string, { n: number; segments: Record<string, number> }> = {};
  const openInterest = { n: 0, segments: {} as Record<string, number> };
  const reasons: Record<string, { n: number; negative: number; topics: Record<string, number> }> = {};
  const funnel: Record<string, { reached: number; answered: number }> = {};
  const outcomes: Record<string, number> = {};
  const escalatedOutcomes: Record<string, number> = {};
  const durations: number[] = [];
  const segments: Record<string, number> = { loyal: 0, at_risk: 0, potential: 0, other: 0 };
  let started = 0;

  for (const s of sessions) {
    const npsAnswer = s.answers.nps;
    const score = usable(npsAnswer) ? (npsAnswer!.value as number) : null;
    const group = score === null ? 'none' : score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
    for (const [stepId, a] of Object.entries(s.answers)) {
      if (!usable(a) || !inRange(shanghaiDay(a.at), f)) continue;
      if (stepId === 'nps') {
        if (score! >= 9) promoters++;
        else if (score! >= 7) passives++;
        else detractors++;
      }
      if (CSAT_STEPS.includes(stepId)) csat[stepId]!.push(a.value as number);
      if (stepId === 'intent') intents.push(a.value as number);
      if (NPS_REASON_STEPS.includes(stepId) && a.extracted?.sentiment) {
        const r = (reasons[group] ??= { n: 0, negative: 0, topics: {} });
        r.n++;
        if (a.extracted.sentiment.label === 'negative') r.negative++;
        for (const t of a.extracted.topics ?? []) r.topics[t] = (r.topics[t] ?? 0) + 1;
      }
    }
    // Products, factors and "都行": once per session, on the day the first answer naming them was given.
    const interest = handInterest(s);
    const seg = handSegment(s) ?? 'none';
    // Timing once per respondent: the session's window, on the day of the answer it came from.
    if (interest.window && interest.windowDay && inRange(interest.windowDay, f)) timing[interest.window] = (timing[interest.window] ?? 0) + 1;
    for (const [id, day] of interest.products) {
      if (!inRange(day, f)) continue;
      const row = (products[id] ??= { n: 0, timing: {}, segments: {} });
      row.n++;
      const bucket = interest.window ?? 'none';
      row.timing[bucket] = (row.timing[bucket] ?? 0) + 1;
      row.segments[seg] = (row.segments[seg] ?? 0) + 1;
    }
    for (const [id, day] of interest.factors) {
      if (!inRange(day, f)) continue;
      const row = (factors[id] ??= { n: 0, segments: {} });
      row.n++;
      row.segments[seg] = (row.segments[seg] ?? 0) + 1;
    }
    if (interest.openDay && inRange(interest.openDay, f)) {
      openInterest.n++;
      openInterest.segments[seg] = (openInterest.segments[seg] ?? 0) + 1;
    }
    if (!inRange(shanghaiDay(s.createdAt), f)) continue;
    started++;
    const outcome = s.status === 'active' || s.status === 'paused' ? 'in_progress' : s.status;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (s.escalation) escalatedOutcomes[outcome] = (escalatedOutcomes[outcome] ?? 0) + 1;
    const asked = new Set(s.askedSteps);
    for (const stepId of new Set([...asked, ...Object.keys(s.answers)])) {
      const row = (funnel[stepId] ??= { reached: 0, answered: 0 });
      row.reached++;
      if (usable(s.answers[stepId])) row.answered++;
    }
    if (s.status === 'completed' && s.completedAt) durations.push(Math.round((Date.parse(s.completedAt) - Date.parse(s.createdAt)) / 1000));
    if (handSegment(s)) segments[handSegment(s)!]!++;
  }
  const n = promoters + passives + detractors;
  const p = n ? promoters / n : 0;
  const d = n ? detractors / n : 0;
  durations.sort((a, b) => a - b);
  const median = durations.length === 0 ? null : durations.length % 2 ? durations[(durations.length - 1) / 2]! : (durations[durations.length / 2 - 1]! + durations[durations.length / 2]!) / 2;
  return {
    nps: { responses: n, promoters, passives, detractors, score: n ? 100 * (p - d) : null, marginOfError: n ? 196 * Math.sqrt((p + d - (p - d) ** 2) / n) : null },
    csat: CSAT_STEPS.map((stepId) => {
      const v = csat[stepId]!;
      return { stepId, n: v.length, mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : null, top2Box: v.length ? (100 * v.filter((x) => x >= 4).length) / v.length : null };
    }),
    repurchase: { n: intents.length, likelyShare: intents.length ? (100 * intents.filter((x) => x >= 4).length) / intents.length : null, timing, products, factors, openInterest },
    reasons,
    funnel,
    sessions: { started, outcomes, escalated: Object.values(escalatedOutcomes).reduce((a, b) => a + b, 0), escalatedOutcomes, medianSecondsToComplete: median },
    segments,
  };
}

const BUCKET_START: Record<string, number> = { within_1_month: 0, '1_3_months': 30, '3_6_months': 90, '6_12_months': 180, over_12_months: 365 };

/**
 * What a session says about its next purchase, read by hand: each product and factor with the
 * day of the first answer naming it (answers in the order given, the analyser's whole reading of
 * each), the day "都行" was first said, and the purchase window: of the answers with a timing,
 * the one whose window starts first (its date, else the answer's day plus the bucket's start),
 * the first one given when none has a start.
 */
export function handInterest(s: HandSession): { products: Map<string, string>; factors: Map<string, string>; openDay?: string; window?: string; windowStart?: string; windowDay?: string } {
  const given = Object.entries(s.answers)
    .filter(([, a]) => usable(a))
    .sort(([, a], [, b]) => Date.parse(a.at) - Date.parse(b.at));
  const products = new Map<string, string>();
  const factors = new Map<string, string>();
  let openDay: string | undefined;
  let window: string | undefined;
  let windowStart: string | undefined;
  let windowDay: string | undefined;
  for (const [stepId, a] of given) {
    const reading: HandReading = { ...(s.analysis?.[stepId] ?? {}), ...(a.extracted ?? {}) };
    const day = shanghaiDay(a.at);
    for (const p of reading.products ?? []) if (!products.has(p)) products.set(p, day);
    for (const x of reading.factors ?? []) if (!factors.has(x)) factors.set(x, day);
    if (reading.openInterest && !openDay) openDay = day;
    const bucket = reading.timing?.bucket;
    if (!bucket) continue;
    const start = reading.timing?.from ?? (bucket in BUCKET_START ? new Date(Date.parse(`${day}T00:00:00Z`) + BUCKET_START[bucket]! * 86_400_000).toISOString().slice(0, 10) : undefined);
    if (window === undefined || (start !== undefined && (windowStart === undefined || start < windowStart))) {
      window = bucket;
      windowStart = start;
      windowDay = day;
    }
  }
  return { products, factors, ...(openDay ? { openDay } : {}), ...(window ? { window, windowDay } : {}), ...(windowStart ? { windowStart } : {}) };
}

const nonzero = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, n]) => n > 0));

/** The summary's products, factors and "都行" in the hand computation's shape (zeros left out), to compare. */
export function interestShape(repurchase: {
  products: Array<{ id: string; n: number; timing: Record<string, number>; segments: Record<string, number> }>;
  factors: Array<{ id: string; n: number; segments: Record<string, number> }>;
  openInterest: { n: number; segments: Record<string, number> };
}) {
  return {
    products: Object.fromEntries(repurchase.products.map((p) => [p.id, { n: p.n, timing: nonzero(p.timing), segments: nonzero(p.segments) }])),
    factors: Object.fromEntries(repurchase.factors.filter((f) => f.n > 0).map((f) => [f.id, { n: f.n, segments: nonzero(f.segments) }])),
    openInterest: { n: repurchase.openInterest.n, segments: nonzero(repurchase.openInterest.segments) },
  };
}

const ALL_REASON_STEPS = [...REASON_STEPS, 'csat_booking_issue', 'csat_advisor_issue', 'csat_result_issue'];

/** NPS, its variance and n of promoter/passive/detractor counts, by hand. */
function handNps(c: { p: number; a: number; d: number }) {
  const n = c.p + c.a + c.d;
  const p = n ? c.p / n : 0;
  const d = n ? c.d / n : 0;
  return { n, score: 100 * (p - d), variance: p + d - (p - d) ** 2 };
}

/** Difference of two NPS with its 95% interval, by hand. */
export function handDifference(a: { p: number; a: number; d: number }, b: { p: number; a: number; d: number }) {
  const x = handNps(a);
  const y = handNps(b);
  const margin = 196 * Math.sqrt(x.variance / x.n + y.variance / y.n);
  const difference = x.score - y.score;
  return { difference, low: difference - margin, high: difference + margin, significant: difference - margin > 0 || difference + margin < 0 };
}

/** Respondents' NPS groups in the filter (on the NPS answer's day), with what they said. */
function respondents(all: HandSession[], f: HandFilter) {
  return all
    .filter((s) => (!f.store || s.customerFields.store === f.store) && (!f.campaign || (s.campaign ?? s.customerFields.campaign) === f.campaign) && (!f.segment || handSegment(s) === f.segment))
    .filter((s) => usable(s.answers.nps) && inRange(shanghaiDay(s.answers.nps!.at), f))
    .map((s) => {
      const score = s.answers.nps!.value as number;
      const group = score >= 9 ? 'p' : score >= 7 ? 'a' : 'd';
      const topics = new Set<string>();
      for (const id of ALL_REASON_STEPS) {
        const a = s.answers[id];
        if (!usable(a)) continue;
        for (const t of ({ ...(s.analysis?.[id] ?? {}), ...(a!.extracted ?? {}) } as HandReading).topics ?? []) topics.add(t);
      }
      const low = CSAT_STEPS.filter((id) => usable(s.answers[id]) && (s.answers[id]!.value as number) <= 3);
      return { group: group as 'p' | 'a' | 'd', topics, low };
    });
}

/** Key drivers by hand: every topic and touchpoint-rated-low, with vs without, keyed `kind:id`. */
export function handDrivers(all: HandSession[], f: HandFilter, min: number) {
  const people = respondents(all, f);
  const total = { p: 0, a: 0, d: 0 };
  const by = new Map<string, { p: number; a: number; d: number }>();
  for (const r of people) {
    total[r.group]++;
    for (const key of [...[...r.topics].map((t) => `topic:${t}`), ...r.low.map((id) => `csat:${id}`)]) {
      const c = by.get(key) ?? { p: 0, a: 0, d: 0 };
      c[r.group]++;
      by.set(key, c);
    }
  }
  const N = total.p + total.a + total.d;
  const out: Record<string, { n: number; detractors: number; enough: boolean; npsWith?: number; npsWithout?: number; impact?: number; low?: number; high?: number; potentialGain?: number }> = {};
  for (const [key, c] of by) {
    const without = { p: total.p - c.p, a: total.a - c.a, d: total.d - c.d };
    const n = c.p + c.a + c.d;
    const enough = n >= min && N - n >= min;
    const row: (typeof out)[string] = { n, detractors: c.d, enough };
    if (enough) {
      const diff = handDifference(c, without);
      Object.assign(row, { npsWith: handNps(c).score, npsWithout: handNps(without).score, impact: diff.difference, low: diff.low, high: diff.high, potentialGain: (100 * c.d) / N });
    }
    out[key] = row;
  }
  return out;
}

/** Promoter/passive/detractor counts of the filter's NPS answers, by hand (for compare). */
export function handGroups(all: HandSession[], f: HandFilter) {
  const c = { p: 0, a: 0, d: 0 };
  for (const r of respondents(all, f)) c[r.group]++;
  return c;
}
