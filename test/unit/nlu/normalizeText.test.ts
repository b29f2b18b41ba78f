import { describe, expect, it } from 'vitest';
import { normalizeText, residualText, splitClauses } from '../../../src/nlu/rules/normalizeText.ts';

describe('normalizeText', () => {
  it.each([
    ['１０分！', '10分!'],
    ['ＯＫ', 'ok'],
    ['還不錯，給８分', '还不错,给8分'],
    ['  很  满意  ', '很 满意'],
    ['👍\ufe0f', '👍'],
    ['满\u200b意', '满意'],
    // Any traditional character, not only the lexicons' (catalogue words come from merchants).
    ['熱瑪吉、鈑金噴漆、換輪胎', '热玛吉、钣金喷漆、换轮胎'],
    // Hong Kong variants too.
    ['衞生', '卫生'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });
});

describe('splitClauses', () => {
  it('splits at punctuation but keeps decimals and numeric ranges', () => {
    expect(splitClauses('8.5分,服务好!环境一般').map((c) => c.text)).toEqual(['8.5分', '服务好', '环境一般']);
    expect(splitClauses('6~7分').map((c) => c.text)).toEqual(['6~7分']);
    expect(splitClauses('好的~谢谢').map((c) => c.text)).toEqual(['好的', '谢谢']);
  });
});

describe('residualText', () => {
  it('leaves nothing when spans and fillers cover the text', () => {
    expect(residualText('我给8分吧!', [[2, 4]], /我|给|吧/g)).toBe('');
    expect(residualText('我给8分,环境不错', [[2, 4]], /我|给|吧/g)).toBe('环境不错');
  });
});
