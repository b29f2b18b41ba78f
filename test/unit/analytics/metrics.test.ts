import { describe, expect, it } from 'vitest';
import { medianOf, npsOf, percent, scaleOf } from '../../../src/analytics/metrics.ts';

/** A 0–10 histogram from a list of scores. */
const hist = (...scores: number[]) => {
  const h = new Array<number>(11).fill(0);
  for (const s of scores) h[s]!++;
  return h;
};
const counts = (entries: Array<[number, number]>) => new Map(entries);

// [case, scores, responses, promoters, passives, detractors, score, margin]
const npsCases: Array<[string, number[], number, number, number, number, number | null, number | null]> = [
  ['no responses', [], 0, 0, 0, 0, null, null],
  ['one promoter', [10], 1, 1, 0, 0, 100, 0],
  ['one detractor', [0], 1, 0, 0, 1, -100, 0],
  ['one passive', [7], 1, 0, 1, 0, 0, 0],
  ['all promoters', [9, 10, 9, 10, 9], 5, 5, 0, 0, 100, 0],
  ['all detractors', [0, 3, 6, 6], 4, 0, 0, 4, -100, 0],
  // p = d = 1/2: var = 1 − 0 = 1, margin = 196·√(1/2)
  ['half promoters, half detractors', [10, 0], 2, 1, 0, 1, 0, 196 * Math.sqrt(0.5)],
  // p = .5, d = .25: NPS 25, var = .75 − .0625 = .6875, n = 4
  ['2 promoters, 1 passive, 1 detractor', [9, 10, 8, 6], 4, 2, 1, 1, 25, 196 * Math.sqrt(0.6875 / 4)],
  // 6 and 7 are the group edges; 8 passive, 9 promoter
  ['edges 6/7/8/9', [6, 7, 8, 9], 4, 1, 2, 1, 0, 196 * Math.sqrt(0.5 / 4)],
];

describe('npsOf', () => {
  it.each(npsCases)('%s', (_what, scores, responses, promoters, passives, detractors, score, margin) => {
    const r = npsOf(hist(...scores));
    expect(r).toMatchObject({ responses, promoters, passives, detractors });
    if (score === null) expect(r.score).toBeNull();
    else expect(r.score).toBeCloseTo(score, 10);
    if (margin === null) expect(r.marginOfError).toBeNull();
    else expect(r.marginOfError).toBeCloseTo(margin, 10);
  });

  it('gives shares that add up to 100', () => {
    const r = npsOf(hist(9, 8, 8, 1, 2, 10, 7));
    expect((r.promoterPct ?? 0) + (r.passivePct ?? 0) + (r.detractorPct ?? 0)).toBeCloseTo(100, 10);
  });
});

// [case, histogram, median]
const medianCases: Array<[string, Array<[number, number]>, number | null]> = [
  ['empty', [], null],
  ['one value', [[42, 1]], 42],
  ['odd count', [[10, 1], [20, 1], [30, 1]], 20],
  ['even count: mean of the middle two', [[10, 1], [20, 1], [30, 1], [40, 1]], 25],
  ['repeated values', [[5, 3], [100, 1]], 5],
  ['zero counts are ignored', [[1, 0], [7, 2], [9, 0]], 7],
  ['unsorted input', [[300, 2], [60, 1], [120, 2]], 120],
];

describe('medianOf (exact, from a histogram)', () => {
  it.each(medianCases)('%s', (_what, entries, expected) => {
    expect(medianOf(counts(entries))).toBe(expected);
  });
});

// [case, histogram, n, mean, top2Box]
const scaleCases: Array<[string, Array<[number, number]>, number, number | null, number | null]> = [
  ['no answers', [], 0, null, null],
  ['one 5', [[5, 1]], 1, 5, 100],
  ['one 3', [[3, 1]], 1, 3, 0],
  ['all 4 and 5', [[4, 2], [5, 2]], 4, 4.5, 100],
  ['spread', [[1, 1], [2, 1], [3, 1], [4, 1], [5, 1]], 5, 3, 40],
  ['values outside the scale are not counted', [[0, 4], [5, 1], [6, 3]], 1, 5, 100],
];

describe('scaleOf (CSAT 1–5)', () => {
  it.each(scaleCases)('%s', (_what, entries, n, mean, top2Box) => {
    const r = scaleOf(counts(entries), { min: 1, max: 5 });
    expect(r.n).toBe(n);
    expect(r.mean).toBe(mean);
    expect(r.top2Box).toBe(top2Box);
    expect(Object.keys(r.distribution)).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('percent', () => {
  it('is null for an empty whole and exact otherwise', () => {
    expect(percent(0, 0)).toBeNull();
    expect(percent(1, 3)).toBeCloseTo(100 / 3, 12);
    expect(percent(3, 3)).toBe(100);
  });
});
