import { analyzeSentiment, labelAndConfidence, type Contribution, type SentimentReading } from './analyzeSentiment.ts';
import type { Conditional } from './findConditionals.ts';
import type { Span } from './normalizeText.ts';
import { findPatternCues, findSarcasm } from './verdictPatterns.ts';

/** Why a sentiment reading may be wrong; the analyser leaves such readings unsettled. */
export type SentimentDoubt = 'sarcasm' | 'rhetorical' | 'hypothetical' | 'implicit' | 'mixed' | 'negation' | 'general';

export interface SentimentRead extends SentimentReading {
  doubts: ReadonlySet<SentimentDoubt>;
  /** The reply judges through a rhetorical question: not a question to answer. */
  rhetorical: boolean;
}

// "要是态度好点就好了" wishes for what was missing; "要是再便宜点就完美了" says it is nearly so.
const WISH = /(?:一点|一些|点|些)?[^,，。]{0,4}就(好|完美|更好|棒|满分|十全十美)了?/;
const IMPROVEMENT = /一点|点儿?|一些|些|再|更/;

function inside(c: Contribution, spans: readonly Span[]): boolean {
  return spans.some(([s, e]) => c.start >= s && c.end <= e);
}

/**
 * Reads the sentiment of a normalised reply: the lexicon (degree, negation, contrast), then the
 * phrases that judge without a sentiment word (implicit complaints and praise, rhetorical
 * questions), with hypothetical stretches muted and praise reversed where it is sarcastic.
 *
 * @example
 * readSentiment('呵呵，服务可真周到', []).label // 'negative'
 * readSentiment('要是态度好点就好了', findConditionals('要是态度好点就好了')).label // 'negative'
 */
export function readSentiment(text: string, conditionals: readonly Conditional[]): SentimentRead {
  const doubts = new Set<SentimentDoubt>();
  if (conditionals.length > 0) doubts.add('hypothetical');
  const lexical = analyzeSentiment(text);
  const cues = findPatternCues(text);
  // Praise inside a hypothetical is not given ("如果便宜点就给满分"); a threat or a complaint in one
  // is real ("假如下次还这样，肯定不来了" says this time was bad).
  const hypothetical = conditionals.map((c) => c.span);
  const contributions: Contribution[] = [...lexical.contributions, ...cues.map(({ start, end, value }) => ({ start, end, value }))].filter(
    (c) => !(c.value > 0 && inside(c, hypothetical)),
  );
  // Praise inside a rhetorical complaint is ironic ("谁还敢再来"); inside an adversative passive it was pushed on the customer.
  for (const cue of cues) {
    if (cue.kind === 'implicit' || cue.value >= 0) continue;
    for (const c of contributions) if (c.value > 0 && c.start >= cue.start && c.end <= cue.end) c.value = -c.value;
  }
  let evidence = lexical.evidence + cues.length;
  let ratingEvidence = lexical.ratingEvidence + cues.length;
  const spans: Span[] = [...lexical.spans, ...cues.map((c) => [c.start, c.end] as Span)];
  if (cues.some((c) => c.kind !== 'rhetorical')) doubts.add('implicit');
  if (lexical.multipleNegations > 0) doubts.add('negation');
  if (lexical.generalWords > 0) doubts.add('general');
  const rhetorical = cues.some((c) => c.kind === 'rhetorical');
  if (rhetorical) doubts.add('rhetorical');

  for (const c of conditionals) {
    if (c.counterfactual) continue;
    const stretch = text.slice(c.span[0], c.span[1]);
    const wish = WISH.exec(stretch);
    // "如果前台态度好一点，我会给满分": an improvement wished for says it was not all good.
    const improvement = IMPROVEMENT.test(stretch);
    if (!wish && !improvement) continue;
    contributions.push({ start: c.span[0], end: c.span[1], value: wish?.[1] === '好' ? -0.8 : -0.2 });
    evidence++;
    ratingEvidence++;
  }

  const sarcasm = findSarcasm(text);
  const complains = contributions.some((c) => c.value < 0);
  const ironic = sarcasm.markers.length > 0 || (sarcasm.frame && complains);
  if (ironic || sarcasm.quoted.length > 0) {
    for (const c of contributions) {
      if (c.value > 0 && (ironic || inside(c, sarcasm.quoted))) {
        c.value = -c.value;
        doubts.add('sarcasm');
      }
    }
  }
  for (const [start, end] of sarcasm.markers) {
    contributions.push({ start, end, value: -1 });
    spans.push([start, end]);
    evidence++;
    ratingEvidence++;
    doubts.add('sarcasm');
  }
  if (contributions.some((c) => c.value > 0.2) && contributions.some((c) => c.value < -0.2)) doubts.add('mixed');

  const valence = contributions.reduce((sum, c) => sum + c.value, 0);
  return {
    valence,
    ...labelAndConfidence(valence, evidence),
    evidence,
    ratingEvidence,
    spans,
    contributions,
    multipleNegations: lexical.multipleNegations,
    strayNegators: lexical.strayNegators,
    generalWords: lexical.generalWords,
    doubts,
    rhetorical,
  };
}
