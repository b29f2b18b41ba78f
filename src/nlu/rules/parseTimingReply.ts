import { hans as chronoZh } from 'chrono-node/zh/hans';
import type { TimingBucket } from '../../core/analysis.ts';
import { addMonths, dayOf, daysInMonth, fromDayNumber, mondayOf } from '../../core/calendar.ts';
import { FESTIVALS, lunarNewYear } from './festivals.ts';
import type { Span } from './normalizeText.ts';
import { parseNumber } from './parseNumber.ts';

/** When the customer says they will buy again. */
export type TimingReading =
  | { status: 'dated'; from: number; to: number; bucket: TimingBucket; spans: Span[] }
  | { status: 'undecided'; spans: Span[] }
  | { status: 'never'; spans: Span[] }
  | { status: 'none' };

export interface TimingContext {
  /** Today's day number in the survey time zone. */
  today: number;
  /** The instant "now", for chrono. */
  now: Date;
  /** The survey time zone's UTC offset in minutes at `now`, for chrono. */
  offsetMinutes: number;
}

/**
 * Buckets a purchase window by its middle day counted from today: ≤ 31 days within a month,
 * ≤ 92 one to three months, ≤ 183 three to six, ≤ 366 six to twelve, beyond that over a year.
 */
export function bucketForRange(from: number, to: number, today: number): Exclude<TimingBucket, 'undecided' | 'never'> {
  const days = Math.floor((from + to) / 2) - today;
  if (days <= 31) return 'within_1_month';
  if (days <= 92) return '1_3_months';
  if (days <= 183) return '3_6_months';
  if (days <= 366) return '6_12_months';
  return 'over_12_months';
}

type Range = readonly [number, number];
type Resolver = (m: RegExpExecArray, ctx: TimingContext) => Range | null | undefined;

const CN = '零〇一二两三四五六七八九十';
const YEAR = '(今年|明年|后年|大后年|去年|(?:20)?\\d{2}年)?(?:的)?';
const QTY = `\\d+(?:\\.\\d+)?|个把|十几|[${CN}百]+|几|半`;
const MONTH_NAME = `1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]`;
const DAY_NAME = `[12]\\d|3[01]|0?[1-9]|[${CN}]{1,3}`;
const NOT_AFTER_NUMBER = `(?<![\\d${CN}个第])`;
// 上半年/下半年 are halves of a year, not "half a year".
const NOT_HALF_OF = '(?<![上下])';

function yearOffset(prefix: string | undefined, ctx: TimingContext): number | null {
  if (!prefix) return null;
  const y = fromDayNumber(ctx.today).year;
  if (prefix === '今年') return y;
  if (prefix === '明年') return y + 1;
  if (prefix === '后年') return y + 2;
  if (prefix === '大后年') return y + 3;
  if (prefix === '去年') return y - 1;
  const digits = prefix.replace('年', '');
  return digits.length === 2 ? 2000 + Number(digits) : Number(digits);
}

function quantity(text: string): [number, number] | null {
  if (text === '几') return [2, 4];
  if (text === '半') return [0.5, 0.5];
  if (text === '个把') return [1, 1];
  if (text === '十几') return [11, 15];
  const chars = [...text];
  if (chars.length === 2 && !text.includes('十') && !/\d/.test(text)) {
    // 一两, 两三, 三五: a small range, not 12 or 35.
    const a = parseNumber(chars[0] as string);
    const b = parseNumber(chars[1] as string);
    if (a !== null && b !== null && b > a) return [a, b];
  }
  const n = parseNumber(text);
  return n === null ? null : [n, n];
}

/** Day offset of `n` units from today; months and years follow the calendar. */
function shift(today: number, n: number, unit: string): number {
  if (/天|日/.test(unit)) return today + Math.round(n);
  if (/周|星期|礼拜/.test(unit)) return today + Math.round(n * 7);
  const months = /年/.test(unit) ? n * 12 : n;
  const whole = Math.floor(months);
  return addMonths(today, whole) + Math.round((months - whole) * 30);
}

