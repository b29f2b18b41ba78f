import type { SentimentLabel } from '../../core/analysis.ts';
import type { Span } from './normalizeText.ts';
import type { LexiconEntry } from './sentimentLexicon.ts';
import { tokenizeSentiment, type SentimentToken } from './sentimentTokens.ts';

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
  /** Words of the general vocabulary that counted: a reading resting on them is less sure. */
  generalWords: number;
  /** Negators that modified nothing the lexicon knows ("没有一次让我…失望" read too far apart). */
  strayNegators: number;
}

/** One word's (or phrase's) share of the valence, at [start, end). */
export interface Contribution {
  start: number;
  end: number;
  value: number;
}

// Clauses after "但是/不过" weigh more: Chinese puts the real verdict after the turn.
const AFTER_CONTRAST = 1.2;
// "虽然贵": what is conceded before the turn counts for less.
const CONCEDED = 0.5;
// What was said before a turn (但是/结果) counts for less: the verdict follows it.
const BEFORE_TURN = 0.7;
// 就是/只是 add a reservation ("很好，就是有点贵") rather than overturn what came before.
const SOFT_TURNS: ReadonlySet<string> = new Set(['就是', '只是']);
// Sentence-final particles after a denial: 一点问题都没有啊.
const PARTICLE = /^[了的啊呀哦呢吧嘛啦诶哈\s]$/;
const SCOPE_CLOSERS: ReadonlySet<string> = new Set(['了', '就', '才']);
// How many unknown characters may stand between a modifier and the word it modifies.
const MAX_GAP = 3;

function negate(entry: PolarEntry, strength: 'full' | 'weak' | 'strong'): number {
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
  const scan = startScan(text);
  for (let k = 0; k < scan.tokens.length; k++) readToken(scan, k);
  if (scan.negators.length > 0) scan.strayNegators++;
  return finishReading(scan);
}

type PolarEntry = Extract<LexiconEntry, { kind: 'polar' }>;
type EntryToken = Extract<SentimentToken, { kind: 'entry' }>;

/** The last polar word read in the clause, which a later negator (效果没有) or suffix (好极了) may change. */
interface LastWord {
  value: number;
  entry: PolarEntry;
  gapSince: number;
  counted: boolean;
}

/** The reading so far (valence, evidence, spans) and the modifiers in force in the clause being read. */
interface SentimentScan {
  text: string;
  tokens: SentimentToken[];
  valence: number;
  evidence: number;
  ratingEvidence: number;
  spans: Span[];
  contributions: Contribution[];
  multipleNegations: number;
  /** Negators that never reached a word (too far from it): the reading may have missed a denial. */
  strayNegators: number;
  generalWords: number;
  weight: number;
  /** A claim (说是…, 以为…) weighs less until its clause ends; then the weight it interrupted returns. */
  weightBeforeClaim: number | null;
  /** What a claim or worry said, reversed when a turn answers it: 说是海景房，结果… / 担心不好用，结果…. */
  claimed: Contribution[];
  negators: Array<'full' | 'weak' | 'strong'>;
  degreeBefore: number;
  degreeAfterNegator: boolean;
  gap: number;
  /** Negators and degree words explain their characters only once they modify a word. */
  pending: Span[];
  last: LastWord | null;
  /** Polar words already counted in this clause: 不错不错 says 不错 once, emphatically. */
  seen: Set<string>;
  /** The last attribute noun in the clause, which 高/低 describe. */
  attribute: 'benefit' | 'cost' | null;
}

function startScan(text: string): SentimentScan {
  return {
    text,
    tokens: tokenizeSentiment(text),
    valence: 0,
    evidence: 0,
    ratingEvidence: 0,
    spans: [],
    contributions: [],
    multipleNegations: 0,
    strayNegators: 0,
    generalWords: 0,
    weight: 1,
    weightBeforeClaim: null,
    claimed: [],
    negators: [],
    degreeBefore: 1,
    degreeAfterNegator: false,
    gap: 0,
    pending: [],
    last: null,
    seen: new Set(),
    attribute: null,
  };
}

/** The label a valence earns (none without evidence) and how sure it is, rounded to two places. */
export function labelAndConfidence(valence: number, evidence: number): { label: SentimentLabel | null; confidence: number } {
  const label: SentimentLabel | null = evidence === 0 ? null : valence >= 0.5 ? 'positive' : valence <= -0.5 ? 'negative' : 'neutral';
  const confidence = label === null ? 0 : label === 'neutral' ? 0.6 : Math.min(0.95, 0.6 + 0.15 * Math.abs(valence));
  return { label, confidence: Math.round(confidence * 100) / 100 };
}

