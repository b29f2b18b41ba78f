import { describe, expect, it } from 'vitest';
import type { TimingBucket } from '../../../src/core/analysis.ts';
import { formatIsoDate, timeZoneOffsetMinutes, todayIn } from '../../../src/core/calendar.ts';
import { normalizeText } from '../../../src/nlu/rules/normalizeText.ts';
import { bucketForRange, parseTimingReply } from '../../../src/nlu/rules/parseTimingReply.ts';

const TZ = 'Asia/Shanghai';

function read(text: string, nowIso: string) {
  const now = new Date(nowIso);
  const r = parseTimingReply(normalizeText(text), { today: todayIn(now, TZ), now, offsetMinutes: timeZoneOffsetMinutes(now, TZ) });
  if (r.status === 'dated') return { bucket: r.bucket as TimingBucket, from: formatIsoDate(r.from), to: formatIsoDate(r.to) };
  return { bucket: r.status === 'none' ? null : (r.status as TimingBucket), from: null, to: null };
}

const NOV = '2026-11-23T10:00:00+08:00'; // a Monday

describe('parseTimingReply relative to 2026-11-23 (Monday)', () => {
  it.each([
    ['明天', 'within_1_month', '2026-11-24', '2026-11-24'],
    ['后天就去', 'within_1_month', '2026-11-25', '2026-11-25'],
    ['这周末', 'within_1_month', '2026-11-28', '2026-11-29'],
    ['下周', 'within_1_month', '2026-11-30', '2026-12-06'],
    ['下周三', 'within_1_month', '2026-12-02', '2026-12-02'],
    ['下个星期五', 'within_1_month', '2026-12-04', '2026-12-04'],
    ['下下周', 'within_1_month', '2026-12-07', '2026-12-13'],
    ['过两周', 'within_1_month', '2026-12-07', '2026-12-07'],
    ['十天后', 'within_1_month', '2026-12-03', '2026-12-03'],
    ['月底', 'within_1_month', '2026-11-23', '2026-11-30'],
    ['下个月', 'within_1_month', '2026-12-01', '2026-12-31'],
    ['下个月底', '1_3_months', '2026-12-21', '2026-12-31'],
    ['12月15号', 'within_1_month', '2026-12-15', '2026-12-15'],
    ['年底', 'within_1_month', '2026-12-01', '2026-12-31'],
    ['双十二', 'within_1_month', '2026-12-12', '2026-12-12'],
    ['圣诞节前后', '1_3_months', '2026-12-18', '2027-01-01'],
    ['个把月', 'within_1_month', '2026-12-23', '2026-12-23'],
    ['半个月后', 'within_1_month', '2026-12-08', '2026-12-08'],
    ['一个半月后', '1_3_months', '2027-01-07', '2027-01-07'],
    ['下下个月', '1_3_months', '2027-01-01', '2027-01-31'],
    ['元旦', '1_3_months', '2027-01-01', '2027-01-03'],
    ['春节前', '1_3_months', '2027-01-16', '2027-02-05'],
    ['过完年', '1_3_months', '2027-02-13', '2027-03-05'],
    ['年后', '1_3_months', '2027-02-13', '2027-03-05'],
    ['三个月内', '1_3_months', '2026-11-23', '2027-02-23'],
    ['两三个月吧', '1_3_months', '2027-01-23', '2027-02-23'],
    ['3月', '3_6_months', '2027-03-01', '2027-03-31'],
    ['明年三月份', '3_6_months', '2027-03-01', '2027-03-31'],
    ['明年春天', '3_6_months', '2027-03-01', '2027-05-31'],
    ['五一', '3_6_months', '2027-05-01', '2027-05-05'],
    ['半年后', '3_6_months', '2027-05-23', '2027-05-23'],
    ['618', '6_12_months', '2027-06-18', '2027-06-18'],
    ['明年暑假', '6_12_months', '2027-07-10', '2027-08-31'],
    ['明年下半年', '6_12_months', '2027-07-01', '2027-12-31'],
    ['中秋', '6_12_months', '2027-09-15', '2027-09-17'],
    ['国庆', '6_12_months', '2027-10-01', '2027-10-07'],
    ['十一的时候', '6_12_months', '2027-10-01', '2027-10-07'],
    ['双十一', '6_12_months', '2027-11-11', '2027-11-11'],
    ['明年双十一', '6_12_months', '2027-11-11', '2027-11-11'],
    ['明年', '6_12_months', '2027-01-01', '2027-12-31'],
    ['两年后', 'over_12_months', '2028-11-23', '2028-11-23'],
    ['后年', 'over_12_months', '2028-01-01', '2028-12-31'],
    ['2028年春节', 'over_12_months', '2028-01-26', '2028-02-01'],
    ['等发工资', 'within_1_month', '2026-11-23', '2026-12-23'],
    ['今年不会了，明年再说', '6_12_months', '2027-01-01', '2027-12-31'],
    ['下个月或者下下个月', '1_3_months', '2026-12-01', '2027-01-31'],
    ['元宵节后', '3_6_months', '2027-02-21', '2027-03-13'],
  ])('%s → %s (%s … %s)', (text, bucket, from, to) => {
    expect(read(text, NOV)).toEqual({ bucket, from, to });
  });

  it.each([
    ['暂时没有计划', 'undecided'],
    ['说不好', 'undecided'],
    ['看情况吧', 'undecided'],
    ['有需要再来', 'undecided'],
    ['用完了再买', 'undecided'],
    ['暂时不买', 'undecided'],
    ['近期不会来', 'undecided'],
    ['以后吧', 'undecided'],
    ['等换季的时候', 'undecided'],
    ['不买了', 'never'],
    ['再也不来了', 'never'],
    ['不会再买了', 'never'],
    ['不需要了', 'never'],
    ['肯定不会来了', 'never'],
  ])('%s → %s', (text, bucket) => {
    expect(read(text, NOV).bucket).toBe(bucket);
  });

  it.each(['嗯嗯', '挺好的', '两年前买过', '三个月前'])('%s gives no timing', (text) => {
    expect(read(text, NOV).bucket).toBeNull();
  });
});

