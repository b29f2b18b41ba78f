/**
 * Wall-clock time in an IANA time zone (SURVEY_TIMEZONE) without a date library: Intl gives the
 * local parts of an instant, and a local time is turned back into an instant by correcting a UTC
 * guess with the zone's offset (twice, so a daylight-saving change in between is honoured).
 */

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