function finishReading(scan: SentimentScan): SentimentReading {
  const { valence, evidence, ratingEvidence, spans, contributions, multipleNegations, strayNegators, generalWords } = scan;
  return {
    valence,
    ...labelAndConfidence(valence, evidence),
    evidence,
    ratingEvidence,
    spans,
    contributions,
    multipleNegations,
    strayNegators,
    generalWords,
  };
}

/** Adds a word's share to the valence (and to what a pending claim said). */
function contribute(scan: SentimentScan, start: number, end: number, value: number): void {
  scan.valence += value;
  const c = { start, end, value };
  scan.contributions.push(c);
  if (scan.weightBeforeClaim !== null) scan.claimed.push(c);
}

/** Drops the modifiers waiting for a word; a negator among them is counted as stray. */
function resetModifiers(scan: SentimentScan): void {
  if (scan.negators.length > 0) scan.strayNegators++;
  scan.pending = [];
  scan.negators = [];
  scan.degreeBefore = 1;
  scan.degreeAfterNegator = false;
  scan.gap = 0;
}

function readToken(scan: SentimentScan, k: number): void {
  const t = scan.tokens[k] as SentimentToken;
  if (t.kind === 'boundary') return endClause(scan);
  if (t.kind === 'other') return skipOther(scan, t);
  const e = t.entry;
  switch (e.kind) {
    case 'ignore':
      scan.gap++;
      if (scan.last) scan.last.gapSince++;
      break;
    case 'contrast':
      return readContrast(scan, t);
    case 'concession':
      scan.weight = CONCEDED;
      break;
    case 'claim':
      scan.weightBeforeClaim ??= scan.weight;
      scan.weight = CONCEDED;
      break;
    case 'negator':
      return readNegator(scan, t, e.strength, scan.tokens[k + 1]);
    case 'degree':
      if (scan.negators.length > 0) scan.degreeAfterNegator = true;
      else scan.degreeBefore *= e.factor;
      scan.gap = 0;
      scan.pending.push([t.start, t.end]);
      break;
    case 'suffix':
      if (scan.last && scan.last.gapSince === 0) {
        contribute(scan, t.start, t.end, scan.last.value * (e.factor - 1) * scan.weight);
        scan.spans.push([t.start, t.end]);
      }
      break;
    case 'postNegator':
      return readPostNegator(scan, t, scan.tokens[k + 1]);
    case 'neutral':
      contribute(scan, t.start, t.end, e.value * scan.weight);
      scan.evidence++;
      scan.ratingEvidence++;
      scan.spans.push(...scan.pending, [t.start, t.end]);
      scan.negators = [];
      resetModifiers(scan);
      scan.last = null;
      break;
    case 'level':
    case 'polar':
      return readPolar(scan, t, e);
  }
}

/** A boundary ends the clause: its claim weight, modifiers, last word, attribute and repeats. */
function endClause(scan: SentimentScan): void {
  if (scan.weightBeforeClaim !== null) scan.weight = scan.weightBeforeClaim;
  scan.weightBeforeClaim = null;
  resetModifiers(scan);
  scan.last = null;
  scan.attribute = null;
  scan.seen = new Set();
}

function skipOther(scan: SentimentScan, t: SentimentToken): void {
  scan.gap++;
  if (scan.last) scan.last.gapSince++;
  // A completed action closes the negation's scope: in "别再发了烦死了" 别 denies 发, not 烦死; so
  // does the consequence of a condition: in "不办就爱答不理" 不 denies 办, not 爱答不理.
  if (scan.gap > MAX_GAP || (scan.negators.length > 0 && SCOPE_CLOSERS.has(scan.text.slice(t.start, t.end)))) resetModifiers(scan);
}

/** 但是/结果: what came before counts for less, a claim it answers is reversed, what follows weighs more. */
function readContrast(scan: SentimentScan, t: EntryToken): void {
  if (scan.weight >= 1 && scan.weightBeforeClaim === null && !SOFT_TURNS.has(t.text)) {
    scan.valence *= BEFORE_TURN;
    for (const c of scan.contributions) c.value *= BEFORE_TURN;
  }
  for (const c of scan.claimed) {
    scan.valence -= 2 * c.value;
    c.value = -c.value;
  }
  scan.claimed = [];
  scan.weightBeforeClaim = null;
  resetModifiers(scan);
  scan.last = null;
  scan.attribute = null;
  scan.weight = AFTER_CONTRAST;
}

