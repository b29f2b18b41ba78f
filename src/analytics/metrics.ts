/**
 * The statistics, as pure functions over counts. Every function takes plain counts (what the
 * rollups hold) so the same numbers come out whether computed from rollups or by hand.
 */

export interface NpsResult {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Shares in percent (0–100); null with no responses. */
  promoterPct: number | null;
  passivePct: number | null;
  detractorPct: number | null;
  /** NPS points, −100..100; null with no responses. */
  score: number | null;
  /**
   * 95% margin of error in NPS points: 1.96·√(var/n)·100 with the per-response variance
   * var = p + d − (p − d)² (p, d the promoter and detractor fractions).
   */
  marginOfError: number | null;
}

/** NPS from a histogram of 0–10 scores (`hist[score]` = answers with that score). */
export function npsOf(hist: readonly number[]): NpsResult {
  const count = (from: number, to: number) => hist.slice(from, to + 1).reduce((s, n) => s + (n ?? 0), 0);
  const promoters = count(9, 10);
  const passives = count(7, 8);
  const detractors = count(0, 6);
  const n = promoters + passives + detractors;
  if (n === 0) {
    return { responses: 0, promoters, passives, detractors, promoterPct: null, passivePct: null, detractorPct: null, score: null, marginOfError: null };
  }
  const p = promoters / n;
  const d = detractors / n;
  const variance = Math.max(0, p + d - (p - d) ** 2);
  return {
    responses: n,
    promoters,
    passives,
    detractors,
    promoterPct: 100 * p,
    passivePct: (100 * passives) / n,
    detractorPct: 100 * d,
    score: 100 * (p - d),
    marginOfError: 100 * 1.96 * Math.sqrt(variance / n),
  };
}

/**
 * The exact median of values given as a histogram (value → how many); the mean of the two middle
 * values when the count is even; null when empty.
 */
export function medianOf(hist: ReadonlyMap<number, number>): number | null {
  const entries = [...hist.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (rank: number): number => {
    let seen = 0;
    for (const [value, n] of entries) {
      seen += n;
      if (rank < seen) return value;
    }
    return entries.at(-1)![0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

export interface ScaleResult {
  n: number;
  mean: number | null;
  /** Share of answers in the top two values of the scale, in percent. */
  top2Box: number | null;
  /** Every value of the scale with its count (zeros included). */
  distribution: Record<string, number>;
}

/** Count, mean, top-2-box and distribution of answers on the scale min..max. */
export function scaleOf(hist: ReadonlyMap<number, number>, range: { min: number; max: number }): ScaleResult {
  const distribution: Record<string, number> = {};
  let n = 0;
  let sum = 0;
  let top = 0;
  for (let v = range.min; v <= range.max; v++) {
    const count = hist.get(v) ?? 0;
    distribution[String(v)] = count;
    n += count;
    sum += v * count;
    if (v >= range.max - 1) top += count;
  }
  return { n, mean: n ? sum / n : null, top2Box: n ? (100 * top) / n : null, distribution };
}

/** `part` of `whole` in percent; null when `whole` is 0. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? (100 * part) / whole : null;
}
