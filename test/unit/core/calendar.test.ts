import { describe, expect, it } from 'vitest';
import { planPeriods } from '../../../src/analytics/rollupPeriods.ts';
import { addDays, daysBetween, localDateKey, weekStart } from '../../../src/core/calendar.ts';

describe('calendar', () => {
  it('reads the day in the survey time zone', () => {
    expect(localDateKey(new Date('2026-11-22T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-23');
    expect(localDateKey(new Date('2026-11-22T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-11-22');
  });
  it('adds days across months and leap years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });
  it('starts weeks on Monday', () => {
    expect(weekStart('2026-11-23')).toBe('2026-11-23'); // a Monday
    expect(weekStart('2026-11-29')).toBe('2026-11-23'); // Sunday
    expect(weekStart('2026-12-01')).toBe('2026-11-30');
  });
  it('plans whole months plus edge days, only where there is data', () => {
    const known = ['2026-09', '2026-10', '2026-11', '2026-12'];
    expect(planPeriods({}, known)).toEqual({ months: known, days: [] });
    const plan = planPeriods({ from: '2026-10-30', to: '2026-12-02' }, known);
    expect(plan.months).toEqual(['2026-11']);
    expect(plan.days).toEqual(['2026-10-30', '2026-10-31', '2026-12-01', '2026-12-02']);
    expect(planPeriods({ from: '2026-11-05', to: '2026-11-05' }, known)).toEqual({ months: [], days: ['2026-11-05'] });
    expect(planPeriods({ from: '2027-01-01' }, known)).toEqual({ months: [], days: [] });
  });
});