describe('parseTimingReply around month and year ends', () => {
  it.each([
    // 31 December: tomorrow is next year, 下个月 is January, 年底 is today only.
    ['明天', '2026-12-31T20:00:00+08:00', '2027-01-01', '2027-01-01'],
    ['下个月', '2026-12-31T20:00:00+08:00', '2027-01-01', '2027-01-31'],
    ['年底', '2026-12-31T20:00:00+08:00', '2026-12-31', '2026-12-31'],
    ['元旦', '2026-12-31T20:00:00+08:00', '2027-01-01', '2027-01-03'],
    ['明年', '2026-12-31T20:00:00+08:00', '2027-01-01', '2027-12-31'],
    ['1月', '2026-12-31T20:00:00+08:00', '2027-01-01', '2027-01-31'],
    // Late on 31 Dec UTC is already 1 Jan in Shanghai.
    ['今天', '2026-12-31T17:30:00Z', '2027-01-01', '2027-01-01'],
    ['明年', '2026-12-31T17:30:00Z', '2028-01-01', '2028-12-31'],
    // 31 January: one month later clamps to the end of February.
    ['一个月后', '2027-01-31T09:00:00+08:00', '2027-02-28', '2027-02-28'],
    ['下个月', '2027-01-31T09:00:00+08:00', '2027-02-01', '2027-02-28'],
    ['下个月', '2028-01-31T09:00:00+08:00', '2028-02-01', '2028-02-29'],
    ['月底', '2027-02-25T09:00:00+08:00', '2027-02-25', '2027-02-28'],
    ['月初', '2027-02-25T09:00:00+08:00', '2027-03-01', '2027-03-10'],
    // A festival still ahead this year is this year's; one just passed is next year's.
    ['春节', '2027-01-10T09:00:00+08:00', '2027-02-06', '2027-02-12'],
    ['春节', '2027-03-01T09:00:00+08:00', '2028-01-26', '2028-02-01'],
    ['双十一', '2026-11-10T09:00:00+08:00', '2026-11-11', '2026-11-11'],
    ['双十一', '2026-11-12T09:00:00+08:00', '2027-11-11', '2027-11-11'],
    ['下半年', '2026-03-01T09:00:00+08:00', '2026-07-01', '2026-12-31'],
    ['下个季度', '2026-12-31T09:00:00+08:00', '2027-01-01', '2027-03-31'],
    ['下周', '2026-12-27T09:00:00+08:00', '2026-12-28', '2027-01-03'],
  ])('%s at %s → %s … %s', (text, now, from, to) => {
    const r = read(text, now);
    expect([r.from, r.to]).toEqual([from, to]);
  });
});

describe('bucketForRange', () => {
  it.each([
    [0, 'within_1_month'],
    [31, 'within_1_month'],
    [32, '1_3_months'],
    [92, '1_3_months'],
    [93, '3_6_months'],
    [183, '3_6_months'],
    [184, '6_12_months'],
    [366, '6_12_months'],
    [367, 'over_12_months'],
  ])('a window centred %i days ahead is %s', (days, bucket) => {
    expect(bucketForRange(1000 + days, 1000 + days, 1000)).toBe(bucket);
  });

  it('uses the middle of the range', () => {
    expect(bucketForRange(1000, 1000 + 60, 1000)).toBe('within_1_month');
    expect(bucketForRange(1000, 1000 + 70, 1000)).toBe('1_3_months');
  });
});
