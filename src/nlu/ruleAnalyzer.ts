import type { Analysis, AnalysisRequest, Analyzer, Intent, QuestionKind, SentimentLabel } from '../core/analysis.ts';
import { capReplyText } from './capReplyText.ts';
import { SCALE_KINDS, resolveRange } from './resolveRange.ts';
import { formatIsoDate, timeZoneOffsetMinutes, todayIn } from '../core/calendar.ts';
import { detectInjection } from './rules/detectInjection.ts';
import { detectIntent, isAcknowledgement, isEmojiOnly, type IntentCue } from './rules/detectIntent.ts';
import { extractFactors } from './rules/extractFactors.ts';
import { extractProducts, NO_PRODUCTS, type ProductReading } from './rules/extractProducts.ts';
import { extractTopics } from './rules/extractTopics.ts';
import { blankSpans, findConditionals } from './rules/findConditionals.ts';
import { normalizeText, residualText, type Span } from './rules/normalizeText.ts';
import { parseChoiceReply, type ChoiceReading } from './rules/parseChoiceReply.ts';
import { levelFromValence, parseLikelihoodReply, projectLevel } from './rules/parseLikelihoodReply.ts';
import { parseScaleReply } from './rules/parseScaleReply.ts';
import { parseTimingReply, type TimingReading } from './rules/parseTimingReply.ts';
import { readSentiment, type SentimentDoubt, type SentimentRead } from './rules/readSentiment.ts';
import { rewriteColloquial } from './rules/rewriteColloquial.ts';

/** The fields of an Analysis that an analyser fills (everything except `source`). */
export type AnalysisField = Exclude<keyof Analysis, 'source'>;
export const ANALYSIS_FIELDS: readonly AnalysisField[] = [
  'intent',
  'score',
  'sentiment',
  'topics',
  'timing',
  'products',
  'factors',
  'openInterest',
  'choices',
];

/**
 * Kinds whose answers are read for products (when the question carries a catalogue) and purchase
 * factors: the free-text ones (reasons, "what interests you", "what would bring you back",
 * timing) and the repurchase question, where customers often type "会的，下次做热玛吉".
 */
export const PURCHASE_KINDS: ReadonlySet<QuestionKind> = new Set(['reason', 'text', 'timing', 'repurchase']);

/**
 * Why the rules are not sure of a reading: a range or several numbers, a score worked out
 * (arithmetic, another scale), a homophone typo, a dialect or English word mapped, sarcasm, a
 * rhetorical question, a hypothetical, an implicit verdict, praise and blame mixed.
 */
export type ReadingDoubt = SentimentDoubt | 'range' | 'derived' | 'typo' | 'colloquial';

/** What the rules read, plus which fields they are sure of. */
export interface RuleReading {
  analysis: Analysis;
  /**
   * Fields the rules are certain of (a bare number, an exact keyword); the LLM does not override
   * them. Kept to readings that are almost never wrong: ≥ 99% right on the labelled dev sets.
   */
  settled: ReadonlySet<AnalysisField>;
  /** What makes the reading uncertain; the conversation may ask about a range ("7还是8分？"). */
  doubts: ReadonlySet<ReadingDoubt>;
  /** With a `range` doubt: the scores the reply left open, to offer when asking which. */
  scoreOptions?: number[];
  /** The reply tries to instruct the analyser ("忽略以上指令…"); only the rules may read it. */
  injection: boolean;
}

/** The rule-based analyser: synchronous `read` for composition, `analyze` for the Analyzer contract. */
export interface RuleAnalyzer extends Analyzer {
  read(request: AnalysisRequest): RuleReading;
}

// Words that carry no answer of their own; if nothing else is left, the rules explained the reply.
const FILLERS =
  /我的?|您|你们|给|打|评|选|个|就|吧|啊|呀|了|的|嗯|哦|呢|嘛|啦|儿|算|是|分数|评分|分|大概|差不多|估计|感觉|觉得|那就|那|先|也就|最多|至少|勉强|这个|一下|哈|嘿|噢|喔|额|呃|哇|耶|咯|哟|也|都|的时候|时候|那时|那会儿?|大约|打算|准备|计划|想|要|再|来|买|过来|等|到|一趟|一次|左右|前后|又|争取|尽量|现在|好了/g;

const MILD_VERDICT = /^(?:ok|okay|可以|还可以|行|还行)$/;
// Intents that win over an answer in the same reply.
const OVERRIDING: ReadonlySet<Intent> = new Set(['escalate', 'opt_out', 'back']);

