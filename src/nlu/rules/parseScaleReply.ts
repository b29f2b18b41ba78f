import { parseNumber, NUMERAL_CHARS } from './parseNumber.ts';
import { splitClauses, type Span } from './normalizeText.ts';

export interface ScaleRange {
  min: number;
  max: number;
}

/** What a reply says about a numeric scale. */
export type ScaleReading =
  /**
   * `ambiguous` is set when the reply gave several different numbers, or a range ("七八分"), and
   * one was taken; `derived` when the score was worked out rather than stated (扣两分, 满分5分给4分
   * on a 0–10 scale, 十分之八).
   */
  | { status: 'score'; score: number; spans: Span[]; ambiguous: boolean; derived?: true; options?: number[] }
  | { status: 'out_of_range'; value: number; spans: Span[] }
  | { status: 'none' };

const NUM = `\\d+(?:\\.\\d+)?|[${NUMERAL_CHARS}]+点[零〇一二两三四五六七八九]|[${NUMERAL_CHARS}]+|zero|one|two|three|four|five|six|seven|eight|nine|ten`;
const NUM_RE = new RegExp(NUM, 'g');
// Statements that open with a number must start where a numeral run starts: tried from every
// position inside a run, each attempt re-read the rest of it (50,000 × "八" took most of a minute).
const RUN_START = `(?<![\\d${NUMERAL_CHARS}])`;
// "满分10分", "10分满分", "10分制", "总分十分": statements of the scale, not the customer's score.
const SCALE_STATEMENTS = [
  new RegExp(`(?:满分|总分|最高分?|一共|总共)(?:是|为|:|有)?\\s*(${NUM})\\s*(?:分|星)?(?:的话|来说|来算)?`, 'g'),
  // Not after 差/扣/减: "差一分满分" is a deduction, not a scale of one.
  new RegExp(`(?<!差|扣|减|加|离)${RUN_START}(${NUM})\\s*(?:分|星)?\\s*(?:是|为)?(?:满分|封顶)(?:的话|来说|来算)?`, 'g'),
  new RegExp(`${RUN_START}(${NUM})\\s*分制(?:的话|来说|来算)?`, 'g'),
  new RegExp(`${RUN_START}(${NUM})\\s*(?:分|颗星|个星|星|颗)\\s*(?:里面?|之中|当中|中)`, 'g'),
  new RegExp(`out of\\s*(${NUM})`, 'g'),
  new RegExp(`(?<=\\d\\s*)/\\s*(${NUM})`, 'g'),
];
const SCORE_UNIT = /^\s*(?:分(?!钟|之(?!间)|期|店|享|别|开|手|析|配|类|量|数|成|担|散|布|红|身)|颗星|个星(?!期)|星(?!期|座)|颗|points?|pts?|stars?)/;
// Numbers that count something else: dates, durations, money, people, times.
const OTHER_UNIT =
  /^\s*(?:分(?:钟|之(?!间)|期|店)|个|月|号|日|天|周|星期|礼拜|年|岁|次|元|块|毛|点(?!分)|小时|分钟|钟|折|倍|遍|人|位|件|盒|瓶|斤|公斤|kg|%|楼|米|km|克|g|cm|期|届|代|层|辆|台|张|本|条|家|晚|w|k|万|千|多|来岁|季|节|门|趟|杯|份|套|支|片|袋|包)/;
const GIVING_VERB = /(?:打|给|评|选|是|就|算|给个|打个|评个|选个|给出|打出)\s*$/;
const CORRECTION = /(?:改成|改为|应该是|其实是|更正为|更正|换成|不对|算了)\s*$/;
// A clause that asks rather than answers ("满分是10分吗", "打几分").
const INTERROGATIVE = /吗|什么|怎么|多少|几分|哪|是不是|可不可以|能不能|可以不|行不行|要不要|对吗|\?$/;
// The Chinese "十分/百分/十二分" before an adjective is an intensifier: 十分满意, 百分百满意.
const INTENSIFIER_NUMERALS = new Set(['十', '十二', '百']);
const PARTICLE_AFTER = /^(?:[的地得]?\s*)(?:$|[吧啊呀了哈嘛呢哦噢喔啦咯耶哇]|[^\u4e00-\u9fff])/;
// Every word here starts with a character no other word covers (打个 is 打 + 个), so a clause has one
// parse: overlapping words made a failing match backtrack exponentially ("打个"×30 + "x" took minutes).
const FILLER_CLAUSE = /^(?:我|就|给|打|评|选|个|吧|啊|呀|了|的|嗯|哦|呢|嘛|啦|算|是|分|那|先|大概|差不多|应该|可能|估计|也就|最多|至少|勉强)*$/;