function monthRange(year: number, month: number, part: string | undefined): Range {
  const end = daysInMonth(year, month);
  if (part === '初' || part === '上旬') return [dayOf(year, month, 1), dayOf(year, month, 10)];
  if (part === '中' || part === '中旬') return [dayOf(year, month, 11), dayOf(year, month, 20)];
  if (part === '底' || part === '末' || part === '下旬') return [dayOf(year, month, 21), dayOf(year, month, end)];
  return [dayOf(year, month, 1), dayOf(year, month, end)];
}

/** The earliest of last, this or next year's range that has not ended yet (a festival already past means next year's). */
function upcoming(ctx: TimingContext, make: (year: number) => Range): Range {
  const y = fromDayNumber(ctx.today).year;
  for (const year of [y - 1, y, y + 1]) {
    const r = make(year);
    if (r[1] >= ctx.today) return r;
  }
  return make(y + 1);
}

function festivalResolver(festival: (typeof FESTIVALS)[number]): Resolver {
  return (m, ctx) => {
    const [, before, yearText, , modifier] = m;
    const around = /前后|左右|附近/.test(modifier ?? '');
    const after = !around && (/过了|过完/.test(before ?? '') || /后|之后|以后|过后/.test(modifier ?? ''));
    const beforeIt = !around && !after && /^(?:前|之前|以前)$/.test(modifier ?? '');
    const make = (year: number): Range => {
      const day = festival.dateIn(year);
      if (after) return [day + festival.days, day + festival.days + 20];
      if (beforeIt) return [day - 21, day - 1];
      if (around) return [day - 7, day + 7];
      return [day, day + festival.days - 1];
    };
    const year = yearOffset(yearText, ctx);
    return year === null ? upcoming(ctx, make) : make(year);
  };
}

const IMMEDIATE: ReadonlyArray<readonly [string, number, number]> = [
  ['大后天', 3, 3], ['后天', 2, 2], ['明天', 1, 1], ['明早', 1, 1], ['明晚', 1, 1], ['今天', 0, 0], ['今晚', 0, 0],
  ['现在', 0, 0], ['马上', 0, 3], ['立刻', 0, 1], ['立即', 0, 1], ['这两天', 0, 2], ['近两天', 0, 2], ['过两天', 2, 3],
  ['这几天', 0, 5], ['过几天', 2, 7], ['等几天', 2, 7], ['过些天', 3, 14], ['最近', 0, 30], ['近期', 0, 30], ['很快', 0, 14],
  ['不久', 7, 30], ['尽快', 0, 7], ['随时', 0, 14], ['快了', 0, 14], ['过段时间', 14, 60], ['过一段时间', 14, 60],
  ['过阵子', 14, 60], ['过一阵子', 14, 60], ['过一阵', 14, 60], ['过些日子', 14, 45], ['短期内', 0, 30], ['这段时间', 0, 30],
  ['发工资', 0, 30], ['发薪', 0, 30],
];

