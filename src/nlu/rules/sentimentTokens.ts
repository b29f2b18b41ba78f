import { LONGEST_BY_FIRST, SENTIMENT_LEXICON, type LexiconEntry } from './sentimentLexicon.ts';

/** A lexicon word, a clause boundary, or any other character. */
export type SentimentToken =
  | { kind: 'entry'; entry: LexiconEntry; start: number; end: number; text: string }
  | { kind: 'boundary'; start: number; end: number }
  | { kind: 'other'; start: number; end: number };

const BOUNDARY = /[,;!?~。，；！？…\n]/;
const ASCII_WORD = /^[a-z]+$/;

/** Splits a normalised reply into the longest lexicon words, boundaries and other characters. */
export function tokenizeSentiment(text: string): SentimentToken[] {
  const tokens: SentimentToken[] = [];
  let i = 0;
  while (i < text.length) {
    const matched = lexiconWordAt(text, i);
    if (matched) {
      tokens.push(matched);
      i = matched.end;
      continue;
    }
    // Surrogate pairs (emoji) advance by their full length.
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + width);
    tokens.push({ kind: BOUNDARY.test(ch) ? 'boundary' : 'other', start: i, end: i + width });
    i += width;
  }
  markAcknowledgements(text, tokens);
  markVeryAdverbs(tokens);
  return tokens;
}

/** The longest lexicon word starting at `i`, if any. */
function lexiconWordAt(text: string, i: number): SentimentToken | null {
  const longest = LONGEST_BY_FIRST.get(text.charAt(i));
  if (longest === undefined) return null;
  for (let len = Math.min(longest, text.length - i); len >= 1; len--) {
    const piece = text.slice(i, i + len);
    const entry = SENTIMENT_LEXICON.get(piece);
    if (!entry) continue;
    // English words only count as whole words (good, not goodbye).
    if (ASCII_WORD.test(piece) && (/[a-z]/.test(text[i - 1] ?? '') || /[a-z]/.test(text[i + len] ?? ''))) continue;
    return { kind: 'entry', entry, start: i, end: i + len, text: piece };
  }
  return null;
}

/** "好的/好吧" opening a clause is an acknowledgement ("好的，满意"), not praise. */
function markAcknowledgements(text: string, tokens: SentimentToken[]): void {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    const after = tokens[k + 2];
    if (
      t?.kind === 'entry' &&
      t.text === '好' &&
      (prev === undefined || prev.kind === 'boundary') &&
      next?.kind === 'other' &&
      /^[的吧]$/.test(text.slice(next.start, next.end)) &&
      (after === undefined || after.kind === 'boundary' || /\s/.test(text.slice(after.start, after.end)))
    ) {
      tokens[k] = { ...t, entry: { kind: 'ignore' } };
    }
  }
}

/** "好" right before another polar word is the adverb "very" (好贵, 好开心). */
function markVeryAdverbs(tokens: SentimentToken[]): void {
  for (let k = 0; k + 1 < tokens.length; k++) {
    const t = tokens[k];
    const next = tokens[k + 1];
    if (t?.kind === 'entry' && t.text === '好' && next?.kind === 'entry' && next.entry.kind === 'polar' && next.start === t.end) {
      tokens[k] = { ...t, entry: { kind: 'degree', factor: 1.4 } };
    }
  }
}
