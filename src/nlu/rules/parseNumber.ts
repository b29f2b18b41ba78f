/** Chinese numeral characters (common and financial forms) the rules read as digits. */
export const NUMERAL_CHARS = '零〇一二两三四五六七八九十百壹贰叁肆伍陆柒捌玖拾佰幺';

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 幺: 1, 二: 2, 两: 2, 贰: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100 };

const ENGLISH: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
};

/**
 * Reads one numeral token: ASCII digits with an optional decimal part, Chinese numerals
 * ("九", "十", "二十一", "一百零五", "两"), digit-by-digit Chinese ("一零"), or an English word
 * up to ten. Returns null for anything else. Full-width digits must be normalised first.
 *
 * @example
 * parseNumber('十') // 10
 * parseNumber('8.5') // 8.5
 */
export function parseNumber(token: string): number | null {
  const t = token.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t in ENGLISH) return ENGLISH[t] ?? null;
  // 七点五 = 7.5
  const point = /^(.+)点([零〇一二两三四五六七八九]+)$/.exec(t);
  if (point) {
    const whole = parseNumber(point[1] as string);
    const fraction = [...(point[2] as string)].map((c) => DIGITS[c]).join('');
    return whole === null ? null : Number(`${whole}.${fraction}`);
  }
  if (t === '' || [...t].some((c) => !(c in DIGITS) && !(c in UNITS))) return null;
  if (![...t].some((c) => c in UNITS)) {
    // No 十/百: spoken digit by digit, e.g. 一零 = 10.
    return Number([...t].map((c) => DIGITS[c]).join(''));
  }
  let total = 0;
  let current: number | null = null;
  let lastUnit = Infinity;
  for (const c of t) {
    const digit = DIGITS[c];
    const unit = UNITS[c];
    if (digit !== undefined) {
      if (current !== null && current !== 0 && digit !== 0) return null; // two digits in a row: 三四十
      current = digit;
    } else if (unit !== undefined) {
      if (unit >= lastUnit) return null; // 十十, 十百
      total += (current ?? 1) * unit;
      current = null;
      lastUnit = unit;
    }
  }
  return total + (current ?? 0);
}
