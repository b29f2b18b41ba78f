/**
 * Masks personal numbers in customers' free text before it leaves the store: logs, advisor
 * alerts, webhooks, exports and the LLM. Pure and dependency-free so every layer may call it.
 *
 * What counts (mainland China formats, full-width digits included):
 * - email addresses → `z***@example.com`
 * - resident ID numbers, 18 digits (last may be X) or the old 15, checked by region and birth
 *   date rather than by checksum: a mistyped ID is still someone's ID → `1101**********123X`
 * - bank cards, 16–19 digits (in groups of 4 or not) that pass the Luhn check: long order
 *   numbers usually do not, and an ID has already been taken out by then → `6222***********0123`
 * - mobile numbers 13x–19x, with spaces or dashes, as 3-4-4 with dots, with +86 / 0086 / 86,
 *   also glued to letters (`tel13812345678`, `wx…`, `…abc`) → `138****5678`
 * - landlines with an area code (010-12345678, 0755 8888 9999, (021)61234567) → `010-****5678`
 *
 * Scores, dates, prices and short order numbers are left alone: every pattern needs an 11+ digit
 * number or a leading area code and refuses to start or end inside a longer run of digits. Mobile
 * and ID numbers may touch letters (people write `tel`/`wx` before them), but not a token that has
 * other digits too (a hex id, `A1B13812345678`); cards and landlines must stand apart from letters,
 * because courier and order numbers look like them (`YT1234567890123456`).
 *
 * @example
 * maskPii('我手机 138 1234 5678，邮箱 zhang@example.com') // '我手机 138****5678，邮箱 z***@example.com'
 */
export function maskPii(text: string): string {
  if (!MAY_HOLD_PII.test(text)) return text;
  // Full-width digits and punctuation are folded one UTF-16 unit for one, so indexes found in
  // the folded text are indexes in the original and untouched parts are copied as written.
  let folded = foldDigits(text);
  let out = text;
  for (const rule of RULES) {
    const next = replaceSpans(out, folded, rule);
    out = next.original;
    folded = next.folded;
  }
  return out;
}

/** True when {@link maskPii} would change the text. */
export function containsPii(text: string): boolean {
  return maskPii(text) !== text;
}

/** Cheap pre-check: nothing to mask without an @ or a run of 7 (possibly full-width) digits. */
const MAY_HOLD_PII = /[@＠]|(?:[0-9０-９][\s\-－()（）.．]?){7}/;

interface Rule {
  pattern: RegExp;
  /** The masked text, or null when the match is not what the rule is after (left as is). */
  mask: (match: RegExpExecArray) => string | null;
}

const SEP = '[ \\-]?';
/** Starts after a non-digit, and any letters glued in front follow no digit (no `A1B…`, no hex id). */
const GLUED_START = '(?<![0-9])(?<![0-9][A-Za-z]+)';
/** Ends before a non-digit, and any letters glued behind lead to no digit. */
const GLUED_END = '(?![0-9])(?![A-Za-z]+[0-9])';

