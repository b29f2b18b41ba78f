import { describe, expect, it } from 'vitest';
import { measureJson } from '../../../src/campaigns/jsonBounds.ts';

describe('measureJson', () => {
  it.each([
    ['[]', { containers: 1, values: 0 }],
    ['[{}]', { containers: 2, values: 1 }],
    ['[0, 0 ,0]', { containers: 1, values: 3 }],
    ['[[],[1]]', { containers: 3, values: 3 }],
    // Commas, brackets and escaped quotes inside strings are text, not structure.
    ['{"rows":[{"a":"x,\\"]{[","b":[1,2]},{}]}', { containers: 5, values: 7 }],
  ])('%s holds %o', (text, size) => {
    expect(measureJson(text)).toEqual(size);
  });

  it('counts what JSON.parse would allocate, whatever the spacing', () => {
    const rows = Array.from({ length: 1_000 }, (_, n) => ({ customerRef: `C${n}`, name: '张三', products: ['水光针', '热玛吉'] }));
    expect(measureJson(JSON.stringify(rows))).toEqual({ containers: 2_001, values: 1_000 + 3 * 1_000 + 2 * 1_000 });
    expect(measureJson(JSON.stringify(rows, null, 2))).toEqual(measureJson(JSON.stringify(rows)));
  });
});
