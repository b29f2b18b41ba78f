/**
 * Rollups are filed by calendar day and by month in the survey time zone; a date range is read as
 * whole months plus the days at its edges.
 */
import { daysBetween, lastDayOfMonth } from '../core/calendar.ts';

/**
 * The rollup periods that cover `from`..`to` exactly: months lying wholly inside, days for the
 * rest. Without bounds, every month that has data. `knownMonths` are the months with data, so
 * empty stretches cost nothing.
 */
export function planPeriods(range: { from?: string; to?: string }, knownMonths: readonly string[]): { months: string[]; days: string[] } {
  const months: string[] = [];
  const days: string[] = [];
  for (const month of [...knownMonths].sort()) {
    const first = `${month}-01`;
    const last = lastDayOfMonth(month);
    const from = range.from && range.from > first ? range.from : first;
    const to = range.to && range.to < last ? range.to : last;
    if (from > to) continue;
    if (from === first && to === last) months.push(month);
    else days.push(...daysBetween(from, to));
  }
  return { months, days };
}
