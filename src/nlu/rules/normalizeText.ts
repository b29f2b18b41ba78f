/**
 * One canonical form for every rule: NFKC (full-width digits, letters and punctuation become
 * ASCII), lower case, common traditional characters folded to simplified, no variation
 * selectors, single spaces. All rule parsers read this string and report spans in it.
 */

// Traditional characters customers actually type in survey replies, paired with their
// simplified forms; folding them lets one simplified lexicon serve both scripts.
const TRADITIONAL_PAIRS =
  '滿满還还會会給给個个點点號号轉转務务態态價价貴贵錢钱買买來来過过時时間间後后週周節节麼么嗎吗為为' +
  '專专業业錯错說说們们經经訂订發发話话電电讓让這这沒没對对樣样較较質质氣气處处應应該该歡欢聽听' +
  '機机兩两萬万壞坏難难單单長长開开關关鐘钟顆颗問问題题環环衛卫設设計计劃划確确實实總总體体覺觉' +
  '與与趕赶幫帮無无聯联繫系係系負负責责員员將将幾几車车親亲熱热讚赞廢废爛烂適适傷伤療疗師师' +
  '試试費费換换貨货區区產产裡里壓压樂乐愛爱買买賣卖錯错誤误';
const TRADITIONAL = new Map<string, string>();
for (let i = 0; i + 1 < TRADITIONAL_PAIRS.length; i += 2) {
  TRADITIONAL.set(TRADITIONAL_PAIRS[i] as string, TRADITIONAL_PAIRS[i + 1] as string);
}

/**
 * Returns the canonical form of a customer reply that every rule parser reads.
 *
 * @example
 * normalizeText('１０分！還不錯') // '10分!还不错'
 */
export function normalizeText(text: string): string {
  let out = text.normalize('NFKC').toLowerCase();
  // Variation selectors and zero-width characters only change how emoji render.
  out = out.replace(/[\u200b-\u200d\u2060]|\ufe0e|\ufe0f/g, '');
  out = out.replace(/[\u3400-\u9fff]/g, (c) => TRADITIONAL.get(c) ?? c);
  return out.replace(/\s+/g, ' ').trim();
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
