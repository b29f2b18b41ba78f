import { weekStart } from '../core/calendar.ts';
import { npsOf, percent } from './metrics.ts';
import { addCounts, emptyTally, type Tally } from './tally.ts';

export interface TrendPoint {
  /** The day, or the Monday of the week. */
  period: string;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  score: number | null;
  marginOfError: number | null;
  /** score ∓ margin, clamped to −100..100: the error band. */
  low: number | null;
  high: number | null;
  started: number;
  completed: number;
  completionRate: number | null;
}

/**
 * NPS per day or week with its margin of error. `days` are the rollups of consecutive days (in
 * order); weeks sum the days of each Monday-to-Sunday week. `npsStep` is the one the summary
 * headlines, so the trend and the headline count the same answers.
 */
export function trendOf(days: ReadonlyArray<{ day: string; counts: Map<string, number> }>, interval: 'day' | 'week', npsStep: string | null): TrendPoint[] {
  const periods = new Map<string, Tally>();
  for (const { day, counts } of days) {
    const key = interval === 'day' ? day : weekStart(day);
    addCounts(periods.get(key) ?? periods.set(key, emptyTally()).get(key)!, counts);
  }
  return [...periods.entries()].map(([period, tally]) => {
    const nps = npsOf(npsStep ? tally.nps.get(npsStep) ?? [] : []);
    const completed = tally.outcomes.get('completed') ?? 0;
    const band = nps.score === null || nps.marginOfError === null ? null : [nps.score - nps.marginOfError, nps.score + nps.marginOfError];
    return {
      period,
      responses: nps.responses,
      promoters: nps.promoters,
      passives: nps.passives,
      detractors: nps.detractors,
      score: nps.score,
      marginOfError: nps.marginOfError,
      low: band ? Math.max(-100, band[0]!) : null,
      high: band ? Math.min(100, band[1]!) : null,
      started: tally.started,
      completed,
      completionRate: percent(completed, tally.started),
    };
  });
}
