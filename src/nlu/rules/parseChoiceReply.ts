import type { ChoiceOption } from '../../core/analysis.ts';
import { normalizeText, type Span } from './normalizeText.ts';
import { parseNumber, NUMERAL_CHARS } from './parseNumber.ts';

/** Which options a reply picks. */
export type ChoiceReading =
  | { status: 'matched'; ids: string[]; spans: Span[] }
  /** "都不是": an answer that picks nothing. */
  | { status: 'none_of_them'; spans: Span[] }
  | { status: 'none' };

const NEGATED_BEFORE = /(?:不是|不要|没有|不选|除了|不想|不喜欢|不)(?:因为|是|选|的)?\s*$/;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Reads the options a normalised reply picks: by id ("A", "2"), by label or synonym, by ordinal
 * ("第二个", "选3"), "都是/全部" (every option, when several may be picked) and "都不是" (none).
 * A label preceded by a negation ("不是价格") is not picked.
 *
 * @example
 * parseChoiceReply('第二个', [{ id: 'a', label: '价格' }, { id: 'b', label: '服务' }]) // matched ['b']
 */
export function parseChoiceReply(text: string, options: readonly ChoiceOption[], multiple = false): ChoiceReading {
  if (options.length === 0) return { status: 'none' };
  const noneOfThem = /(?:以上)?都不(?:是|选|对)|都没有|一个都没|都不喜欢/.exec(text);
  if (noneOfThem) return { status: 'none_of_them', spans: [[noneOfThem.index, noneOfThem.index + noneOfThem[0].length]] };
  if (multiple) {
    const all = /(?:以上)?(?:都是|都选|全选|全部|都有|都可以|all)/.exec(text);
    if (all) return { status: 'matched', ids: options.map((o) => o.id), spans: [[all.index, all.index + all[0].length]] };
  }

  const hits: Array<{ id: string; at: number; span: Span }> = [];
  const take = (id: string, start: number, end: number) => {
    if (NEGATED_BEFORE.test(text.slice(Math.max(0, start - 5), start))) return;
    if (!hits.some((h) => h.id === id)) hits.push({ id, at: start, span: [start, end] });
  };

  options.forEach((option) => {
    const id = normalizeText(option.id);
    const idRe = new RegExp(`(?<![a-z0-9])${escape(id)}(?![a-z0-9])`, 'g');
    for (const m of text.matchAll(idRe)) take(option.id, m.index ?? 0, (m.index ?? 0) + m[0].length);
    for (const word of [option.label, ...(option.synonyms ?? [])].map(normalizeText).filter((w) => w.length > 0)) {
      let at = text.indexOf(word);
      while (at >= 0) {
        take(option.id, at, at + word.length);
        at = text.indexOf(word, at + word.length);
      }
    }
  });

  if (hits.length === 0) {
    // Ordinals and bare positions: 第二个, 选3, "2", "b" when the ids are not letters or digits.
    const ordinal = new RegExp(`(?:第|选)\\s*(\\d+|[${NUMERAL_CHARS}]+|[a-z](?![a-z]))|^(\\d+|[${NUMERAL_CHARS}]+|[a-z])$`, 'g');
    for (const m of text.replace(/[\s,.!?。，！？]+$/, '').matchAll(ordinal)) {
      const token = (m[1] ?? m[2]) as string;
      const position = /^[a-z]$/.test(token) ? token.charCodeAt(0) - 96 : parseNumber(token);
      const option = position === null ? undefined : options[position - 1];
      if (option) take(option.id, m.index ?? 0, (m.index ?? 0) + m[0].length);
    }
    for (const m of text.matchAll(/[,、和跟及与]\s*(\d+|[a-z])(?![a-z0-9])/g)) {
      // "选1和3": later positions in a list.
      const token = m[1] as string;
      const position = /^[a-z]$/.test(token) ? token.charCodeAt(0) - 96 : parseNumber(token);
      const option = position === null ? undefined : options[position - 1];
      if (option && hits.length > 0) take(option.id, m.index ?? 0, (m.index ?? 0) + m[0].length);
    }
  }
  if (hits.length === 0) return { status: 'none' };
  hits.sort((a, b) => a.at - b.at);
  return { status: 'matched', ids: hits.map((h) => h.id), spans: hits.map((h) => h.span) };
}
