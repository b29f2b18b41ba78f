import { Converter } from 'opencc-js/t2cn';

/**
 * The one text folding that both the flow validator (engine/) and the reply analyser (nlu/) use,
 * so that two catalogue words the validator calls different are also different to the matcher,
 * and a customer's 熱瑪吉 or ＴＨＥＲＭＡＧＥ finds the item written 热玛吉 / Thermage.
 *
 * Traditional characters go through OpenCC's dictionaries (opencc-js, t2cn preset: 109 KB, no
 * dependencies) rather than a hand table: catalogue words come from merchants, so any character
 * may appear, and a table of the few we thought of would miss theirs. The Hong Kong preset also
 * folds HK variants (衞 → 卫); the Taiwan one is not used because it rewrites simplified 么 to 幺.
 */
const toSimplified = Converter({ from: 'hk', to: 'cn' });

/**
 * NFKC (full-width digits, letters and punctuation become ASCII), lower case, traditional
 * characters folded to simplified, no variation selectors or zero-width characters.
 * Whitespace is left as it is.
 *
 * @example
 * foldText('熱瑪吉ＯＫ') // '热玛吉ok'
 */
export function foldText(text: string): string {
  const nfkc = text.normalize('NFKC').replace(/[\u200b-\u200d\u2060]|\ufe0e|\ufe0f/g, '');
  return toSimplified(nfkc).toLowerCase();
}

/** Characters a catalogue word may be written with or without: spaces, hyphens, dots. */
export const CATALOG_JOINERS = /[\s\-_.·・'’]/g;

/**
 * The key two catalogue words are compared by: folded, without spaces, hyphens or dots, so
 * "Hydra Facial", "hydrafacial" and "ＨＹＤＲＡ－ＦＡＣＩＡＬ" are one word.
 *
 * @example
 * catalogKey('Hydra Facial') === catalogKey('hydrafacial') // true
 */
export function catalogKey(term: string): string {
  return foldText(term).replace(CATALOG_JOINERS, '');
}