/** Picks the intent from the cue and what the reply answered. */
function decideIntent(
  kind: QuestionKind,
  cue: IntentCue | null,
  facts: {
    kindAnswer: boolean;
    outOfRange: boolean;
    acknowledgement: boolean;
    lexical: SentimentRead;
    topics: string[];
    /** Names catalogue items, or open interest ("都行"). */
    namesProducts: boolean;
    /** Gives a score only under a condition ("如果便宜点就给满分"): an answer the conversation must clarify. */
    conditionalScore: boolean;
  },
): Intent {
  const { lexical } = facts;
  const freeTextKind = kind === 'reason' || kind === 'text';
  if (cue && OVERRIDING.has(cue.intent)) return cue.intent;
  if (facts.kindAnswer || facts.conditionalScore) return 'answer';
  // A rhetorical question that judges ("为什么这么贵？") still answers a free-text question.
  if (cue?.intent === 'question' && (lexical.evidence === 0 || (cue.strong && (!freeTextKind || lexical.label !== 'negative')))) {
    return 'question';
  }
  // Free-text questions take any reply that says something, unless it is busy, asking or filler.
  if (freeTextKind && !facts.acknowledgement && (lexical.evidence > 0 || facts.topics.length > 0 || facts.namesProducts || cue === null)) {
    return 'answer';
  }
  if (facts.outOfRange) return 'unclear';
  if (cue) return cue.intent;
  // A verdict without a number ("挺满意的" to an NPS question) is still an answer.
  if (kind !== 'timing' && kind !== 'choice' && lexical.evidence > 0 && !facts.acknowledgement) return 'answer';
  return 'unclear';
}

function allSources(): Analysis['source'] {
  return Object.fromEntries(ANALYSIS_FIELDS.map((f) => [f, 'rules'])) as Analysis['source'];
}

function emptyAnalysis(intent: Intent): Analysis {
  return {
    intent,
    score: null,
    sentiment: null,
    topics: [],
    timing: null,
    products: [],
    factors: [],
    openInterest: false,
    choices: null,
    source: allSources(),
  };
}

