import { describe, expect, it } from 'vitest';
import { describeVisit } from '../../../src/campaigns/describeVisit.ts';
import { isQuiet, nextAllowedTime } from '../../../src/campaigns/quietHours.ts';
import { parseVisitTime } from '../../../src/campaigns/audienceRow.ts';

const tz = 'Asia/Shanghai';
const at = (local: string) => new Date(`${local}+08:00`);

describe('quiet hours (21:00–09:00 in SURVEY_TIMEZONE)', () => {
  const quiet = { start: '21:00', end: '09:00' };

  it('span midnight: 21:00 and 08:59 are quiet, 09:00 and 20:59 are not', () => {
    expect(isQuiet(at('2026-11-28T21:00:00'), quiet, tz)).toBe(true);
    expect(isQuiet(at('2026-11-29T08:59:00'), quiet, tz)).toBe(true);
    expect(isQuiet(at('2026-11-29T09:00:00'), quiet, tz)).toBe(false);
    expect(isQuiet(at('2026-11-28T20:59:00'), quiet, tz)).toBe(false);
  });

  it('move a time to the end of its quiet period, the same or the next morning', () => {
    expect(nextAllowedTime(at('2026-11-28T23:30:00'), quiet, tz)).toEqual(at('2026-11-29T09:00:00'));
    expect(nextAllowedTime(at('2026-11-29T06:00:00'), quiet, tz)).toEqual(at('2026-11-29T09:00:00'));
    expect(nextAllowedTime(at('2026-11-29T10:00:00'), quiet, tz)).toEqual(at('2026-11-29T10:00:00'));
    // Month end rolls over.
    expect(nextAllowedTime(at('2026-11-30T22:00:00'), quiet, tz)).toEqual(at('2026-12-01T09:00:00'));
  });

  it('are off with null, and may sit inside one day', () => {
    expect(isQuiet(at('2026-11-28T23:00:00'), null, tz)).toBe(false);
    expect(nextAllowedTime(at('2026-11-28T23:00:00'), null, tz)).toEqual(at('2026-11-28T23:00:00'));
    const lunch = { start: '12:00', end: '13:30' };
    expect(isQuiet(at('2026-11-28T12:45:00'), lunch, tz)).toBe(true);
    expect(nextAllowedTime(at('2026-11-28T12:45:00'), lunch, tz)).toEqual(at('2026-11-28T13:30:00'));
  });

  it('follow the configured zone', () => {
    // 14:00 UTC is 22:00 in Shanghai (quiet) but 15:00 in Berlin in winter (not).
    const t = new Date('2026-11-28T14:00:00Z');
    expect(isQuiet(t, quiet, 'Asia/Shanghai')).toBe(true);
    expect(isQuiet(t, quiet, 'Europe/Berlin')).toBe(false);
  });
});

describe('visit times and the greeting fields', () => {
  it('reads local times in the survey zone and ISO times with a zone', () => {
    expect(parseVisitTime('2026-11-28 14:30', tz)).toEqual(at('2026-11-28T14:30:00'));
    expect(parseVisitTime('2026/11/28', tz)).toEqual(at('2026-11-28T00:00:00'));
    expect(parseVisitTime('2026-11-28T06:30:00Z', tz)).toEqual(new Date('2026-11-28T06:30:00Z'));
    expect(parseVisitTime('2026-02-30 10:00', tz)).toBeNull();
    expect(parseVisitTime('昨天', tz)).toBeNull();
  });

  it('names the visit the way the greeting says it', () => {
    const visitAt = at('2026-11-28T14:30:00');
    expect(describeVisit({ name: '张女士', store: '静安店', touchpoint: '护理', visitAt }, tz)).toEqual({
      name: '张女士',
      store: '静安店',
      touchpoint: '护理',
      visitDate: '11月28日',
      visit: '11月28日在静安店的护理',
    });
    expect(describeVisit({ store: '静安店' }, tz).visit).toBe('在静安店的服务');
    expect(describeVisit({ touchpoint: '护理' }, tz).visit).toBe('这次护理');
    expect(describeVisit({ touchpoint: '护理', visitAt }, tz).visit).toBe('11月28日的护理');
    expect(describeVisit({ products: ['水光针', '热玛吉'] }, tz)).toEqual({ products: '水光针、热玛吉' });
  });
});