// Each matcher claims its characters; later matchers cannot reuse them. Most specific first.
const MATCHERS: ReadonlyArray<readonly [RegExp, Resolver]> = [
  // 2027年3月5日, 12月15号
  [
    new RegExp(`${YEAR}${NOT_AFTER_NUMBER}(${MONTH_NAME})月(${DAY_NAME})(?:号|日)?`, 'g'),
    (m, ctx) => {
      const month = parseNumber(m[2] as string);
      const day = parseNumber(m[3] as string);
      if (month === null || day === null || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
      const year = yearOffset(m[1], ctx);
      const make = (y: number): Range => [dayOf(y, month, day), dayOf(y, month, day)];
      return year === null ? upcoming(ctx, make) : make(year);
    },
  ],
  // 两个月后, 过两周, 三个月内, 一年以后, 两三个月, 一个半月, 半年后
  [
    new RegExp(
      `(过|再过|等)?${NOT_AFTER_NUMBER}${NOT_HALF_OF}(${QTY})(?:(?:到|至|-|~)(${QTY}))?(个半|个多|多个|个|多)?(天|日|周|星期|礼拜|月|年)(半)?(以后|之后|过后|后|左右|上下|以内|之内|内|里|不到|以前|之前|前)?`,
      'g',
    ),
    (m, ctx) => {
      const [, pass, q1, q2, measure, unitRaw, half, suffix] = m;
      const unit = unitRaw as string;
      if (unit === '月' && !/个/.test(measure ?? '') && q1 !== '个把') return undefined; // 3月 is March
      if (unit === '日' && !pass && !suffix) return undefined; // 3日 is a date
      if (unit === '年' && /^\d{2,4}$/.test(q1 ?? '') && Number(q1) >= 20) return undefined; // 2027年
      const a = quantity(q1 as string);
      if (!a) return undefined;
      let [lo, hi] = a;
      if (q2) {
        const b = quantity(q2);
        if (!b) return undefined;
        hi = b[1];
      }
      const extra = measure === '个半' || half ? 0.5 : /多/.test(measure ?? '') ? 0.3 : 0;
      lo += extra;
      hi += extra;
      if (suffix && /前/.test(suffix)) return null; // in the past
      const from = shift(ctx.today, lo, unit);
      const to = shift(ctx.today, hi, unit);
      if (suffix && /内|里|不到/.test(suffix)) return [ctx.today, to];
      if (suffix && /左右|上下/.test(suffix)) {
        const slack = Math.round((to - ctx.today) * 0.1);
        return [from - slack, to + slack];
      }
      return [from, to];
    },
  ],
  // Festivals and shopping days, with 明年/前/后/前后.
  ...FESTIVALS.map(
    (f) =>
      [
        new RegExp(
          `(过了|过完|等到|到)?${YEAR}(?:${f.pattern})(的)?(前后|左右|附近|期间|的时候|那会儿?|那几天|那阵子?|那时候?|当天|之前|以前|前|之后|以后|过后|后)?`,
          'g',
        ),
        festivalResolver(f),
      ] as const,
  ),
  // 下周三, 周五, 这个星期六
  [
    /(下下个?|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])/g,
    (m, ctx) => {
      const wd = '一二三四五六日'.indexOf(m[2] as string);
      const weekday = wd >= 0 ? wd + 1 : m[2] === '天' ? 7 : Number(m[2]);
      const prefix = m[1] ?? '';
      const monday = mondayOf(ctx.today);
      const weeks = prefix.startsWith('下下') ? 2 : prefix.startsWith('下') ? 1 : 0;
      let day = monday + weeks * 7 + weekday - 1;
      if (day < ctx.today) day += 7;
      return [day, day];
    },
  ],
  [/下下个?(?:周|星期|礼拜)/g, (_m, ctx) => [mondayOf(ctx.today) + 14, mondayOf(ctx.today) + 20]],
  [/下个?周末/g, (_m, ctx) => [mondayOf(ctx.today) + 12, mondayOf(ctx.today) + 13]],
  [/下个?(?:周|星期|礼拜)|next week/g, (_m, ctx) => [mondayOf(ctx.today) + 7, mondayOf(ctx.today) + 13]],
  [/(?:这|本)?周末/g, (_m, ctx) => [Math.max(ctx.today, mondayOf(ctx.today) + 5), mondayOf(ctx.today) + 6]],
  [/这个?(?:周|星期|礼拜)|本周/g, (_m, ctx) => [ctx.today, mondayOf(ctx.today) + 6]],
  // 下个月初, 下下个月
  [
    /(下下|下)个?月(初|上旬|中旬|中|下旬|底|末)?/g,
    (m, ctx) => {
      const first = addMonths(dayOf(fromDayNumber(ctx.today).year, fromDayNumber(ctx.today).month, 1), m[1] === '下下' ? 2 : 1);
      const d = fromDayNumber(first);
      return monthRange(d.year, d.month, m[2]);
    },
  ],
  // 这个月, 月底, 本月内
  [
    new RegExp(`(?:这个|本|当|这)月(内|底|末|初|中)?|${NOT_AFTER_NUMBER}月(内|底|末|初|中)`, 'g'),
    (m, ctx) => {
      const part = m[1] ?? m[2];
      const t = fromDayNumber(ctx.today);
      if (part === '初' || part === '中') {
        const current = monthRange(t.year, t.month, part);
        if (current[1] >= ctx.today) return current;
        const next = fromDayNumber(addMonths(dayOf(t.year, t.month, 1), 1));
        return monthRange(next.year, next.month, part);
      }
      const end = dayOf(t.year, t.month, daysInMonth(t.year, t.month));
      return part === '底' || part === '末' ? [Math.max(ctx.today, end - 9), end] : [ctx.today, end];
    },
  ],
  // 3月, 明年三月份, 12月底
  [
    new RegExp(`${YEAR}${NOT_AFTER_NUMBER}(${MONTH_NAME})月份?(初|上旬|中旬|中|下旬|底|末)?(?![\\d${CN}号日])`, 'g'),
    (m, ctx) => {
      const month = parseNumber(m[2] as string);
      if (month === null || month < 1 || month > 12) return undefined;
      const year = yearOffset(m[1], ctx);
      const make = (y: number) => monthRange(y, month, m[3]);
      return year === null ? upcoming(ctx, make) : make(year);
    },
  ],
  // 明年年初, 下半年, 年底, 年前, 年后
  [
    new RegExp(`${YEAR}${NOT_AFTER_NUMBER}(上半年|下半年|年初|年中|年底|年末|年终|年尾|年前|年后|年内|过完年|过了年|初|底|末)`, 'g'),
    (m, ctx) => {
      const yearText = m[1];
      let part = (m[2] as string).replace(/^过[完了]年$/, '年后');
      if (part.length === 1) {
        if (!yearText) return undefined; // 初/底 alone are not years
        part = `年${part}`;
      }
      const year = yearOffset(yearText, ctx);
      const t = fromDayNumber(ctx.today);
      const within = (y: number, m1: number, m2: number): Range => [dayOf(y, m1, 1), dayOf(y, m2, daysInMonth(y, m2))];
      if (part === '年前' || part === '年后') {
        // 年前/年后 are relative to the Spring Festival: the three weeks before, or after the holiday.
        const make = (y: number): Range => {
          const cny = lunarNewYear(y);
          return part === '年前' ? [cny - 21, cny - 1] : [cny + 7, cny + 27];
        };
        return year === null ? upcoming(ctx, make) : make(year);
      }
      if (part === '年内') return [ctx.today, dayOf(year ?? t.year, 12, 31)];
      const spans: Record<string, readonly [number, number]> = {
        上半年: [1, 6], 下半年: [7, 12], 年初: [1, 2], 年中: [6, 7], 年底: [12, 12], 年末: [12, 12], 年终: [12, 12], 年尾: [12, 12],
      };
      const [m1, m2] = spans[part] ?? [1, 12];
      if (year !== null) return within(year, m1, m2);
      return upcoming(ctx, (y) => within(y, m1, m2));
    },
  ],
  // 下个季度, 明年第二季度
  [
    /(这个|本|当前|下下|下)个?季度/g,
    (m, ctx) => {
      const t = fromDayNumber(ctx.today);
      const q = Math.floor((t.month - 1) / 3) + (m[1] === '下下' ? 2 : m[1] === '下' ? 1 : 0);
      const first = addMonths(dayOf(t.year, 1, 1), q * 3);
      return [q === Math.floor((t.month - 1) / 3) ? ctx.today : first, addMonths(first, 3) - 1];
    },
  ],
  [
    new RegExp(`${YEAR}(?:第)?([一二三四1-4])季度|q([1-4])`, 'g'),
    (m, ctx) => {
      const q = parseNumber((m[2] ?? m[3]) as string);
      if (q === null) return undefined;
      const make = (y: number): Range => [dayOf(y, q * 3 - 2, 1), dayOf(y, q * 3, daysInMonth(y, q * 3))];
      const year = yearOffset(m[1], ctx);
      return year === null ? upcoming(ctx, make) : make(year);
    },
  ],
  // 明年春天, 暑假
  [
    new RegExp(`${YEAR}(春天|春季|开春|初春|夏天|夏季|秋天|秋季|冬天|冬季|入冬|入秋|暑假|寒假)`, 'g'),
    (m, ctx) => {
      const season = m[2] as string;
      const make = (y: number): Range => {
        if (/开春|初春/.test(season)) return [dayOf(y, 2, 15), dayOf(y, 3, 31)];
        if (/春/.test(season)) return [dayOf(y, 3, 1), dayOf(y, 5, 31)];
        if (/夏/.test(season)) return [dayOf(y, 6, 1), dayOf(y, 8, 31)];
        if (/秋/.test(season)) return [dayOf(y, 9, 1), dayOf(y, 11, 30)];
        if (season === '暑假') return [dayOf(y, 7, 10), dayOf(y, 8, 31)];
        if (season === '寒假') return [dayOf(y, 1, 15), dayOf(y, 2, 25)];
        return [dayOf(y, 12, 1), dayOf(y + 1, 2, 28)];
      };
      const year = yearOffset(m[1], ctx);
      return year === null ? upcoming(ctx, make) : make(year);
    },
  ],
  [
    new RegExp(IMMEDIATE.map(([w]) => w).sort((a, b) => b.length - a.length).join('|'), 'g'),
    (m, ctx) => {
      const hit = IMMEDIATE.find(([w]) => w === m[0]);
      return hit ? [ctx.today + hit[1], ctx.today + hit[2]] : undefined;
    },
  ],
  // 15号 (this month if still ahead, else next month)
  [
    new RegExp(`(?<![\\d${CN}月])(${DAY_NAME})(?:号|日)(?!子|期)`, 'g'),
    (m, ctx) => {
      const day = parseNumber(m[1] as string);
      if (day === null || day < 1 || day > 31) return undefined;
      const t = fromDayNumber(ctx.today);
      const thisMonth = dayOf(t.year, t.month, Math.min(day, daysInMonth(t.year, t.month)));
      if (thisMonth >= ctx.today) return [thisMonth, thisMonth];
      const next = fromDayNumber(addMonths(dayOf(t.year, t.month, 1), 1));
      const d = dayOf(next.year, next.month, Math.min(day, daysInMonth(next.year, next.month)));
      return [d, d];
    },
  ],
  // 明年, 2027年, 今年
  [
    /(今年|明年|后年|大后年|(?:20)?\d{2}年)(?![\d零一二三四五六七八九十月初底末中前后内])/g,
    (m, ctx) => {
      const year = yearOffset(m[1], ctx);
      if (year === null) return undefined;
      return [Math.max(ctx.today, dayOf(year, 1, 1)), dayOf(year, 12, 31)];
    },
  ],
];