interface Candidate {
  value: number;
  spans: Span[];
  strong: boolean;
  corrected: boolean;
  explicitUnit: boolean;
  /** Two numbers given as a range (7到8分, 七八分). */
  range: boolean;
  /** Counted in stars, which are out of five whatever the question's scale. */
  stars: boolean;
  /** The marks a range spans (七八分 → 7, 8; 8.5分 → 8, 9). */
  options: number[];
}

function consecutivePair(token: string): [number, number] | null {
  const chars = [...token];
  if (chars.length !== 2) return null;
  const a = parseNumber(chars[0] as string);
  const b = parseNumber(chars[1] as string);
  if (a === null || b === null) return null;
  return b === a + 1 ? [a, b] : null;
}

function readCandidates(text: string, offset: number, range: ScaleRange): Candidate[] {
  const out: Candidate[] = [];
  const tokens = [...text.matchAll(NUM_RE)];
  for (let k = 0; k < tokens.length; k++) {
    const m = tokens[k] as RegExpMatchArray;
    const token = m[0];
    const start = m.index ?? 0;
    let end = start + token.length;
    const before = text.slice(0, start);
    // The checks on what precedes a number look at a few characters; a bounded tail keeps each
    // of them constant-time, however many numbers a long clause holds.
    const near = before.slice(-12);
    const after = text.slice(end);
    if (/[a-z]$/.test(near) && /^[a-z]/.test(token)) continue;
    if (/^[a-z]/.test(token) && /^[a-z]/.test(after)) continue;
    if (/第\s*$/.test(near)) continue; // ordinal: 第3次
    if (/(?:扣|减|扣掉|减掉|减去|去掉|(?<!至|最)少|(?<!不)差|加|加上|再加|多给)[了的]?\s*$/.test(near)) continue; // arithmetic: 扣一分, 再加1分
    const isChinese = /^[^\da-z]/.test(token);
    if (isChinese && INTENSIFIER_NUMERALS.has(token) && /^\s*分/.test(after)) {
      const rest = after.replace(/^\s*分/, '');
      if (!PARTICLE_AFTER.test(rest) && !GIVING_VERB.test(near)) continue;
    }
    let low: number | null = parseNumber(token);
    let high: number | null = low;
    let isRange = false;
    const pair = isChinese ? consecutivePair(token) : null;
    // 八九分 = 8 or 9; 九十分 = 9 or 10 when 90 is off the scale.
    if (pair && (low === null || low > range.max || /^[^十]{2}$/.test(token))) {
      [low, high] = pair;
      isRange = true;
    }
    if (low === null || high === null) continue;
    // Ranges: 7到8分, 7-8分, 7或8分.
    const joined = new RegExp(`^\\s*(?:分|星)?\\s*(?:到|至|-|~|或者?|、|和|跟)\\s*(${NUM})`).exec(after);
    let unitText = after;
    if (joined) {
      const second = parseNumber(joined[1] as string);
      if (second !== null) {
        high = second;
        isRange = second !== low;
        end += joined[0].length;
        unitText = text.slice(end);
        k++; // the second number belongs to this candidate
      }
    }
    const hasUnit = SCORE_UNIT.test(unitText);
    if (!hasUnit && OTHER_UNIT.test(unitText)) continue;
    const unitMatch = hasUnit ? SCORE_UNIT.exec(unitText) : null;
    const unitEnd = end + (unitMatch ? unitMatch[0].length : 0);
    const giving = GIVING_VERB.test(near);
    const whole = FILLER_CLAUSE.test(before.trim()) && FILLER_CLAUSE.test(text.slice(unitEnd).replace(/[\s!.~]/g, ''));
    // A Chinese numeral after 给/打 counts only when nothing follows it: 给八 yes, 还是一样 no.
    const strong = hasUnit || whole || (giving && (!isChinese || PARTICLE_AFTER.test(unitText)));
    // A bare Chinese numeral inside words (一般, 一定, 十分满意) is not a score.
    if (isChinese && !strong) continue;
    let value = Math.min(low, high);
    // "给90分" on a 0–10 scale means 9: people think in percent.
    if (hasUnit && /^\s*分/.test(unitText) && value >= 50 && value <= 100 && range.max <= 10 && range.max < value) {
      value = value === 100 ? range.max : (value / 100) * range.max;
    }
    out.push({
      value: Math.floor(value),
      spans: [[offset + start, offset + unitEnd]],
      strong,
      corrected: CORRECTION.test(near),
      explicitUnit: hasUnit,
      // 8.5分 is between two marks too.
      range: isRange || !Number.isInteger(value),
      stars: unitMatch !== null && /星|颗/.test(unitMatch[0]),
      options: [...new Set([Math.floor(value), Math.ceil(Math.max(value, Math.min(high, range.max)))])],
    });
  }
  return out;
}

