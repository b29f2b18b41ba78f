import { describe, expect, it } from 'vitest';
import type { ChoiceOption } from '../../../src/core/analysis.ts';
import { normalizeText } from '../../../src/nlu/rules/normalizeText.ts';
import { parseChoiceReply } from '../../../src/nlu/rules/parseChoiceReply.ts';

const OPTIONS: ChoiceOption[] = [
  { id: 'price', label: '价格优惠', synonyms: ['便宜', '价格'] },
  { id: 'service', label: '服务', synonyms: ['态度'] },
  { id: 'effect', label: '效果' },
  { id: 'location', label: '离家近', synonyms: ['方便'] },
];
const LETTERED: ChoiceOption[] = [
  { id: 'A', label: '朋友推荐' },
  { id: 'B', label: '网上看到' },
  { id: 'C', label: '路过' },
];

function ids(text: string, options = OPTIONS, multiple = false) {
  const r = parseChoiceReply(normalizeText(text), options, multiple);
  return r.status === 'matched' ? r.ids : r.status === 'none_of_them' ? [] : null;
}

describe('parseChoiceReply', () => {
  it.each<[string, string[] | null, ChoiceOption[]?, boolean?]>([
    ['服务', ['service']],
    ['主要是因为便宜', ['price']],
    ['效果和态度', ['effect', 'service'], OPTIONS, true],
    ['第三个', ['effect']],
    ['选2', ['service']],
    ['4', ['location']],
    ['b', ['B'], LETTERED],
    ['选A', ['A'], LETTERED],
    ['C吧', ['C'], LETTERED],
    ['都是', ['price', 'service', 'effect', 'location'], OPTIONS, true],
    ['都不是', []],
    ['不是因为价格，是效果', ['effect']],
    ['随便', null],
    ['7', null],
  ])('%s → %j', (text, expected, options = OPTIONS, multiple = false) => {
    expect(ids(text, options, multiple)).toEqual(expected);
  });
});