const RULES: readonly Rule[] = [
  {
    pattern: /[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    mask: (m) => `${m[0][0]}***${m[0].slice(m[0].indexOf('@'))}`,
  },
  {
    // 18-digit ID in one piece or as 6-8-4 groups; 15-digit (pre-1999) ID in one piece.
    pattern: new RegExp(`${GLUED_START}(?:\\d{6}${SEP}\\d{8}${SEP}\\d{3}[0-9Xx]|\\d{15})${GLUED_END}`, 'g'),
    mask: (m) => {
      const id = m[0].replace(/[ -]/g, '');
      if (!isResidentId(id)) return null;
      return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
    },
  },
  {
    pattern: new RegExp(`(?<![0-9A-Za-z])\\d(?:${SEP}\\d){15,18}(?![0-9A-Za-z])`, 'g'),
    mask: (m) => {
      const card = m[0].replace(/[ -]/g, '');
      if (!passesLuhn(card)) return null;
      return `${card.slice(0, 4)}${'*'.repeat(card.length - 8)}${card.slice(-4)}`;
    },
  },
  {
    // Digits one by one with an optional space or dash between, or 3-4-4 with dots (138.1234.5678).
    pattern: new RegExp(`${GLUED_START}(?<!\\+)((?:\\+|00)?86${SEP})?(1[3-9]\\d(?:(?:${SEP}\\d){8}|\\.\\d{4}\\.\\d{4}))${GLUED_END}`, 'g'),
    mask: (m) => {
      const digits = (m[2] ?? '').replace(/[ .-]/g, '');
      return `${m[1] ?? ''}${digits.slice(0, 3)}****${digits.slice(-4)}`;
    },
  },
  {
    // Area codes: 010 and 02x are three digits, the rest four (so 013… is never one); local
    // numbers 7–8 digits not starting with 0; an extension may follow.
    pattern: new RegExp(
      `(?<![0-9A-Za-z])(\\(0(?:10|2\\d|[3-9]\\d{2})\\)|0(?:10|2\\d|[3-9]\\d{2}))${SEP}([1-9]\\d{2,3}${SEP}\\d{4})(?:-\\d{1,5})?(?![0-9A-Za-z])`,
      'g',
    ),
    mask: (m) => {
      const local = (m[2] ?? '').replace(/[ -]/g, '');
      const area = (m[1] ?? '').replace(/[()]/g, '');
      return `${area}-****${local.slice(-4)}`;
    },
  },
];

function replaceSpans(original: string, folded: string, rule: Rule): { original: string; folded: string } {
  let outOriginal = '';
  let outFolded = '';
  let last = 0;
  rule.pattern.lastIndex = 0;
  for (let m = rule.pattern.exec(folded); m !== null; m = rule.pattern.exec(folded)) {
    const masked = rule.mask(m);
    if (masked === null) continue;
    outOriginal += original.slice(last, m.index) + masked;
    outFolded += folded.slice(last, m.index) + masked;
    last = m.index + m[0].length;
  }
  return { original: outOriginal + original.slice(last), folded: outFolded + folded.slice(last) };
}

/** Full-width digits, letters and the punctuation numbers are written with, as ASCII, 1:1. */
function foldDigits(text: string): string {
  return text.replace(/[０-９Ａ-Ｚａ-ｚ＋－＠．（）\u3000—–]/g, (c) => {
    if (c === '\u3000') return ' ';
    if (c === '—' || c === '–') return '-';
    return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
  });
}

/** Province codes (first two digits) that resident IDs are issued under. */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
  61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
]);

/** Region and birth date of an 18- or 15-digit resident ID are plausible. */
export function isResidentId(id: string): boolean {
  if (!PROVINCES.has(Number(id.slice(0, 2)))) return false;
  const birth = id.length === 18 ? id.slice(6, 14) : `19${id.slice(6, 12)}`;
  const year = Number(birth.slice(0, 4));
  const month = Number(birth.slice(4, 6));
  const day = Number(birth.slice(6, 8));
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The Luhn check digit every UnionPay, Visa and Mastercard number carries. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Keys whose values are our identifiers and links, never a customer's words: left as they are,
 * because an id is random hex or digits and one in a few thousand would otherwise look like a
 * card number (a masked `sessionId` in a webhook is a reference the receiver can no longer follow).
 */
const IDENTIFIER_KEY = /^(?:_?id|ids|links?|url|.*(?:Id|Ids|Key|Url))$/;

/**
 * {@link maskPii} applied to every string inside plain objects and arrays (a copy; the input is
 * not changed), except under identifier keys (`id`, `sessionId`, `eventKey`, `links`, `url`…).
 * Dates, errors, buffers and other class instances are returned as they are, and nesting deeper
 * than `maxDepth` is left alone rather than walked (log objects may be cyclic).
 *
 * @example
 * maskPiiDeep({ sessionId: '6921…', answers: [{ raw: '13812345678' }] }) // { sessionId: '6921…', answers: [{ raw: '138****5678' }] }
 */
export function maskPiiDeep<T>(value: T, maxDepth = 8): T {
  return walk(value, maxDepth) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth - 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = IDENTIFIER_KEY.test(k) ? v : walk(v, depth - 1);
  return out;
}
