import type { SentimentLabel } from '../../core/analysis.ts';
import type { Span } from './normalizeText.ts';
import { LONGEST_ENTRY, SENTIMENT_LEXICON, type LexiconEntry } from './sentimentLexicon.ts';

export interface SentimentReading {
  /** Overall polarity, roughly −2 (very bad) … +2 (very good). */
  valence: number;
  /** Null when no lexicon word was found. */
  label: SentimentLabel | null;
  confidence: number;
  /** How many polar or neutral words were found. */
  evidence: number;
  /** Evidence that rates the service (thanks alone does not). */
  ratingEvidence: number;
  spans: Span[];
  /** What each word added to the valence, so a caller can reverse praise read as sarcasm. */
  contributions: Contribution[];
  /** Words under two or more negators ("不是不满意"): readable, but not certain. */
  multipleNegations: number;
  /** Negators that modified nothing the lexicon knows ("没有一次让我…失望" read too far apart). */
  strayNegators: number;
}

/** One word's (or phrase's) share of the valence, at [start, end). */
export interface Contribution {
  start: number;
  end: number;
  value: number;
}

type Token =
  | { kind: 'entry'; entry: LexiconEntry; start: number; end: number; text: string }
  | { kind: 'boundary'; start: number; end: number }
  | { kind: 'other'; start: number; end: number };

const BOUNDARY = /[,;!?~。，；！？…\n]/;
const ASCII_WORD = /^[a-z]+$/;
// Clauses after "但是/不过" weigh more: Chinese puts the real verdict after the turn.
const AFTER_CONTRAST = 1.2;
// "虽然贵": what is conceded before the turn counts for less.
const CONCEDED = 0.5;
// What was said before a turn (但是/结果) counts for less: the verdict follows it.
const BEFORE_TURN = 0.7;
// 就是/只是 add a reservation ("很好，就是有点贵") rather than overturn what came before.
const SOFT_TURNS: ReadonlySet<string> = new Set(['就是', '只是']);
// How many unknown characters may stand between a modifier and the word it modifies.
const MAX_GAP = 3;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    let matched: Token | null = null;
    for (let len = Math.min(LONGEST_ENTRY, text.length - i); len >= 1; len--) {
      const piece = text.slice(i, i + len);
      const entry = SENTIMENT_LEXICON.get(piece);
      if (!entry) continue;
      // English words only count as whole words (good, not goodbye).
      if (ASCII_WORD.test(piece) && (/[a-z]/.test(text[i - 1] ?? '') || /[a-z]/.test(text[i + len] ?? ''))) continue;
      matched = { kind: 'entry', entry, start: i, end: i + len, text: piece };
      break;
    }
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
  // "好的/好吧" opening a clause is an acknowledgement ("好的，满意"), not praise.
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
  // "好" right before another polar word is the adverb "very" (好贵, 好开心).
  for (let k = 0; k + 1 < tokens.length; k++) {
    const t = tokens[k];
    const next = tokens[k + 1];
    if (t?.kind === 'entry' && t.text === '好' && next?.kind === 'entry' && next.entry.kind === 'polar' && next.start === t.end) {
      tokens[k] = { ...t, entry: { kind: 'degree', factor: 1.4 } };
    }
  }
  return tokens;
}

function negate(entry: Extract<LexiconEntry, { kind: 'polar' }>, strength: 'full' | 'weak' | 'strong'): number {
  if (entry.negated !== undefined) return strength === 'weak' ? entry.negated * 0.6 : entry.negated;
  const base = entry.value;
  if (base >= 0) return strength === 'weak' ? -0.6 * base : strength === 'strong' ? -1.5 * base : -base;
  // Denying a bad thing is mild praise: 不差, 不贵, 没什么不满意.
  return strength === 'weak' ? 0.3 : strength === 'strong' ? 1 : 0.6;
}

/**
 * Scores the sentiment of a normalised reply with the lexicon: degree adverbs scale a word,
 * negators flip it (weakly for 不太, strongly for 一点都不, twice for 没什么不满意), and the
 * clause after a contrast word weighs more. Label thresholds: ≥ 0.5 positive, ≤ −0.5 negative.
 *
 * @example
 * analyzeSentiment('不太满意').label // 'negative'
 * analyzeSentiment('没什么不满意的').label // 'positive'
 */
