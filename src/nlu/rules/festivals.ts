import { dayOf, weekdayOf } from '../../core/calendar.ts';

/**
 * Festivals and shopping days customers name when they say when they will buy again, each with
 * its date in a given Gregorian year. Lunar festivals come from a table of published dates; outside
 * the table the Chinese calendar built into Intl (ICU) is used. ICU is a day off in years whose new
 * moon falls near Beijing midnight (it puts 2027's new year on 7 Feb, not 6 Feb), hence the table.
 */
export interface Festival {
  key: string;
  /** Regex source matching the names customers use (normalised text). */
  pattern: string;
  /** Day number of the festival's (first) day in the Gregorian year. */
  dateIn(year: number): number;
  /** Length of the holiday or shopping event in days, for "X期间" and a plain mention. */
  days: number;
}

const TABLE_FIRST_YEAR = 2020;
// Gregorian dates (MM-DD) of each lunar day, one per year from 2020.
const LUNAR_TABLE: Record<string, readonly string[]> = {
  '1/1': '01-25 02-12 02-01 01-22 02-10 01-29 02-17 02-06 01-26 02-13 02-03 01-23 02-11 01-31 02-19 02-08 01-28 02-15 02-04 01-24 02-12'.split(' '),
  '5/5': '06-25 06-14 06-03 06-22 06-10 05-31 06-19 06-09 05-28 06-16 06-05 06-24 06-12 06-01 06-20 06-10'.split(' '),
  '7/7': '08-25 08-14 08-04 08-22 08-10 08-29 08-19 08-08 08-26 08-16 08-05'.split(' '),
  '8/15': '10-01 09-21 09-10 09-29 09-17 10-06 09-25 09-15 10-03 09-22 09-12 10-01 09-19 09-08 09-27 09-16'.split(' '),
  '9/9': '10-25 10-14 10-04 10-23 10-11 10-29 10-18 10-08 10-26 10-16 10-05'.split(' '),
};

function fromTable(year: number, month: number, day: number): number | null {
  const mmdd = LUNAR_TABLE[`${month}/${day}`]?.[year - TABLE_FIRST_YEAR];
  return mmdd ? dayOf(year, Number(mmdd.slice(0, 2)), Number(mmdd.slice(3))) : null;
}

const lunarFormatter = new Intl.DateTimeFormat('en-u-ca-chinese', { timeZone: 'UTC', month: 'numeric', day: 'numeric' });
const lunarCache = new Map<string, number>();

function lunarMonthDay(dayNumber: number): { month: string; day: string } {
  let month = '';
  let day = '';
  for (const p of lunarFormatter.formatToParts(new Date(dayNumber * 86_400_000))) {
    if (p.type === 'month') month = p.value;
    if (p.type === 'day') day = p.value;
  }
  return { month, day };
}

function firstMatch(from: number, to: number, month: number, day: number): number {
  for (let d = from; d <= to; d++) {
    const l = lunarMonthDay(d);
    // Leap months print as "4bis" and never match the plain month.
    if (l.month === String(month) && l.day === String(day)) return d;
  }
  return from;
}

/** Day number of Chinese New Year (正月初一) in the Gregorian year. */
export function lunarNewYear(year: number): number {
  const key = `cny:${year}`;
  let d = lunarCache.get(key);
  if (d === undefined) {
    d = fromTable(year, 1, 1) ?? firstMatch(dayOf(year, 1, 19), dayOf(year, 2, 21), 1, 1);
    lunarCache.set(key, d);
  }
  return d;
}

/**
 * Day number of a lunar month/day in the lunar year that begins in the Gregorian year; month 12
 * means the last month before that year's new year (腊月), which falls in January or February.
 */
export function lunarDate(year: number, month: number, day: number): number {
  const key = `${year}:${month}:${day}`;
  let d = lunarCache.get(key);
  if (d === undefined) {
    const cny = lunarNewYear(year);
    d =
      fromTable(year, month, day) ??
      (month === 12
        ? firstMatch(cny - 40, cny - 1, 12, day)
        : // A leap month before the target pushes it up to 30 days later than the estimate.
          firstMatch(cny + Math.floor((month - 1) * 29.5) + day - 4, cny + Math.floor((month - 1) * 29.5) + day + 34, month, day));
    lunarCache.set(key, d);
  }
  return d;
}

function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = dayOf(year, month, 1);
  return first + ((weekday - weekdayOf(first) + 7) % 7) + (n - 1) * 7;
}

