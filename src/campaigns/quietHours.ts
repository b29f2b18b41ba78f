import { instantOf, localTimeOf } from '../core/calendar.ts';

/** Local times (HH:MM) between which nothing is sent; `start` after `end` spans midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

/** 21:00–09:00, as the issue asks, unless a campaign says otherwise (`null` turns it off). */
export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '09:00' };

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether `at` falls inside the quiet hours in `timeZone` (start inclusive, end exclusive). */
export function isQuiet(at: Date, quiet: QuietHours | null, timeZone: string): boolean {
  if (!quiet) return false;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const t = localTimeOf(at, timeZone);
  const now = t.hour * 60 + t.minute;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The earliest moment at or after `at` outside the quiet hours: `at` itself, or the end of the
 * quiet period it falls in (e.g. 23:30 → 09:00 the next morning; 06:00 → 09:00 the same day).
 */
export function nextAllowedTime(at: Date, quiet: QuietHours | null, timeZone: string): Date {
  if (!quiet || !isQuiet(at, quiet, timeZone)) return at;
  const end = minutesOf(quiet.end);
  const t = localTimeOf(at, timeZone);
  const sameDay = instantOf({ year: t.year, month: t.month, day: t.day, hour: Math.floor(end / 60), minute: end % 60 }, timeZone);
  if (sameDay.getTime() > at.getTime()) return sameDay;
  return instantOf({ year: t.year, month: t.month, day: t.day + 1, hour: Math.floor(end / 60), minute: end % 60 }, timeZone);
}
