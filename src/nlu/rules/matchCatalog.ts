import type { CatalogItem } from '../../core/analysis.ts';
import { CATALOG_JOINERS, catalogKey } from '../../core/foldText.ts';
import type { Span } from './normalizeText.ts';

/** One place a catalogue item is named in a normalised reply. */
export interface CatalogMention {
  id: string;
  /** Where, in the normalised text. */
  span: Span;
  /** Found by a one-character typo rather than an exact name or synonym. */
  fuzzy: boolean;
}

interface Term {
  key: string;
  id: string;
  /** Letters and digits only: matched as whole words, typos by edit distance. */
  ascii: boolean;
}

interface CompiledCatalog {
  terms: Term[];
  keys: ReadonlySet<string>;
}

const ASCII_TERM = /^[a-z0-9]+$/;
const JOINER = new RegExp(CATALOG_JOINERS.source);
const ASCII_CHAR = /[a-z0-9]/;
const HAN = /\p{Script=Han}/u;

/**
 * Typo matching is bounded so it cannot invent items: Chinese names need four characters or more
 * and may differ in one character that is not the first (面部护里, 空调唯修), since with three a
 * single wrong character is often another product (超声刀 / 超声波) and a different first character
 * usually names another thing (头部护理, 背部护理 are not 面部护理). Three-character typos such as
 * 热玛奇 go into the catalogue as synonyms. English names need five letters or more and may be one
 * edit (insert, delete, replace, swap) away: thermage / themage.
 */
const MIN_FUZZY_HAN = 4;
const MIN_FUZZY_ASCII = 5;

// A flow's catalogue arrives with every request (from the session's stored `awaiting`); compiling
// it is cheap, but most requests repeat one of a handful, so the last few are kept.
const compiled = new Map<string, CompiledCatalog>();
const MAX_COMPILED = 32;

function compile(catalog: readonly CatalogItem[]): CompiledCatalog {
  const cacheKey = JSON.stringify(catalog);
  const hit = compiled.get(cacheKey);
  if (hit) return hit;
  const terms: Term[] = [];
  for (const item of catalog) {
    for (const word of [item.name, ...(item.synonyms ?? [])]) {
      const key = catalogKey(word);
      // One-character words would match inside unrelated words; the flow validator refuses them.
      if ([...key].length < 2 || terms.some((t) => t.key === key)) continue;
      terms.push({ key, id: item.id, ascii: ASCII_TERM.test(key) });
    }
  }
  const result = { terms, keys: new Set(terms.map((t) => t.key)) };
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(cacheKey, result);
  return result;
}

/** The text without spaces, hyphens and dots (as catalogue keys are), and where each character was. */
function compact(text: string): { text: string; at: number[] } {
  let out = '';
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (JOINER.test(ch)) continue;
    out += ch;
    at.push(i);
  }
  return { text: out, at };
}

/**
 * Finds the catalogue items a normalised reply names: exact names and synonyms first (the longest
 * wins where two overlap, so 水光针 beats 水光), then bounded typos in what is left. English words
 * match whole words only, case and width folded (ＴＨＥＲＭＡＧＥ, thermage). Mentions come in text
 * order; an item may appear more than once.
 *
 * @example
 * matchCatalog('想做熱瑪吉', [{ id: 'thermage', name: '热玛吉' }]) // [{ id: 'thermage', span: [2, 5], fuzzy: false }]
 */
export function matchCatalog(text: string, catalog: readonly CatalogItem[]): CatalogMention[] {
  if (catalog.length === 0 || text === '') return [];
  const { terms, keys } = compile(catalog);
  const flat = compact(text);
  const toSpan = (start: number, length: number): Span => [flat.at[start] as number, (flat.at[start + length - 1] as number) + 1];
  const wholeWord = ([start, end]: Span): boolean => !ASCII_CHAR.test(text[start - 1] ?? '') && !ASCII_CHAR.test(text[end] ?? '');

  const exact: CatalogMention[] = [];
  for (const term of terms) {
    for (let at = flat.text.indexOf(term.key); at >= 0; at = flat.text.indexOf(term.key, at + 1)) {
      const span = toSpan(at, term.key.length);
      if (!term.ascii || wholeWord(span)) exact.push({ id: term.id, span, fuzzy: false });
    }
  }
  const taken = new Uint8Array(text.length);
  const picked = pickLongest(exact, taken);
  const typos = terms.flatMap((term) =>
    term.ascii ? asciiTypos(text, term, keys) : hanTypos(flat.text, term, keys).map(([start, length]) => ({ id: term.id, span: toSpan(start, length), fuzzy: true })),
  );
  // Typos only where no exact name was found.
  picked.push(...pickLongest(typos, taken));
  return picked.sort((a, b) => a.span[0] - b.span[0]);
}

/**
 * Non-overlapping mentions, the longest first (then the earliest), marking what they cover in
 * `taken` (one flag per character, so a long reply with many mentions stays linear).
 */
function pickLongest(mentions: readonly CatalogMention[], taken: Uint8Array): CatalogMention[] {
  const byLength = [...mentions].sort((a, b) => b.span[1] - b.span[0] - (a.span[1] - a.span[0]) || a.span[0] - b.span[0]);
  const kept: CatalogMention[] = [];
  for (const m of byLength) {
    const [start, end] = m.span;
    if (taken.subarray(start, end).some((t) => t === 1)) continue;
    taken.fill(1, start, end);
    kept.push(m);
  }
  return kept;
}

/**
 * Windows of the compact text that differ from a Chinese term in exactly one Han character, not the first.
 * One wrong character leaves one half of the term intact, so only windows around an exact
 * occurrence of either half are compared: linear in the text, not quadratic.
 */
function hanTypos(flat: string, term: Term, keys: ReadonlySet<string>): Array<[start: number, length: number]> {
  const chars = [...term.key];
  if (chars.length < MIN_FUZZY_HAN || chars.length !== term.key.length) return [];
  const half = Math.floor(term.key.length / 2);
  const starts = new Set<number>();
  for (const [piece, offset] of [
    [term.key.slice(0, half), 0],
    [term.key.slice(half), half],
  ] as const) {
    for (let at = flat.indexOf(piece); at >= 0; at = flat.indexOf(piece, at + 1)) {
      if (at - offset >= 0) starts.add(at - offset);
    }
  }
  const found: Array<[number, number]> = [];
  for (const start of starts) {
    const window = flat.slice(start, start + term.key.length);
    if (window.length !== term.key.length || keys.has(window)) continue;
    const differing = [...window].flatMap((ch, i) => (ch === term.key[i] ? [] : [{ ch, i }]));
    const [only] = differing;
    if (differing.length === 1 && only !== undefined && only.i > 0 && HAN.test(only.ch)) found.push([start, term.key.length]);
  }
  return found;
}

/** Whole English words one edit away from an English term of five letters or more. */
function asciiTypos(text: string, term: Term, keys: ReadonlySet<string>): CatalogMention[] {
  if (term.key.length < MIN_FUZZY_ASCII) return [];
  const found: CatalogMention[] = [];
  for (const m of text.matchAll(/[a-z0-9]+/g)) {
    const word = m[0];
    if (word !== term.key && !keys.has(word) && Math.abs(word.length - term.key.length) <= 1 && withinOneEdit(word, term.key)) {
      found.push({ id: term.id, span: [m.index, m.index + word.length], fuzzy: true });
    }
  }
  return found;
}

/** Damerau–Levenshtein distance ≤ 1: one insertion, deletion, substitution or swap of neighbours. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
