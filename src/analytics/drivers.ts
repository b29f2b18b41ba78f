import type { CatalogStep } from '../sessionFacts/stepCatalog.ts';
import type { Group } from '../sessionFacts/types.ts';
import { npsOf } from './metrics.ts';
import type { Tally } from './tally.ts';
const Z95 = 1.96;

/** Promoters, passives and detractors of a set of respondents. */
export type GroupCounts = Record<Group, number>;

export interface Driver {
  kind: 'topic' | 'csat';
  /** The topic, or the CSAT step id. */
  id: string;
  /** The topic, or the touchpoint. */
  label: string;
  /** Respondents (with an NPS answer) who mention the topic / rate the touchpoint low. */
  n: number;
  npsWith: number | null;
  npsWithout: number | null;
  /** npsWith − npsWithout, NPS points, with its 95% interval. */
  impact: number | null;
  low: number | null;
  high: number | null;
  /** Detractors among them. */
  detractors: number;
  /** NPS points the whole would gain if those detractors were passives: 100·detractors / responses. */
  potentialGain: number | null;
  /** Both sides have at least the minimum of answers; otherwise the numbers are null ("too few answers"). */
  enough: boolean;
}

/**
 * The difference of two independent NPS with its 95% interval: each NPS's variance is
 * (p + d − (p − d)²)/n, the difference's the sum of both.
 *
 * @example
 * npsDifference({ promoter: 60, passive: 20, detractor: 20 }, { promoter: 40, passive: 30, detractor: 30 })
 * // { difference: 30, low: …, high: …, significant: true }
 */
export function npsDifference(a: GroupCounts, b: GroupCounts): { difference: number; low: number; high: number; significant: boolean } | null {
  const sa = sideOf(a);
  const sb = sideOf(b);
  if (!sa || !sb) return null;
  const difference = sa.score - sb.score;
  const margin = 100 * Z95 * Math.sqrt(sa.variance / sa.n + sb.variance / sb.n);
  return { difference, low: difference - margin, high: difference + margin, significant: difference - margin > 0 || difference + margin < 0 };
}

function sideOf(c: GroupCounts): { n: number; score: number; variance: number } | null {
  const n = c.promoter + c.passive + c.detractor;
  if (n === 0) return null;
  const p = c.promoter / n;
  const d = c.detractor / n;
  return { n, score: 100 * (p - d), variance: Math.max(0, p + d - (p - d) ** 2) };
}

/** Group counts from a 0–10 histogram. */
export function groupsOf(hist: readonly number[]): GroupCounts {
  const r = npsOf(hist);
  return { promoter: r.promoters, passive: r.passives, detractor: r.detractors };
}

/**
 * Key drivers of NPS from the rollups: for each topic named in a reason and each CSAT touchpoint
 * rated low, the NPS of the respondents concerned against everyone else's, the difference with its
 * 95% interval, the detractors it accounts for and what turning them into passives would add.
 * Ranked by that gain, then by the impact (most negative first); "too few answers" (enough: false,
 * numbers null) when either side has fewer than `minResponses`, listed last.
 */
export function keyDrivers(tally: Tally, catalog: readonly CatalogStep[], npsHist: readonly number[], minResponses: number): Driver[] {
  const all = groupsOf(npsHist);
  const total = all.promoter + all.passive + all.detractor;
  const touchpoints = new Map(catalog.filter((s) => s.kind === 'csat').map((s) => [s.stepId, s.label]));
  const rows: Driver[] = [];
  for (const [kind, counts] of [['topic', tally.drivers.topic], ['csat', tally.drivers.csat]] as const) {
    for (const [id, with_] of counts) {
      if (kind === 'csat' && !touchpoints.has(id)) continue;
      rows.push(driverRow(kind, id, kind === 'csat' ? touchpoints.get(id)! : id, with_, all, total, minResponses));
    }
  }
  return rows.sort(
    (a, b) => Number(b.enough) - Number(a.enough) || (b.potentialGain ?? 0) - (a.potentialGain ?? 0) || (a.impact ?? 0) - (b.impact ?? 0) || b.n - a.n || a.id.localeCompare(b.id),
  );
}

function driverRow(kind: Driver['kind'], id: string, label: string, with_: GroupCounts, all: GroupCounts, total: number, minResponses: number): Driver {
  const without: GroupCounts = { promoter: all.promoter - with_.promoter, passive: all.passive - with_.passive, detractor: all.detractor - with_.detractor };
  const n = with_.promoter + with_.passive + with_.detractor;
  const nWithout = total - n;
  const enough = n >= minResponses && nWithout >= minResponses;
  const diff = enough ? npsDifference(with_, without) : null;
  return {
    kind,
    id,
    label,
    n,
    npsWith: enough ? sideOf(with_)!.score : null,
    npsWithout: enough ? sideOf(without)!.score : null,
    impact: diff?.difference ?? null,
    low: diff?.low ?? null,
    high: diff?.high ?? null,
    detractors: with_.detractor,
    potentialGain: enough && total > 0 ? (100 * with_.detractor) / total : null,
    enough,
  };
}
