/**
 * Calendar and wall-clock time in the survey time zone (SURVEY_TIMEZONE), without a date library.
 * Three views of a day, each for its own job:
 * - a day number (days since 1970-01-01): ranges, middles and differences are integer maths with
 *   no clock or daylight-saving surprises (answer understanding: "下个月中旬");
 * - a `YYYY-MM-DD` key (months `YYYY-MM`): what rollups, caps and rules file things under;
 * - a local date and time ({@link LocalTime}): quiet hours, send windows and visit times. Intl gives
 *   the local parts of an instant, and a local time is turned back into an instant by correcting a
 *   UTC guess with the zone's offset (twice, so a daylight-saving change in between is honoured).
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

/** Today's day number in the given IANA time zone. */
export function todayIn(now: Date, timeZone: string): number {
  const t = localTimeOf(now, timeZone);
  return dayOf(t.year, t.month, t.day);
}

/** The zone's offset from UTC in minutes at that instant (Asia/Shanghai → 480). */
export function timeZoneOffsetMinutes(now: Date, timeZone: string): number {
  return Math.round(offsetMs(now.getTime(), timeZone) / 60_000);
}

// ---- Local date and time of an instant, and back ----

/** A local calendar date and time (month 1–12). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date and time of `at` in `timeZone`. */
export function localTimeOf(at: Date, timeZone: string): Required<LocalTime> {
  let fmt = formatters.get(timeZone);
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
    formatters.set(timeZone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0 };
}

/** The zone's offset from UTC in ms at instant `ms`. */
function offsetMs(ms: number, timeZone: string): number {
  const t = localTimeOf(new Date(ms), timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant a local time in `timeZone` stands for (day and month overflow roll over like Date.UTC). */
export function instantOf(local: LocalTime, timeZone: string): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  const first = guess - offsetMs(guess, timeZone);
  return new Date(guess - offsetMs(first, timeZone));
}

/** The local calendar date of `at` as YYYY-MM-DD (daily caps count per local day). */
export function localDateKey(at: Date, timeZone: string): string {
  const t = localTimeOf(at, timeZone);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

// ---- Day keys (YYYY-MM-DD) ----

/** The month key (`YYYY-MM`) of a day key. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** `day` plus `n` days (calendar arithmetic on day numbers, so no time zone or DST is involved). */
export function addDays(day: string, n: number): string {
  return formatIsoDate(toDayNumber(isoDateParts(day)) + n);
}

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The Monday of the week `day` is in (weeks run Monday to Sunday, as in China). */
export function weekStart(day: string): string {
  return formatIsoDate(mondayOf(toDayNumber(isoDateParts(day))));
}

/** The last day of a month key, e.g. 2028-02 → 2028-02-29. */
export function lastDayOfMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return formatIsoDate(dayOf(year, m, daysInMonth(year, m)));
}

/** The parts of a `YYYY-MM-DD` key, unchecked (day keys come from this module, not from users). */
function isoDateParts(day: string): CalendarDate {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return { year, month, day: date };
}
