import { foldText } from '../../core/foldText.ts';

/**
 * One canonical form for every rule: `foldText` (NFKC, so full-width digits, letters and
 * punctuation become ASCII; lower case; traditional characters folded to simplified; no
 * variation selectors) and single spaces. All rule parsers read this string and report spans in it.
 */

/**
 * Returns the canonical form of a customer reply that every rule parser reads.
 *
 * @example
 * normalizeText('１０分！還不錯') // '10分!还不错'
 */
export function normalizeText(text: string): string {
  return foldText(text).replace(/\s+/g, ' ').trim();
}

/** Punctuation, spaces and symbols that carry no answer by themselves. */
export const PUNCTUATION = /[\s,.;:!?~'"`()[\]{}<>\-_/\\|@#$%^&*+=。、，；：！？…—～·「」『』【】《》〈〉“”‘’]/g;

/** Pictographic emoji (variation selectors are already gone after normalisation). */
export const EMOJI = /\p{Extended_Pictographic}/gu;

/** Splits normalised text into clauses at punctuation; keeps decimals such as 8.5 intact. */
export function splitClauses(text: string): Array<{ text: string; start: number }> {
  const clauses: Array<{ text: string; start: number }> = [];
  // A tilde between numbers is a range (6~7分), elsewhere it is decoration (好的~).
  const boundary = /[,;!?。，；！？…\n]+|~(?![\s\d零一二两三四五六七八九十])|\s+|\.(?!\d)/g;
  let last = 0;
  for (const m of text.matchAll(boundary)) {
    if (m.index > last) clauses.push({ text: text.slice(last, m.index), start: last });
    last = m.index + m[0].length;
  }
  if (last < text.length) clauses.push({ text: text.slice(last), start: last });
  return clauses;
}

/** A half-open [start, end) range in the normalised text that a rule explained. */
export type Span = readonly [number, number];

/**
 * What is left of the text once the explained spans, filler words, punctuation and emoji are
 * taken out; an empty remainder means the rules understood the whole reply. Fillers are matched
 * on the original text, so a span cutting through 现在 does not leave 现 behind.
 */
export function residualText(text: string, spans: readonly Span[], fillers: RegExp): string {
  const covered = new Array<boolean>(text.length).fill(false);
  const mark = (start: number, end: number) => {
    for (let i = start; i < end; i++) covered[i] = true;
  };
  for (const [s, e] of spans) mark(s, e);
  for (const re of [fillers, PUNCTUATION, EMOJI]) {
    for (const m of text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`))) {
      mark(m.index ?? 0, (m.index ?? 0) + m[0].length);
    }
  }
  let rest = '';
  for (let i = 0; i < text.length; i++) if (!covered[i]) rest += text[i];
  return rest;
}