function maskScaleStatements(text: string): { masked: string; max: number | null; spans: Span[] } {
  let masked = text;
  let max: number | null = null;
  const spans: Span[] = [];
  for (const re of SCALE_STATEMENTS) {
    for (const m of masked.matchAll(re)) {
      const start = m.index ?? 0;
      max = parseNumber(m[1] as string);
      spans.push([start, start + m[0].length]);
      masked = masked.slice(0, start) + ' '.repeat(m[0].length) + masked.slice(start + m[0].length);
    }
  }
  return { masked, max, spans };
}

interface Operation {
  start: number;
  delta: number;
  span: Span;
  /** Followed by a reason ("扣一分是因为…"): it may explain a score already given. */
  explains: boolean;
}

// The number before the operations is where the customer started from.
const BASELINE = /本来|原本|原来|本想|打算|准备|想给|想打/;
const REASON_AFTER = /^\s*(?:是|的话)?\s*(?:因为|由于|主要|原因|扣在|扣的是)/;

const OPERATION = new RegExp(
  `(扣|减|扣掉|减掉|减去|去掉|少给|加|加上|再加|多给|差)[了的]?\\s*(${NUM})\\s*(?:分|颗星|个星|星|颗)(?!钟|之)`,
  'g',
);

/** Deductions and additions of points: 扣两分 (−2), 再加1分 (+1), 差一分满分 (−1). */
function readOperations(text: string): Operation[] {
  const out: Operation[] = [];
  for (const m of text.matchAll(OPERATION)) {
    const n = parseNumber(m[2] as string);
    if (n === null) continue;
    // 差 counts down from full marks only when full marks are named: 离满分差两分.
    if (m[1] === '差' && !/满分/.test(text)) continue;
    const start = m.index ?? 0;
    const end = start + m[0].length;
    // "扣的两分给前台" names the points already taken off; "扣两分" takes them off.
    const explains = REASON_AFTER.test(text.slice(end)) || /^[^\d零一二两三四五六七八九十]*的/.test(m[0].slice((m[1] as string).length));
    out.push({ start, delta: /^(?:加|加上|再加|多给)$/.test(m[1] as string) ? n : -n, span: [start, end], explains });
  }
  return out;
}

function sumOf(operations: readonly Operation[]): number {
  return operations.reduce((sum, o) => sum + o.delta, 0);
}

function clampToRange(value: number, range: ScaleRange): number {
  return Math.max(range.min, Math.min(range.max, value));
}

function derived(value: number, range: ScaleRange, spans: Span[]): ScaleReading {
  const reading = inRange(value, range, spans);
  return reading.status === 'score' ? { ...reading, derived: true } : reading;
}

/** "十分之八", "5分之4": a fraction of the scale. */
function readFraction(text: string, range: ScaleRange): ScaleReading | null {
  const m = new RegExp(`${RUN_START}(${NUM})\\s*分之\\s*(${NUM})`).exec(text);
  if (!m) return null;
  const whole = parseNumber(m[1] as string);
  const part = parseNumber(m[2] as string);
  if (whole === null || part === null || whole <= 0 || part > whole) return null;
  const span: Span = [m.index, m.index + m[0].length];
  const value = Math.round(range.min + (part / whole) * (range.max - range.min));
  return whole === range.max ? inRange(part, range, [span]) : derived(value, range, [span]);
}

function inRange(value: number, range: ScaleRange, spans: Span[], ambiguous = false): ScaleReading {
  return value >= range.min && value <= range.max
    ? { status: 'score', score: value, spans, ambiguous }
    : { status: 'out_of_range', value, spans };
}

/**
 * Reads a numeric score from a normalised reply on a min–max scale: digits and Chinese numerals
 * with 分/星 ("九分吧", "给个6分", "两星"), star glyphs, 满分/零分/零蛋, and the giving score when
 * the scale is stated too ("满分10分，我给8分" → 8). A range ("七八分", "7到8分", "8.5分") takes
 * the lower number. "十分满意" is an intensifier, not 10; numbers with other units (3月, 30分钟,
 * 2次) are ignored; numbers inside a question ("满分是10分吗") are not answers.
 *
 * @example
 * parseScaleReply('10分满分我给9分', { min: 0, max: 10 }) // { status: 'score', score: 9, … }
 */
