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
  answers: Record<string, { kind: string; value: unknown; raw: string; missing?: boolean; at: string; extracted?: { sentiment?: { label: string; confidence: number }; topics?: string[]; timing?: { bucket: string } | null; products?: string[] } }>;
  /** Question steps the bot put to the customer, in order (the session's own record of it). */
  askedSteps: string[];
  createdAt: string;
  completedAt?: string | null;
}

export interface HandFilter {
  from?: string;
  to?: string;
  store?: string;
  campaign?: string;
  segment?: string;
}

const REASON_STEPS = ['reason_promoter', 'reason_passive', 'reason_detractor', 'change_mind'];
const CSAT_STEPS = ['csat_booking', 'csat_advisor', 'csat_result'];

/** The day in Asia/Shanghai (UTC+8, no DST). */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
}

function inRange(day: string, f: HandFilter): boolean {
  return (!f.from || day >= f.from) && (!f.to || day <= f.to);
}

function usable(a: HandSession['answers'][string] | undefined): boolean {
  return !!a && !a.missing && a.value !== null && a.value !== undefined;
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
  const products: Record<string, number> = {};
  const reasons: Record<string, { n: number; negative: number; topics: Record<string, number> }> = {};
  const funnel: Record<string, { reached: number; answered: number }> = {};
  const outcomes: Record<string, number> = {};
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
      if (a.extracted?.timing?.bucket) timing[a.extracted.timing.bucket] = (timing[a.extracted.timing.bucket] ?? 0) + 1;
      for (const p of a.extracted?.products ?? []) products[p] = (products[p] ?? 0) + 1;
      if (REASON_STEPS.includes(stepId) && a.extracted?.sentiment) {
        const r = (reasons[group] ??= { n: 0, negative: 0, topics: {} });
        r.n++;
        if (a.extracted.sentiment.label === 'negative') r.negative++;
        for (const t of a.extracted.topics ?? []) r.topics[t] = (r.topics[t] ?? 0) + 1;
      }
    }
    if (!inRange(shanghaiDay(s.createdAt), f)) continue;
    started++;
    const outcome = s.status === 'active' || s.status === 'paused' ? 'in_progress' : s.status;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    const asked = new Set(s.askedSteps);
    for (const stepId of new Set([...asked, ...Object.keys(s.answers)])) {
      const row = (funnel[stepId] ??= { reached: 0, answered: 0 });
      row.reached++;
      if (usable(s.answers[stepId])) row.answered++;
    }
    if (s.status === 'completed' && s.completedAt) durations.push(Math.round((Date.parse(s.completedAt) - Date.parse(s.createdAt)) / 1000));
    const seg = handSegment(s);
    if (seg) segments[seg]!++;
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
    repurchase: { n: intents.length, likelyShare: intents.length ? (100 * intents.filter((x) => x >= 4).length) / intents.length : null, timing, products },
    reasons,
    funnel,
    sessions: { started, outcomes, medianSecondsToComplete: median },
    segments,
  };
}