function readNegator(scan: SentimentScan, t: EntryToken, strength: 'full' | 'weak' | 'strong', next: SentimentToken | undefined): void {
  // A negator that ends its clause denies the word before it: 一点毛病没有, 效果没有.
  if ((next === undefined || next.kind === 'boundary') && scan.last && canDenyAfter(scan.last)) {
    denyLastWord(scan, scan.last, t, strength === 'strong' ? 'strong' : 'full');
    return;
  }
  scan.negators.push(strength);
  scan.gap = 0;
  scan.pending.push([t.start, t.end]);
}

function readPostNegator(scan: SentimentScan, t: EntryToken, next: SentimentToken | undefined): void {
  // 都没/也没 right before a word deny that word: 改了好几次都没嫌烦.
  if (next?.kind === 'entry' && next.entry.kind === 'polar') {
    scan.negators.push('full');
    scan.gap = 0;
    scan.spans.push([t.start, t.end]);
    return;
  }
  // Before more words, and apart from the word before, it starts a new statement ("投诉了也没有任何回应");
  // right after a noun it denies it whatever follows ("毛病都没出过").
  if (next?.kind === 'other' && !PARTICLE.test(scan.text.slice(next.start, next.end)) && (scan.last === null || scan.last.gapSince > 0)) {
    scan.negators.push('full');
    scan.gap = 0;
    scan.pending.push([t.start, t.end]);
    return;
  }
  if (scan.last && canDenyAfter(scan.last)) denyLastWord(scan, scan.last, t, 'full');
}

/** A negator after a word denies it only if the word is close and a bad one (or has its own denial). */
function canDenyAfter(last: LastWord): boolean {
  return last.gapSince <= 2 && (last.entry.value < 0 || last.entry.negated !== undefined);
}

function denyLastWord(scan: SentimentScan, last: LastWord, t: EntryToken, strength: 'full' | 'strong'): void {
  const flipped = negate(last.entry, strength);
  contribute(scan, t.start, t.end, (flipped - last.value) * scan.weight);
  if (!last.counted) {
    scan.evidence++;
    scan.ratingEvidence++;
  }
  last.value = flipped;
  last.counted = true;
  scan.spans.push([t.start, t.end]);
}

/** A polar word (or 高/低 describing the clause's attribute), under the negators and degree words before it. */
function readPolar(scan: SentimentScan, t: EntryToken, e: Extract<LexiconEntry, { kind: 'polar' | 'level' }>): void {
  let entry: PolarEntry;
  if (e.kind === 'level') {
    if (scan.attribute === null) return;
    entry = { kind: 'polar', value: scan.attribute === 'benefit' ? e.value : -0.8 * e.value };
  } else {
    entry = e;
    if (e.attribute) scan.attribute = e.attribute;
  }
  const value = modifiedValue(scan, entry);
  const repeat = scan.negators.length === 0 && scan.degreeBefore === 1 && scan.seen.has(t.text);
  scan.seen.add(t.text);
  const counted = !repeat && (value !== 0 || scan.negators.length > 0);
  if (counted) {
    contribute(scan, t.start, t.end, value * scan.weight);
    scan.evidence++;
    if (!entry.courtesy) scan.ratingEvidence++;
    if (entry.general) scan.generalWords++;
  }
  scan.spans.push(...scan.pending, [t.start, t.end]);
  scan.last = { value, entry, gapSince: 0, counted };
  scan.negators = [];
  resetModifiers(scan);
}

/** A word's value under the negators (odd: denied; two or more: a hedged yes) and degree words before it. */
function modifiedValue(scan: SentimentScan, entry: PolarEntry): number {
  const { negators } = scan;
  let value = entry.value;
  if (negators.length % 2 === 1) {
    const strongest = negators.includes('strong') ? 'strong' : negators.includes('weak') || scan.degreeAfterNegator ? 'weak' : 'full';
    value = negate(entry, strongest);
  } else if (negators.length >= 2) {
    value = 0.6 * Math.sign(entry.value || 1) * Math.max(Math.abs(entry.value), 1);
  }
  if (negators.length >= 2) scan.multipleNegations++;
  return value * scan.degreeBefore;
}