export function parseScaleReply(text: string, range: ScaleRange): ScaleReading {
  const statement = maskScaleStatements(text);
  const masked = statement.masked;

  // "一分都不想给", "一颗星也不给": below the lowest mark.
  const notEvenOne = /[一1]\s*(?:分|颗星|个星|星)\s*(?:都|也)\s*(?:不|没)/.exec(masked);
  if (notEvenOne) return inRange(range.min <= 0 ? 0 : range.min, range, [[notEvenOne.index, notEvenOne.index + notEvenOne[0].length]]);
  const zeroEgg = /[零0]蛋|鸭蛋/.exec(masked);
  if (zeroEgg) return inRange(0, range, [[zeroEgg.index, zeroEgg.index + zeroEgg[0].length]]);
  const lowest = /负分|最低分/.exec(masked);
  if (lowest) return inRange(range.min, range, [[lowest.index, lowest.index + lowest[0].length]]);

  const fraction = readFraction(masked, range);
  if (fraction) return fraction;

  const candidates: Candidate[] = [];
  for (const clause of splitClauses(masked)) {
    if (INTERROGATIVE.test(clause.text) && !/吧\s*$/.test(clause.text)) continue;
    candidates.push(...readCandidates(clause.text, clause.start, range));
  }
  const stars = [...masked.matchAll(/[★⭐🌟]/gu)];
  if (candidates.length === 0 && stars.length > 0) {
    return inRange(stars.length, range, stars.map((s) => [s.index ?? 0, (s.index ?? 0) + s[0].length] as Span));
  }
  const operations = readOperations(masked);
  if (candidates.length > 0) {
    const strong = candidates.filter((c) => c.strong);
    const pool = strong.length > 0 ? strong : candidates;
    const pick = [...pool].reverse().find((c) => c.corrected) ?? (pool[pool.length - 1] as Candidate);
    const distinct = new Set(pool.map((c) => c.value)).size;
    const spans = [...pick.spans, ...statement.spans];
    const ambiguous = (distinct > 1 && !pick.corrected) || pick.range;
    // "10分扣掉2分" works from the number stated before the operations; a number stated after
    // them ("9分，扣1分，8分吧") is already the result.
    const lastOperation = operations[operations.length - 1];
    // "打九分，扣一分是因为停车不方便" explains the 9; "本来给9分，减3分" works from it.
    const worksFromIt = operations.some((o) => !o.explains) || BASELINE.test(masked);
    if (lastOperation && worksFromIt && (pick.spans[0]?.[0] ?? 0) < lastOperation.start) {
      return derived(clampToRange(pick.value + sumOf(operations), range), range, [...spans, ...operations.map((o) => o.span)]);
    }
    // "五颗星" on a 0–10 question: stars are out of five.
    if (pick.stars && statement.max === null && range.max !== 5 && pick.value <= 5) {
      return derived(Math.round(range.min + (pick.value / 5) * (range.max - range.min)), range, spans);
    }
    // "满分5分，我给4分" on a 0–10 question: the customer's own scale, carried over.
    if (statement.max !== null && statement.max !== range.max && statement.max > range.min && pick.value <= statement.max) {
      return derived(Math.round((pick.value / statement.max) * range.max), range, spans);
    }
    const reading = inRange(pick.value, range, spans, ambiguous);
    if (reading.status !== 'score' || !ambiguous) return reading;
    // What the conversation may offer when it asks which: the range's marks, or every number given.
    const offered = pick.range ? pick.options : [...new Set(pool.map((c) => c.value))];
    return { ...reading, options: offered.filter((v) => v >= range.min && v <= range.max) };
  }
  // "原本打算打满分，减两分", "扣一分", "离满分差两分": from the top mark.
  if (operations.length > 0) return derived(clampToRange(range.max + sumOf(operations), range), range, operations.map((o) => o.span));

  // 及格 is the pass mark, 60% of the scale.
  const pass = /(?<!不|没|刚)及格(?:分|线)?/.exec(masked);
  if (pass) return derived(Math.round(range.min + 0.6 * (range.max - range.min)), range, [[pass.index, pass.index + pass[0].length]]);
  const full = /(?<!离|差|不到|没到|不是|没有|不给|不能给|不会给|不可能给)(?:满分|满昏|满星|全星|一百分|100分)/.exec(masked);
  const fullClause = full ? splitClauses(masked).find((c) => c.start <= full.index && full.index < c.start + c.text.length) : undefined;
  if (full && !(fullClause && INTERROGATIVE.test(fullClause.text) && !/吧\s*$/.test(fullClause.text))) {
    return inRange(range.max, range, [[full.index, full.index + full[0].length], ...statement.spans]);
  }
  // Only the scale was stated ("10分满分!"): that is the top mark.
  if (statement.max !== null && !INTERROGATIVE.test(text)) return inRange(range.max, range, statement.spans);
  return { status: 'none' };
}