function labelOf(valence: number): SentimentLabel {
  return valence >= 0.5 ? 'positive' : valence <= -0.5 ? 'negative' : 'neutral';
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Valence implied by a score: the top of the scale is clearly positive, the lower half negative. */
function scoreValence(score: number, range: { min: number; max: number }): number {
  const f = (score - range.min) / (range.max - range.min || 1);
  return (f - 0.6) * 4;
}

function chooseSentiment(
  intent: Intent,
  kind: QuestionKind,
  lexical: SentimentRead,
  score: number | null,
  range: { min: number; max: number } | null,
  timing: TimingReading,
): Analysis['sentiment'] {
  if (intent === 'unclear' || intent === 'back') return null;
  if (lexical.label !== null) {
    if (score !== null && range) {
      const v = (lexical.valence + scoreValence(score, range)) / 2;
      return { label: labelOf(v), confidence: round2(Math.min(0.95, 0.6 + 0.12 * Math.abs(v))) };
    }
    return { label: lexical.label, confidence: lexical.confidence };
  }
  if (score !== null && range) {
    const v = scoreValence(score, range);
    return { label: labelOf(v), confidence: round2(Math.min(0.85, 0.55 + 0.1 * Math.abs(v))) };
  }
  if (intent === 'escalate' || intent === 'opt_out') return { label: 'negative', confidence: 0.6 };
  if (timing.status === 'never') return { label: 'negative', confidence: 0.6 };
  if (intent === 'later' || intent === 'question' || timing.status === 'undecided') return { label: 'neutral', confidence: 0.5 };
  if (kind === 'reason' || kind === 'text') return { label: 'neutral', confidence: 0.4 };
  return null;
}

function timingField(kind: QuestionKind, reading: TimingReading): Analysis['timing'] {
  if (reading.status === 'dated') return { bucket: reading.bucket, from: formatIsoDate(reading.from), to: formatIsoDate(reading.to) };
  // "Undecided" also answers when on the repurchase question ("看情况"); "不会" there is the score's
  // business, and on other questions only a real date is worth reporting.
  if (reading.status === 'undecided' && (kind === 'timing' || kind === 'repurchase')) return { bucket: 'undecided', from: null, to: null };
  if (reading.status === 'never' && kind === 'timing') return { bucket: 'never', from: null, to: null };
  return null;
}

/**
 * Reads one reply with rules only: numerals and score phrases, a sentiment lexicon with negation
 * and degree words, intent cues, dates (chrono-node plus a festival table) and option matching.
 * Synchronous and I/O-free; `settled` says which fields it is certain of.
 *
 * @example
 * createRuleAnalyzer().read({ question: 'nps', text: '八分吧', now, timeZone: 'Asia/Shanghai' }).analysis.score // 8
 */
export function readReply(request: AnalysisRequest): RuleReading {
  // Capped before anything else: every rule below is at least linear in the text.
  const normalised = normalizeText(capReplyText(request.text));
  const kind = request.question;
  const range = resolveRange(request);
  const everything = new Set<AnalysisField>(ANALYSIS_FIELDS);

  if (normalised === '') return { analysis: emptyAnalysis('unclear'), settled: everything, doubts: new Set(), injection: false };
  // An attempt to steer the analyser is not an answer, whatever score it asks for.
  if (detectInjection(normalised)) return { analysis: emptyAnalysis('unclear'), settled: everything, doubts: new Set(), injection: true };
  const rewrite = rewriteColloquial(normalised);
  const text = rewrite.text;
  // Only fillers ("嗯那个…"): nothing was said.
  if (text === '') return { analysis: emptyAnalysis('unclear'), settled: everything, doubts: new Set(), injection: false };

  const doubts = new Set<ReadingDoubt>();
  if (rewrite.typo) doubts.add('typo');
  if (rewrite.mapped) doubts.add('colloquial');
  const conditionals = findConditionals(text);
  const lexical = readSentiment(text, conditionals);
  for (const d of lexical.doubts) doubts.add(d);
  for (const d of contextDoubts(text)) doubts.add(d);
  const products = readProducts(text, request);
  const cue = readIntentCue(text, kind, products, lexical);
  const emojiVerdict = isEmojiOnly(text) && lexical.evidence > 0;
  // Emoji alone are filler unless the lexicon knows them (👍 is an answer, 😂 is not); "ok" and
  // "可以" are filler on an NPS question but a mild verdict on satisfaction or free-text ones;
  // 呵呵 is a sneer, not an acknowledgement.
  const acknowledgement =
    !products.openInterest &&
    isAcknowledgement(text) &&
    !emojiVerdict &&
    !lexical.doubts.has('sarcasm') &&
    !(kind !== 'nps' && kind !== 'timing' && kind !== 'choice' && MILD_VERDICT.test(text.replace(/[\s!.~。！]+/g, '')));
  const spans: Span[] = [...lexical.spans, ...products.spans];
  if (cue) spans.push(...cue.spans);

  let score: number | null = null;
  let undecided = false;
  let scoreExplicit = false;
  let outOfRange = false;
  let scoreOptions: number[] | undefined;
  if (range && SCALE_KINDS.has(kind)) {
    // A score inside a hypothetical ("如果便宜点就给满分") is not given.
    // 💯 is full marks (same length, so spans still line up).
    const scale = parseScaleReply(blankSpans(text, conditionals.map((c) => c.span)).replace(/💯/gu, '满分'), range);
    if (scale.status === 'score') {
      score = scale.score;
      scoreExplicit = true;
      if (scale.ambiguous) doubts.add('range');
      if (scale.options && scale.options.length > 1) scoreOptions = scale.options;
      if (scale.derived) doubts.add('derived');
      spans.push(...scale.spans);
    } else if (scale.status === 'out_of_range') {
      outOfRange = true;
      spans.push(...scale.spans);
    } else if (kind === 'repurchase') {
      const likelihood = parseLikelihoodReply(text, { conditional: conditionals.length > 0 });
      if (likelihood) {
        score = projectLevel(likelihood.level, { min: 0, max: 5 }, range);
        undecided = likelihood.undecided === true;
        spans.push(...likelihood.spans);
      } else if (emojiVerdict) {
        score = projectLevel(levelFromValence(lexical.valence), { min: 1, max: 5 }, range);
      }
    } else if ((kind === 'csat' || kind === 'rating') && lexical.ratingEvidence > 0 && !acknowledgement) {
      score = projectLevel(levelFromValence(lexical.valence), { min: 1, max: 5 }, range);
    }
  }

  let timing: TimingReading = { status: 'none' };
  if (kind === 'timing' || kind === 'repurchase') {
    timing = parseTimingReply(text, {
      today: todayIn(request.now, request.timeZone),
      now: request.now,
      offsetMinutes: timeZoneOffsetMinutes(request.now, request.timeZone),
    });
    if (timing.status !== 'none') spans.push(...timing.spans);
    // "一般般吧" to "will you come again?" says no date either: when is undecided too.
    else if (undecided) timing = { status: 'undecided', spans: [] };
  }

  let choice: ChoiceReading = { status: 'none' };
  if (kind === 'choice' && request.options) {
    choice = parseChoiceReply(text, request.options, request.multiple ?? false);
    if (choice.status !== 'none') spans.push(...choice.spans);
  }

  const topics = acknowledgement ? [] : extractTopics(text);
  const kindAnswer =
    score !== null || (kind === 'timing' && timing.status !== 'none') || (kind === 'choice' && choice.status !== 'none');
  const namesProducts = products.ids.length > 0 || products.openInterest;
  const conditionalScore = score === null && conditionals.length > 0 && range !== null && SCALE_KINDS.has(kind) && parseScaleReply(text, range).status !== 'none';
  const intent = decideIntent(kind, cue, { kindAnswer, outOfRange, acknowledgement, lexical, topics, namesProducts, conditionalScore });
  const readsFactors = PURCHASE_KINDS.has(kind) && intent !== 'unclear';

  const analysis: Analysis = {
    intent,
    score,
    sentiment: chooseSentiment(intent, kind, lexical, score, range, timing),
    topics: intent === 'unclear' ? [] : topics,
    timing: timingField(kind, timing),
    products: intent === 'unclear' ? [] : products.ids,
    factors: readsFactors ? extractFactors(text) : [],
    openInterest: intent !== 'unclear' && products.openInterest,
    choices: kind === 'choice' ? (choice.status === 'matched' ? choice.ids : choice.status === 'none_of_them' ? [] : null) : null,
    source: allSources(),
  };
  const settled = decideSettled(request, { analysis, text, spans, doubts, cue, scoreExplicit, choice, lexical, readsFactors });
  return { analysis, settled, doubts, ...(scoreOptions ? { scoreOptions } : {}), injection: false };
}

// Doubts that make a stated score unsure; the others concern sentiment only.
const SCORE_DOUBTS: ReadonlySet<ReadingDoubt> = new Set(['range', 'derived', 'typo', 'hypothetical', 'sarcasm', 'rhetorical', 'negation']);

// A reply shaped as a question ("还来？做梦吧", "谁会推荐这种店啊", "不来咋整") may mean the opposite of
// its words; a condition marker anywhere ("除非换个店长") makes what follows hypothetical; two
// negations ("没有不来的理由", "不能不说") flip a verdict the rules may read once only.
const QUESTION_SHAPE = /[?？]|吗|难道|谁(?:会|还|能|敢|要|想)|怎么(?:可能|会|能)|哪(?:会|能|还|有)|咋(?:整|办|可能|会)|岂|何必|凭什么|做梦/;
const CONDITION_MARKER = /如果|要是|假如|假设|假使|倘若|万一|若是|要不是|除非|只要|只有|等到?.{0,8}(?:再|就|才)/;
const DOUBLE_NEGATION = /(?:没有?|不|无|别)[^，。,.!?！？]{0,3}(?:不|没)(?![错行好])|不得不|非.{0,4}不可|没理由不|不能不|不会不|不可能不/;

// Questions nobody expects answered: "谁会推荐这种店", "难道还会来吗", "哪会再去".
const RHETORICAL_ASK = /谁(?:会|还|能|敢|愿意)|难道|哪(?:会|能|还)|怎么可能|岂|凭什么|开玩笑|逗我|搞笑/;

const BOUND = /不到|不足|不超过|低于|少于|高于|多于|超过|不止|以上|以下|以内|之间/;

/** Doubts the wording around a reading casts on it, whatever the reading is. */
function contextDoubts(text: string): ReadingDoubt[] {
  const out: ReadingDoubt[] = [];
  if (QUESTION_SHAPE.test(text)) out.push('rhetorical');
  if (CONDITION_MARKER.test(text)) out.push('hypothetical');
  if (DOUBLE_NEGATION.test(text)) out.push('negation');
  // "不到六分", "八分以上": a bound, not the score.
  if (BOUND.test(text)) out.push('derived');
  return out;
}

/**
 * Which fields the rules are sure of. Everything, when the reply is fully explained by the rules
 * (no word left over) and nothing casts doubt on it; otherwise the fields read from an exact cue:
 * an escalation, opt-out or "go back", a stated score, a single choice, a clear complaint.
 */
function decideSettled(
  request: AnalysisRequest,
  r: {
    analysis: Analysis;
    text: string;
    spans: Span[];
    doubts: ReadonlySet<ReadingDoubt>;
    cue: IntentCue | null;
    scoreExplicit: boolean;
    choice: ChoiceReading;
    lexical: SentimentRead;
    readsFactors: boolean;
  },
): Set<AnalysisField> {
  const kind = request.question;
  const settled = new Set<AnalysisField>();
  if (residualText(r.text, r.spans, FILLERS) === '' && r.doubts.size === 0) {
    for (const f of ANALYSIS_FIELDS) settled.add(f);
    return settled;
  }
  // An escalation or opt-out under a condition or inside a question is not one yet ("除非换个店长").
  if (r.cue && OVERRIDING.has(r.cue.intent) && !r.doubts.has('hypothetical') && !r.doubts.has('rhetorical')) settled.add('intent');
  if (r.scoreExplicit && ![...r.doubts].some((d) => SCORE_DOUBTS.has(d))) {
    settled.add('score');
    if (r.analysis.intent === 'answer') settled.add('intent');
  }
  // A complaint with no praise, no irony and no condition in it ("我要投诉", "态度太差了").
  if (r.analysis.sentiment?.label === 'negative' && r.lexical.valence <= -1 && !r.lexical.contributions.some((c) => c.value > 0) && r.lexical.strayNegators === 0 && r.doubts.size === 0) {
    settled.add('sentiment');
  }
  if (r.choice.status === 'matched' && r.choice.ids.length === 1 && !request.multiple) settled.add('choices');
  // Nothing to look for: without a catalogue no product can be named (the LLM must not invent
  // one), and factors are read on purchase questions only.
  if (!readsCatalog(request)) settled.add('products').add('openInterest');
  if (!PURCHASE_KINDS.has(kind)) settled.add('factors');
  return settled;
}

/** Whether this question's answers are read for catalogue items. */
export function readsCatalog(request: Pick<AnalysisRequest, 'question' | 'catalog'>): boolean {
  return PURCHASE_KINDS.has(request.question) && (request.catalog?.length ?? 0) > 0;
}

function readProducts(text: string, request: AnalysisRequest): ProductReading {
  if (!readsCatalog(request)) return NO_PRODUCTS;
  // A bare 都行 means "any of them" only on the generic free-text question ("您对哪些项目感兴趣");
  // to a timing question it means "any time", to a reason question "anything".
  return extractProducts(text, request.catalog ?? [], { anyOfThem: request.question === 'text' });
}

/**
 * The intent cue, with refusals of a product taken out: "不想做热玛吉了" or "对热玛吉没兴趣"
 * turns down an item, not the survey, so it must not read as an opt-out.
 */
function readIntentCue(text: string, kind: QuestionKind, products: ProductReading, lexical: SentimentRead): IntentCue | null {
  const cue = detectIntent(text, kind);
  // "还能更慢吗？" judges; it asks nothing. An emoji verdict or 呵呵 is not mere filler.
  if (cue?.intent === 'question' && (lexical.rhetorical || RHETORICAL_ASK.test(text))) return null;
  if (cue?.intent === 'unclear' && ((isEmojiOnly(text) && lexical.evidence > 0) || lexical.doubts.has('sarcasm'))) return null;
  if (cue?.intent !== 'opt_out' || products.refusals.length === 0) return cue;
  let masked = text;
  for (const [start, end] of products.refusals) masked = masked.slice(0, start) + ' '.repeat(end - start) + masked.slice(end);
  return detectIntent(masked, kind);
}

/**
 * Creates the rule-based analyser; it needs no configuration and does no I/O.
 *
 * @example
 * const rules = createRuleAnalyzer();
 * const analysis = await rules.analyze({ question: 'csat', text: '不太满意', now: new Date(), timeZone: 'Asia/Shanghai' });
 */
export function createRuleAnalyzer(): RuleAnalyzer {
  return {
    read: readReply,
    analyze: (request) => Promise.resolve(readReply(request).analysis),
  };
}
