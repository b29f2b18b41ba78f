/**
 * Calendar arithmetic on plain dates in the survey time zone. A date is a day number (days
 * since 1970-01-01), so ranges, middles and differences are integer maths with no clock or
 * daylight-saving surprises.
 */

export interface CalendarDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

/** Days since 1970-01-01 for a calendar date. */
export function toDayNumber(date: CalendarDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / 86_400_000);
}

/** The calendar date of a day number. */
export function fromDayNumber(dayNumber: number): CalendarDate {
  const d = new Date(dayNumber * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day number of year/month/day; an overflowing month or day rolls over like Date.UTC. */
export function dayOf(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** Number of days in a month. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds whole months, clamping the day to the target month's length (Jan 31 + 1 → Feb 28). */
export function addMonths(dayNumber: number, months: number): number {
  const d = fromDayNumber(dayNumber);
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return dayOf(year, month, Math.min(d.day, daysInMonth(year, month)));
}

/** Day of week, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(dayNumber: number): number {
  // 1970-01-01 was a Thursday.
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** Day number of the Monday starting the week that contains the day. */
export function mondayOf(dayNumber: number): number {
  return dayNumber - ((weekdayOf(dayNumber) + 6) % 7);
}

/** ISO date (YYYY-MM-DD) of a day number. */
export function formatIsoDate(dayNumber: number): string {
  return new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
}

/** Parses YYYY-MM-DD into a day number, or null when it is not a real date. */
export function parseIsoDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return dayOf(year, month, day);
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function localParts(now: Date, timeZone: string): Record<string, number> {
  let fmt = partsFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(timeZone, fmt);
  }
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(now)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Today's day number in the given IANA time zone. */
export function todayIn(now: Date, timeZone: string): number {
  const p = localParts(now, timeZone);
  return dayOf(p.year ?? 1970, p.month ?? 1, p.day ?? 1);
}

/** The zone's offset from UTC in minutes at that instant (Asia/Shanghai → 480). */
export function timeZoneOffsetMinutes(now: Date, timeZone: string): number {
  const p = localParts(now, timeZone);
  const asUtc = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return Math.round((asUtc - Math.floor(now.getTime() / 1000) * 1000) / 60_000);
}