// Qingming is a solar term on 4 or 5 April; this rule is right for 2020–2060.
const qingming = (year: number): number => dayOf(year, 4, year % 4 < 2 ? 4 : 5);

const fixed = (month: number, day: number) => (year: number) => dayOf(year, month, day);

/** Every festival the timing parser knows, most specific names first. */
export const FESTIVALS: readonly Festival[] = [
  { key: 'double_11', pattern: '双十一|双11|光棍节|1111', dateIn: fixed(11, 11), days: 1 },
  { key: 'double_12', pattern: '双十二|双12|1212', dateIn: fixed(12, 12), days: 1 },
  { key: '618', pattern: '618|六一八', dateIn: fixed(6, 18), days: 1 },
  { key: '520', pattern: '520', dateIn: fixed(5, 20), days: 1 },
  { key: 'new_year_eve_lunar', pattern: '除夕|大年三十|年三十', dateIn: (y) => lunarNewYear(y) - 1, days: 1 },
  { key: 'spring_festival', pattern: '春节|过大年|过年|大年初一|农历新年|新春', dateIn: lunarNewYear, days: 7 },
  { key: 'lantern', pattern: '元宵节?|正月十五', dateIn: (y) => lunarNewYear(y) + 14, days: 1 },
  { key: 'laba', pattern: '腊八节?', dateIn: (y) => lunarDate(y, 12, 8), days: 1 },
  { key: 'little_new_year', pattern: '小年', dateIn: (y) => lunarDate(y, 12, 23), days: 1 },
  { key: 'new_year', pattern: '元旦节?', dateIn: fixed(1, 1), days: 3 },
  { key: 'valentine', pattern: '情人节', dateIn: fixed(2, 14), days: 1 },
  { key: 'women', pattern: '妇女节|女神节|女王节|三八节|38节', dateIn: fixed(3, 8), days: 1 },
  { key: 'qingming', pattern: '清明节?', dateIn: qingming, days: 3 },
  { key: 'labour', pattern: '劳动节|五一(?![二三四五六七八九十])', dateIn: fixed(5, 1), days: 5 },
  { key: 'mother', pattern: '母亲节', dateIn: (y) => nthWeekday(y, 5, 0, 2), days: 1 },
  { key: 'children', pattern: '儿童节|六一(?![八])', dateIn: fixed(6, 1), days: 1 },
  { key: 'dragon_boat', pattern: '端午节?', dateIn: (y) => lunarDate(y, 5, 5), days: 3 },
  { key: 'father', pattern: '父亲节', dateIn: (y) => nthWeekday(y, 6, 0, 3), days: 1 },
  { key: 'qixi', pattern: '七夕节?', dateIn: (y) => lunarDate(y, 7, 7), days: 1 },
  { key: 'school', pattern: '开学', dateIn: fixed(9, 1), days: 7 },
  { key: 'teachers', pattern: '教师节', dateIn: fixed(9, 10), days: 1 },
  { key: 'mid_autumn', pattern: '中秋节?|八月十五', dateIn: (y) => lunarDate(y, 8, 15), days: 3 },
  {
    key: 'national_day',
    // "十一" alone is National Day; not in 十一月, 双十一, 第十一 or 二十一.
    pattern: '国庆节?|(?<![双第\\d零一二三四五六七八九十])十一(?![月号日点个岁位元块分次天年周\\d零一二三四五六七八九])',
    dateIn: fixed(10, 1),
    days: 7,
  },
  { key: 'double_ninth', pattern: '重阳节?', dateIn: (y) => lunarDate(y, 9, 9), days: 1 },
  { key: 'halloween', pattern: '万圣节', dateIn: fixed(10, 31), days: 1 },
  { key: 'thanksgiving', pattern: '感恩节', dateIn: (y) => nthWeekday(y, 11, 4, 4), days: 1 },
  { key: 'black_friday', pattern: '黑五|黑色星期五', dateIn: (y) => nthWeekday(y, 11, 4, 4) + 1, days: 1 },
  { key: 'winter_solstice', pattern: '冬至', dateIn: fixed(12, 22), days: 1 },
  { key: 'christmas_eve', pattern: '平安夜', dateIn: fixed(12, 24), days: 1 },
  { key: 'christmas', pattern: '圣诞节?', dateIn: fixed(12, 25), days: 1 },
  { key: 'year_end_eve', pattern: '跨年', dateIn: fixed(12, 31), days: 1 },
];