export function analyzeSentiment(text: string): SentimentReading {
  const tokens = tokenize(text);
  let valence = 0;
  let evidence = 0;
  let ratingEvidence = 0;
  const spans: Span[] = [];
  const contributions: Contribution[] = [];
  const add = (start: number, end: number, value: number) => {
    valence += value;
    const c = { start, end, value };
    contributions.push(c);
    if (weightBeforeClaim !== null) claimed.push(c);
  };
  let weight = 1;
  // A claim (说是…, 以为…) weighs less until its clause ends; then the weight it interrupted returns.
  let weightBeforeClaim: number | null = null;
  // What a claim or worry said, reversed when a turn answers it: 说是海景房，结果… / 担心不好用，结果….
  let claimed: Contribution[] = [];
  let negators: Array<'full' | 'weak' | 'strong'> = [];
  let degreeBefore = 1;
  let degreeAfterNegator = false;
  let gap = 0;
  // Negators and degree words explain their characters only once they modify a word.
  let pending: Span[] = [];
  let multipleNegations = 0;
  // Negators that never reached a word (too far from it): the reading may have missed a denial.
  let strayNegators = 0;
  let last: { value: number; entry: Extract<LexiconEntry, { kind: 'polar' }>; gapSince: number; counted: boolean } | null = null;

  // Polar words already counted in this clause: 不错不错 says 不错 once, emphatically.
  let seen = new Set<string>();
  // The last attribute noun in the clause, which 高/低 describe.
  let attribute: 'benefit' | 'cost' | null = null;

  const reset = () => {
    if (negators.length > 0) strayNegators++;
    pending = [];
    negators = [];
    degreeBefore = 1;
    degreeAfterNegator = false;
    gap = 0;
  };

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as Token;
    if (t.kind === 'boundary') {
      if (weightBeforeClaim !== null) weight = weightBeforeClaim;
      weightBeforeClaim = null;
      reset();
      last = null;
      attribute = null;
      seen = new Set();
      continue;
    }
    if (t.kind === 'other') {
      gap++;
      if (last) last.gapSince++;
      // A completed action closes the negation's scope: in "别再发了烦死了" 别 denies 发, not 烦死.
      if (gap > MAX_GAP || (negators.length > 0 && text.slice(t.start, t.end) === '了')) reset();
      continue;
    }
    const e = t.entry;
    switch (e.kind) {
      case 'ignore':
        gap++;
        if (last) last.gapSince++;
        break;
      case 'contrast':
        if (weight >= 1 && weightBeforeClaim === null && !SOFT_TURNS.has(t.text)) {
          valence *= BEFORE_TURN;
          for (const c of contributions) c.value *= BEFORE_TURN;
        }
        for (const c of claimed) {
          valence -= 2 * c.value;
          c.value = -c.value;
        }
        claimed = [];
        weightBeforeClaim = null;
        reset();
        last = null;
        attribute = null;
        weight = AFTER_CONTRAST;
        break;
      case 'concession':
        weight = CONCEDED;
        break;
      case 'claim':
        weightBeforeClaim ??= weight;
        weight = CONCEDED;
        break;
      case 'negator': {
        // A negator that ends its clause denies the word before it: 一点毛病没有, 效果没有.
        const next = tokens[k + 1];
        if ((next === undefined || next.kind === 'boundary') && last && last.gapSince <= 2 && (last.entry.value < 0 || last.entry.negated !== undefined)) {
          const flipped = negate(last.entry, e.strength === 'strong' ? 'strong' : 'full');
          add(t.start, t.end, (flipped - last.value) * weight);
          if (!last.counted) {
            evidence++;
            ratingEvidence++;
          }
          last.value = flipped;
          last.counted = true;
          spans.push([t.start, t.end]);
          break;
        }
        negators.push(e.strength);
        gap = 0;
        pending.push([t.start, t.end]);
        break;
      }
      case 'degree':
        if (negators.length > 0) degreeAfterNegator = true;
        else degreeBefore *= e.factor;
        gap = 0;
        pending.push([t.start, t.end]);
        break;
      case 'suffix':
        if (last && last.gapSince === 0) {
          add(t.start, t.end, last.value * (e.factor - 1) * weight);
          spans.push([t.start, t.end]);
        }
        break;
      case 'postNegator': {
        // 都没/也没 right before a word deny that word: 改了好几次都没嫌烦.
        const next = tokens[k + 1];
        if (next?.kind === 'entry' && next.entry.kind === 'polar') {
          negators.push('full');
          gap = 0;
          spans.push([t.start, t.end]);
          break;
        }
        if (last && last.gapSince <= 2 && (last.entry.value < 0 || last.entry.negated !== undefined)) {
          const flipped = negate(last.entry, 'full');
          add(t.start, t.end, (flipped - last.value) * weight);
          if (!last.counted) {
            evidence++;
            ratingEvidence++;
          }
          last.value = flipped;
          last.counted = true;
          spans.push([t.start, t.end]);
        }
        break;
      }
      case 'neutral':
        add(t.start, t.end, e.value * weight);
        evidence++;
        ratingEvidence++;
        spans.push(...pending, [t.start, t.end]);
        negators = [];
        reset();
        last = null;
        break;
      case 'level':
      case 'polar': {
        let entry: Extract<LexiconEntry, { kind: 'polar' }>;
        if (e.kind === 'level') {
          if (attribute === null) break;
          entry = { kind: 'polar', value: attribute === 'benefit' ? e.value : -0.8 * e.value };
        } else {
          entry = e;
          if (e.attribute) attribute = e.attribute;
        }
        let value = entry.value;
        if (negators.length % 2 === 1) {
          const strongest = negators.includes('strong') ? 'strong' : negators.includes('weak') || degreeAfterNegator ? 'weak' : 'full';
          value = negate(entry, strongest);
        } else if (negators.length >= 2) {
          value = 0.6 * Math.sign(entry.value || 1) * Math.max(Math.abs(entry.value), 1);
        }
        if (negators.length >= 2) multipleNegations++;
        value *= degreeBefore;
        const repeat = negators.length === 0 && degreeBefore === 1 && seen.has(t.text);
        seen.add(t.text);
        const counted = !repeat && (value !== 0 || negators.length > 0);
        if (counted) {
          add(t.start, t.end, value * weight);
          evidence++;
          if (!entry.courtesy) ratingEvidence++;
        }
        spans.push(...pending, [t.start, t.end]);
        last = { value, entry, gapSince: 0, counted };
        negators = [];
        reset();
        break;
      }
    }
  }
  if (negators.length > 0) strayNegators++;
  const label: SentimentLabel | null = evidence === 0 ? null : valence >= 0.5 ? 'positive' : valence <= -0.5 ? 'negative' : 'neutral';
  const confidence = label === null ? 0 : label === 'neutral' ? 0.6 : Math.min(0.95, 0.6 + 0.15 * Math.abs(valence));
  return { valence, label, confidence: Math.round(confidence * 100) / 100, evidence, ratingEvidence, spans, contributions, multipleNegations, strayNegators };
}
