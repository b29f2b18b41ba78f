import { audienceRowSchema, type AudienceRow } from './campaignTypes.ts';
import { instantOf } from '../core/calendar.ts';

/** A problem with one row, reported with where it came from. */
export interface RowProblem {
  field?: string;
  message: string;
}

const LOCAL = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A visit or purchase time: ISO 8601 with a zone (`2026-11-28T14:30:00+08:00`), or a local time
 * in the survey time zone as merchants' exports write it (`2026-11-28 14:30`, `2026/11/28`).
 */
export function parseVisitTime(text: string, timeZone: string): Date | null {
  const t = text.trim();
  if (WITH_ZONE.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  const m = LOCAL.exec(t);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate() || hour > 23 || minute > 59 || second > 59) return null;
  return instantOf({ year, month, day, hour, minute, second }, timeZone);
}

/**
 * Validates one audience row (CSV cells or a JSON object): every problem, or the row. Visit
 * times in the future by more than a day are refused (a typo in the year, most likely).
 */
export function readAudienceRow(input: unknown, options: { timeZone: string; now: Date }): { ok: true; row: AudienceRow } | { ok: false; problems: RowProblem[] } {
  const parsed = audienceRowSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || undefined, message: i.message })) };
  }
  const { visitAt: visitText, ...rest } = parsed.data;
  const row = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as unknown as AudienceRow;
  if (visitText !== undefined) {
    const visitAt = parseVisitTime(visitText, options.timeZone);
    if (!visitAt) return { ok: false, problems: [{ field: 'visitAt', message: 'not a date and time such as 2026-11-28 14:30' }] };
    if (visitAt.getTime() > options.now.getTime() + 86_400_000) return { ok: false, problems: [{ field: 'visitAt', message: 'is in the future' }] };
    row.visitAt = visitAt;
  }
  return { ok: true, row };
}
