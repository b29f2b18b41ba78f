import { describe, expect, it } from 'vitest';
import { formatIsoDate } from '../../../src/core/calendar.ts';
import { FESTIVALS, lunarDate, lunarNewYear } from '../../../src/nlu/rules/festivals.ts';

const on = (key: string, year: number) => {
  const f = FESTIVALS.find((x) => x.key === key);
  if (!f) throw new Error(`no festival ${key}`);
  return formatIsoDate(f.dateIn(year));
};

describe('festival dates', () => {
  it.each([
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
    [2029, '2029-02-13'],
    [2030, '2030-02-03'],
    [2031, '2031-01-23'],
  ])('Chinese New Year %i is %s', (year, date) => {
    expect(formatIsoDate(lunarNewYear(year))).toBe(date);
  });

  it.each([
    ['mid_autumn', 2025, '2025-10-06'],
    ['mid_autumn', 2026, '2026-09-25'],
    ['mid_autumn', 2027, '2027-09-15'],
    ['dragon_boat', 2025, '2025-05-31'],
    ['dragon_boat', 2026, '2026-06-19'],
    ['dragon_boat', 2027, '2027-06-09'],
    ['qixi', 2026, '2026-08-19'],
    ['lantern', 2027, '2027-02-20'],
    ['new_year_eve_lunar', 2027, '2027-02-05'],
    ['laba', 2027, '2027-01-15'],
    ['double_ninth', 2026, '2026-10-18'],
    ['qingming', 2026, '2026-04-05'],
    ['qingming', 2028, '2028-04-04'],
    ['mother', 2027, '2027-05-09'],
    ['father', 2027, '2027-06-20'],
    ['thanksgiving', 2026, '2026-11-26'],
    ['black_friday', 2026, '2026-11-27'],
    ['double_11', 2027, '2027-11-11'],
    ['618', 2027, '2027-06-18'],
    ['national_day', 2027, '2027-10-01'],
    ['labour', 2027, '2027-05-01'],
    ['new_year', 2027, '2027-01-01'],
  ])('%s in %i is %s', (key, year, date) => {
    expect(on(key, year)).toBe(date);
  });

  it('finds lunar dates after a leap month (2023 had a leap 2nd month)', () => {
    expect(formatIsoDate(lunarDate(2023, 5, 5))).toBe('2023-06-22');
    expect(formatIsoDate(lunarDate(2023, 8, 15))).toBe('2023-09-29');
  });
});
