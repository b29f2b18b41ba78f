import { purchaseFactorSchema, type PurchaseFactor } from '../core/analysis.ts';
import { NONE } from './fields.ts';
import { medianOf, npsOf, percent, scaleOf, type NpsResult, type ScaleResult } from './metrics.ts';
import type { CatalogStep } from '../sessionFacts/stepCatalog.ts';
import type { Counts, Tally } from './tally.ts';
import { npsGroups, outcomes, segments, type GroupOrNone, type Outcome, type Segment } from '../sessionFacts/types.ts';

export type SegmentOrNone = Segment | 'none';

export interface ProductInterest {
  /** Catalogue id. */
  id: string;
  /** Its name in the flow's catalogue (the newest version that lists it), else the id. */
  name: string;
  n: number;
  /** Timing bucket (and `none`) → sessions. */
  timing: Record<string, number>;
  segments: Record<SegmentOrNone, number>;
}

export interface Summary {
  /** Responses below this show as "not enough responses" (ANALYTICS_MIN_RESPONSES). */
  minResponses: number;
  nps: NpsResult & { stepId: string | null; enough: boolean };
  csat: Array<ScaleResult & { stepId: string; label: string; kind: 'csat' | 'rating' }>;
  repurchase: {
    stepId: string | null;
    n: number;
    /** Intent 0–5 → answers */
    distribution: Record<string, number>;
    mean: number | null;
    /** Share with intent ≥ 4, percent. */
    likelyShare: number | null;
    /** Purchase window bucket → sessions (once per respondent: the window the session names). */
    timing: Record<string, number>;
    /**
     * Catalogue items customers are interested in, most sessions first: sessions that named the
     * item in any answer (once per session, on the day first named), by the session's purchase
     * window (timing bucket, `none` when it gave no time) and by segment (`none`: not completed).
     */
    products: ProductInterest[];
    /** Sessions open to anything ("都行 / 都想试试"), by segment. */
    openInterest: { n: number; segments: Record<SegmentOrNone, number> };
    /** Purchase factors: sessions that named each (once per session), most named first. */
    factors: Array<{ id: PurchaseFactor; n: number; segments: Record<SegmentOrNone, number> }>;
  };
  choices: Array<{ stepId: string; label: string; n: number; options: Array<{ id: string; label: string; n: number }> }>;
  /** Reasons by the customer's NPS group: sentiment split and topics (most mentioned first). */
  reasons: Record<GroupOrNone, { n: number; sentiment: Record<string, number>; topics: Array<{ topic: string; n: number }> }>;
  funnel: Array<{ stepId: string; label: string; kind: string; reached: number; answered: number; skipped: number; stopped: Record<Exclude<Outcome, 'completed'>, number> }>;
  /**
   * `outcomes`: where each session stands now (one each, sessionFacts/types.ts). `escalated`:
   * sessions ever handed to a person, whatever happened next; `escalatedOutcomes` splits them by
   * outcome (a handed-over session that completed is in `outcomes.completed` and here).
   */
  sessions: { started: number; outcomes: Record<Outcome, number>; escalated: number; escalatedOutcomes: Record<Outcome, number>; completionRate: number | null; medianSecondsToComplete: number | null };
  escalations: { count: number; byTrigger: Record<string, number>; medianFirstReplySeconds: number | null; replied: number; resolved: number; resolvedShare: number | null };
  segments: Record<Segment, number>;
  /** Detractors (sessions, by start day) an advisor reached through a follow-up task within 48 h of their score. */
  followUp: { detractors: number; contactedWithin48h: number; share: number | null };
}

const TIMING_ORDER = ['within_1_month', '1_3_months', '3_6_months', '6_12_months', 'over_12_months', 'undecided', 'never'];

/**
 * Turns summed rollup counters into the summary. The NPS and repurchase headline use the flow's
 * NPS / repurchase step with the most answers in the filter (flows normally have one of each).
 */
