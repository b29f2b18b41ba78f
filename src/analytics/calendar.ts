/**
 * Calendar days in the survey time zone, as `YYYY-MM-DD` strings (months `YYYY-MM`). Rollups are
 * filed by day and by month; a date range is read as whole months plus the days at its edges.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `at` in `timeZone`, e.g. 2026-11-23. */
export function dayOf(at: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(at);
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** `day` plus `n` days (calendar arithmetic in UTC, so no time zone or DST is involved). */
export function addDays(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The Monday of the week `day` is in (weeks run Monday to Sunday, as in China). */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

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
