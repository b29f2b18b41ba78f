import type { CatalogItem } from '../../core/analysis.ts';
import { matchCatalog, type CatalogMention } from './matchCatalog.ts';
import type { Span } from './normalizeText.ts';

/** The catalogue items a reply is interested in. */
export interface ProductReading {
  /** Item ids in the order first mentioned, without the ones the reply turns down. */
  ids: string[];
  /** "都行" / "都想试试" with no item named: interested in the range as a whole. */
  openInterest: boolean;
  /** What was read: every mention (turned down or not), the refusals and the open-interest words. */
  spans: Span[];
  /** Words that turned an item down ("不想做", "没兴趣"): they refuse a product, not the survey. */
  refusals: Span[];
}

export const NO_PRODUCTS: ProductReading = { ids: [], openInterest: false, spans: [], refusals: [] };

// Turning an item down, before it (不考虑热玛吉) or after it (热玛吉就不考虑了). Only interest
// words count: 没做过热玛吉 and 热玛吉不贵 still name it, and 不只/不仅 are not negations.
const REFUSAL =
  /(?<!是)不(?:太|怎么|大|再)?(?:考虑|想要|想做|想试|想|要|打算|准备|需要|用(?!说)|做|喜欢|是)|没有?(?:什么)?(?:兴趣|打算|计划|必要)|[不没](?:太|什么)?感兴趣|不会再?|再也不|别(?:再|给我)?(?:推荐|推销|推|安排)|除了|放弃/g;
// Only after the item: 热玛吉就算了, 水光就不了.
const REFUSAL_AFTER = /就?算了|免了|就?不了|pass/g;
// Words that start a new wish in the same clause (不考虑热玛吉想做水光): a refusal stops there.
const WISH = /想(?![好过法])|要|打算|准备|考虑|试试|倒是|而是|但是?|不过|还是|可以|只做|就做/g;
// Clauses for refusals: punctuation only, so 不考虑 热玛吉 (with a space) is still one clause.
const CLAUSE_END = /[,;!?。，；！？…\n]/;

// Open interest that names interest itself, on any question (都想试试, 都可以了解一下), …
const OPEN_INTEREST = /(?:全都|全部|每样|每个|所有的?(?:项目)?|什么|哪个|啥)?都(?:挺|很|蛮|比较)?(?:想(?![好过法清])|愿意|感兴趣|有兴趣|可以(?=试|做|了解|体验|尝试|考虑|看看))(?:去)?(?:试试?|试一下|做|了解|体验|尝试|考虑|看看)?(?:一下)?/;
// … and a bare "都行" / "都可以", which only means "any of them" when the question asks for products.
const ANY_OF_THEM = /(?:哪个|哪样|什么|啥)?都(?:行|可以|好|ok)(?![a-z])/;

type Event =
  | { kind: 'item'; at: number; index: number }
  | { kind: 'refusal'; at: number; span: Span; afterOnly: boolean }
  | { kind: 'wish'; at: number };

/**
 * Reads which catalogue items a normalised reply wants: items named (see `matchCatalog`) minus
 * those it turns down in the same clause ("不考虑热玛吉了，想做水光" → only 水光), in the order
 * first mentioned, and open interest ("都行", "都想试试") when it names none. Never returns an id
 * outside the catalogue. `anyOfThem` lets a bare 都行/都可以 count, for a question that asks
 * which products interest the customer (elsewhere it answers something else: "any time").
 *
 * @example
 * extractProducts('不考虑热玛吉了,想做水光', catalog, { anyOfThem: true }).ids // ['hydra']
 */
export function extractProducts(text: string, catalog: readonly CatalogItem[], options: { anyOfThem: boolean }): ProductReading {
  const mentions = matchCatalog(text, catalog);
  const { refused, refusals } = readRefusals(text, mentions);
  const ids: string[] = [];
  mentions.forEach((m, i) => {
    if (!refused.has(i) && !ids.includes(m.id)) ids.push(m.id);
  });
  const spans: Span[] = [...mentions.map((m) => m.span), ...refusals];
  let openInterest = false;
  if (ids.length === 0) {
    const cue = OPEN_INTEREST.exec(text) ?? (options.anyOfThem ? ANY_OF_THEM.exec(text) : null);
    if (cue) {
      openInterest = true;
      spans.push([cue.index, cue.index + cue[0].length]);
    }
  }
  return { ids, openInterest, spans, refusals };
}

/** Which mentions (by index) are turned down, and the refusal words that did it. */
function readRefusals(text: string, mentions: readonly CatalogMention[]): { refused: Set<number>; refusals: Span[] } {
  const refused = new Set<number>();
  const refusals: Span[] = [];
  if (mentions.length === 0) return { refused, refusals };
  for (const clause of clauseEvents(text, mentions)) {
    let refusing: Span | null = null;
    let pending: number[] = [];
    const refuse = (indexes: number[], by: Span) => {
      if (indexes.length === 0) return;
      for (const i of indexes) refused.add(i);
      if (!refusals.some((r) => r[0] === by[0])) refusals.push(by);
    };
    clause.forEach((event, k) => {
      if (event.kind === 'wish') {
        refusing = null;
        pending = [];
      } else if (event.kind === 'item') {
        if (refusing) refuse([event.index], refusing);
        else pending.push(event.index);
      } else if (!event.afterOnly && refersForward(text, event.span, clause.slice(k + 1))) {
        refusing = event.span;
      } else {
        refuse(pending, event.span);
        pending = [];
      }
    });
  }
  return { refused, refusals };
}

/** A refusal followed in its clause by an item (before any new wish, and not by 了) is about that item. */
function refersForward(text: string, span: Span, rest: readonly Event[]): boolean {
  if (/^[了啦]/.test(text.slice(span[1]))) return false;
  const next = rest.find((e) => e.kind !== 'refusal');
  return next?.kind === 'item';
}

/** Mentions, refusal words and wish words per clause, in text order; words inside an item name do not count. */
function clauseEvents(text: string, mentions: readonly CatalogMention[]): Event[][] {
  // What each character already belongs to (an item name, a refusal), one flag per character.
  const taken = new Uint8Array(text.length);
  const events: Event[] = mentions.map((mention, index) => {
    taken.fill(1, mention.span[0], mention.span[1]);
    return { kind: 'item', at: mention.span[0], index };
  });
  for (const [re, afterOnly] of [
    [REFUSAL, false],
    [REFUSAL_AFTER, true],
  ] as const) {
    for (const m of text.matchAll(re)) {
      if (taken[m.index] === 1) continue;
      const span: Span = [m.index, m.index + m[0].length];
      taken.fill(1, span[0], span[1]);
      events.push({ kind: 'refusal', at: m.index, span, afterOnly });
    }
  }
  for (const m of text.matchAll(WISH)) {
    if (taken[m.index] !== 1) events.push({ kind: 'wish', at: m.index });
  }
  events.sort((a, b) => a.at - b.at);
  const clauses: Event[][] = [];
  let current: Event[] = [];
  let from = 0;
  for (const event of events) {
    if (CLAUSE_END.test(text.slice(from, event.at))) {
      clauses.push(current);
      current = [];
    }
    from = event.at;
    current.push(event);
  }
  clauses.push(current);
  return clauses;
}