const NEVER =
  /(?:这辈子|下辈子|一辈子)(?:都|也)?不|没(?:有)?下次|不会有下次|再也不|永远不|不会再(?:来|买|去|用|光顾|回购|消费)|不(?:再)?(?:来|买|去|用|回购|光顾|消费)了|不会(?:来|买|去|回购)了|不打算(?:再)?(?:来|买|去|回购)|没(?:有)?(?:打算|计划)再(?:来|买|去|回购)|不可能(?:再)?(?:来|买|去)|不需要了|用不着了|没必要再|(?:绝对|肯定)不(?:会|来|买)|^不(?:会|了|买|来|去)$/;
// "暂时不买" or "近期不会来" postpone rather than refuse.
const POSTPONED = /暂时|近期|目前|短期内|这段时间|最近|现在/;
const POSTPONED_REFUSAL = /(?:暂时|近期|目前|短期内|这段时间|最近|现在)(?:还|也|都)?(?:不|没)/;
const UNDECIDED =
  /^等|等到?.{1,6}(?:的时候|之后|以后|了再|再说)|(?:有|搞|出)(?:活动|优惠|新品)|打折|的时候|不知道|不清楚|不确定|说不好|说不准|不好说|不一定|看情况|看看|再说|到时候|随缘|看心情|看需要|有需要|需要的时候|需要再|用完|没想好|还没想|没(?:有)?(?:这个|那个|什么)?(?:计划|打算|想法)|暂时不|暂时没|暂不|待定|未定|不定|没准|看时间|有空|有时间|有机会|以后|将来|改天|下次|等等看|再看看|考虑|没概念|不好讲|看吧|随时都/;