export function summarize(tally: Tally, catalog: readonly CatalogStep[], options: { minResponses: number; products?: ReadonlyArray<{ id: string; name: string }> }): Summary {
  const npsStep = busiest(tally.nps, (h) => h.reduce((s, n) => s + n, 0), catalog, 'nps');
  const nps = npsOf(npsStep ? tally.nps.get(npsStep) ?? [] : []);
  const intentStep = busiest(tally.intent, total, catalog, 'repurchase');
  const intent = scaleOf(intentStep ? tally.intent.get(intentStep) ?? new Map() : new Map(), { min: 0, max: 5 });
  const likely = [4, 5].reduce((s, v) => s + (intentStep ? tally.intent.get(intentStep)?.get(v) ?? 0 : 0), 0);
  const started = tally.started;
  const outcomeCounts = record(outcomes, (o) => tally.outcomes.get(o) ?? 0);
  const escalationCount = total(tally.escalations);
  return {
    minResponses: options.minResponses,
    nps: { ...nps, stepId: npsStep ?? null, enough: nps.responses >= options.minResponses },
    csat: catalog
      .filter((s) => s.kind === 'csat' || (s.kind === 'rating' && s.range?.min === 1 && s.range.max === 5))
      .map((s) => ({ stepId: s.stepId, label: s.label, kind: s.kind as 'csat' | 'rating', ...scaleOf(tally.scale.get(s.stepId) ?? new Map(), { min: 1, max: 5 }) })),
    repurchase: {
      stepId: intentStep ?? null,
      n: intent.n,
      distribution: intent.distribution,
      mean: intent.mean,
      likelyShare: percent(likely, intent.n),
      timing: Object.fromEntries(sortKeys(tally.timing, TIMING_ORDER).map((k) => [k, tally.timing.get(k) ?? 0])),
      products: productInterest(tally, options.products ?? []),
      openInterest: { n: total(tally.openInterest), segments: bySegment(tally.openInterest) },
      factors: purchaseFactorSchema.options
        .map((id) => ({ id, n: total(tally.factors.get(id) ?? new Map()), segments: bySegment(tally.factors.get(id) ?? new Map()) }))
        .sort((a, b) => b.n - a.n || purchaseFactorSchema.options.indexOf(a.id) - purchaseFactorSchema.options.indexOf(b.id)),
    },
    choices: catalog
      .filter((s) => s.kind === 'choice')
      .map((s) => {
        const counts = tally.choice.get(s.stepId) ?? new Map<string, number>();
        return { stepId: s.stepId, label: s.label, n: tally.answered.get(s.stepId) ?? 0, options: (s.options ?? []).map((o) => ({ ...o, n: counts.get(o.id) ?? 0 })) };
      }),
    reasons: record([...npsGroups, 'none'] as const, (g) => {
      const sentiment = tally.sentiment.get(g) ?? new Map<string, number>();
      return {
        n: total(sentiment),
        sentiment: { positive: sentiment.get('positive') ?? 0, neutral: sentiment.get('neutral') ?? 0, negative: sentiment.get('negative') ?? 0 },
        topics: ranked(tally.topics.get(g) ?? new Map()).map(([topic, n]) => ({ topic, n })),
      };
    }),
    funnel: funnelSteps(tally, catalog).map((s) => ({
      stepId: s.stepId,
      label: s.label,
      kind: s.kind,
      reached: tally.reached.get(s.stepId) ?? 0,
      answered: tally.answered.get(s.stepId) ?? 0,
      skipped: tally.skipped.get(s.stepId) ?? 0,
      stopped: record(['opted_out', 'escalated', 'expired', 'in_progress'] as const, (o) => tally.stopped.get(s.stepId)?.get(o) ?? 0),
    })),
    sessions: {
      started,
      outcomes: outcomeCounts,
      escalated: total(tally.handedOver),
      escalatedOutcomes: record(outcomes, (o) => tally.handedOver.get(o) ?? 0),
      completionRate: percent(outcomeCounts.completed, started),
      medianSecondsToComplete: medianOf(tally.completeSeconds),
    },
    escalations: {
      count: escalationCount,
      byTrigger: Object.fromEntries(ranked(tally.escalations)),
      medianFirstReplySeconds: medianOf(tally.firstReplySeconds),
      replied: total(tally.firstReplySeconds),
      resolved: tally.escalationsResolved,
      resolvedShare: percent(tally.escalationsResolved, escalationCount),
    },
    segments: record(segments, (s) => tally.segments.get(s) ?? 0),
    followUp: { detractors: tally.followUp.detractors, contactedWithin48h: tally.followUp.contacted48h, share: percent(tally.followUp.contacted48h, tally.followUp.detractors) },
  };
}

const SEGMENT_KEYS = [...segments, 'none'] as const;

/** Counts keyed by segment (`-` for none) as a record over every segment and `none`. */
function bySegment(counts: Counts): Record<SegmentOrNone, number> {
  return record(SEGMENT_KEYS, (s) => counts.get(s === 'none' ? NONE : s) ?? 0);
}

/** `i:` counters (`<bucket>:<segment>` per product) as products, most sessions first. */
function productInterest(tally: Tally, names: ReadonlyArray<{ id: string; name: string }>): ProductInterest[] {
  const nameOf = new Map(names.map((p) => [p.id, p.name]));
  const rows: ProductInterest[] = [];
  for (const [id, cells] of tally.interest) {
    const timing: Record<string, number> = Object.fromEntries([...TIMING_ORDER, 'none'].map((k) => [k, 0]));
    const segs = new Map<string, number>();
    let n = 0;
    for (const [key, count] of cells) {
      const [bucket = NONE, segment = NONE] = key.split(':');
      const b = bucket === NONE ? 'none' : bucket;
      timing[b] = (timing[b] ?? 0) + count;
      segs.set(segment, (segs.get(segment) ?? 0) + count);
      n += count;
    }
    if (n > 0) rows.push({ id, name: nameOf.get(id) ?? id, n, timing, segments: bySegment(segs) });
  }
  return rows.sort((a, b) => b.n - a.n || a.id.localeCompare(b.id));
}

function total(counts: ReadonlyMap<unknown, number>): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/** The step of `kind` with the most answers; the catalog's first one of that kind when none has any. */
function busiest<V>(byStep: ReadonlyMap<string, V>, size: (v: V) => number, catalog: readonly CatalogStep[], kind: string): string | undefined {
  let best: string | undefined;
  let bestN = 0;
  for (const [step, v] of [...byStep.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const n = size(v);
    if (n > bestN) [best, bestN] = [step, n];
  }
  return best ?? catalog.find((s) => s.kind === kind)?.stepId;
}

/** Catalog steps, then any step that has counts but is in no stored version any more. */
function funnelSteps(tally: Tally, catalog: readonly CatalogStep[]): CatalogStep[] {
  const known = new Set(catalog.map((s) => s.stepId));
  const extra = [...tally.reached.keys()].filter((id) => !known.has(id)).sort();
  return [...catalog, ...extra.map((stepId) => ({ stepId, kind: 'text' as const, label: stepId }))];
}

/** Entries by count (desc), then name, so ties list the same way every time. */
function ranked(counts: Counts): Array<[string, number]> {
  return [...counts.entries()].filter(([, n]) => n > 0).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

function sortKeys(counts: Counts, order: readonly string[]): string[] {
  const keys = new Set([...order, ...counts.keys()]);
  return [...keys].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

function record<K extends string, V>(keys: readonly K[], value: (k: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, V>;
}