function overlaps(taken: boolean[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (taken[i]) return true;
  return false;
}

function chronoRange(text: string, taken: boolean[], ctx: TimingContext): { range: Range; span: Span } | null {
  const results = chronoZh.parse(text, { instant: ctx.now, timezone: ctx.offsetMinutes }, { forwardDate: true });
  for (const r of results) {
    if (overlaps(taken, r.index, r.index + r.text.length)) continue;
    if (!r.start.isCertain('day') && !r.start.isCertain('weekday')) continue;
    const day = dayOf(r.start.get('year') ?? 1970, r.start.get('month') ?? 1, r.start.get('day') ?? 1);
    if (day < ctx.today) continue;
    return { range: [day, day], span: [r.index, r.index + r.text.length] };
  }
  return null;
}

/**
 * Reads when a customer will buy again from a normalised reply, against today in the survey time
 * zone: relative expressions (下个月, 过两周, 两个月后, 三个月内), calendar parts (年底, 明年年初,
 * 下半年, 下个季度, 3月), festivals and shopping days (春节前, 五一, 国庆, 明年双十一; a festival that
 * has passed this year means next year's), weekdays and dates (chrono-node), "never" (不买了,
 * 再也不来) and "undecided" (暂时没计划, 说不好). Several expressions are joined into one range.
 *
 * @example
 * parseTimingReply('国庆节', ctx) // dated 2027-10-01…07, 6_12_months when today is 2026-11-23
 */
export function parseTimingReply(text: string, ctx: TimingContext): TimingReading {
  const bare = text.replace(/[\s,.!?~。，！？…]+$/, '');
  const never = NEVER.exec(bare);
  if (never && !POSTPONED.test(bare.slice(0, never.index))) {
    return { status: 'never', spans: [[never.index, never.index + never[0].length]] };
  }
  const postponed = POSTPONED_REFUSAL.exec(bare);
  if (postponed) return { status: 'undecided', spans: [[postponed.index, postponed.index + postponed[0].length]] };

  const taken = new Array<boolean>(text.length).fill(false);
  const spans: Span[] = [];
  let from = Infinity;
  let to = -Infinity;
  for (const [re, resolve] of MATCHERS) {
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (m[0] === '' || overlaps(taken, start, end)) continue;
      const range = resolve(m as RegExpExecArray, ctx);
      if (range === undefined) continue;
      for (let i = start; i < end; i++) taken[i] = true;
      spans.push([start, end]);
      // "今年不会了" rules that time out rather than naming it.
      if (range === null || /^(?:就|都|也|还|应该|肯定)?(?:不|没)/.test(text.slice(end))) continue;
      const lo = Math.max(range[0], ctx.today);
      if (range[1] < ctx.today) continue;
      from = Math.min(from, lo);
      to = Math.max(to, range[1]);
    }
  }
  if (from === Infinity) {
    const fromChrono = chronoRange(text, taken, ctx);
    if (fromChrono) {
      [from, to] = fromChrono.range;
      spans.push(fromChrono.span);
    }
  }
  if (from !== Infinity) return { status: 'dated', from, to, bucket: bucketForRange(from, to, ctx.today), spans };

  const undecided = UNDECIDED.exec(text) ?? (never ? never : null);
  if (undecided) return { status: 'undecided', spans: [[undecided.index, undecided.index + undecided[0].length]] };
  return { status: 'none' };
}
