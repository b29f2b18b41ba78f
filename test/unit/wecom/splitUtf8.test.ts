import { describe, expect, it } from 'vitest';
import { splitUtf8, utf8Length } from '../../../src/channels/wecom/splitUtf8.ts';
import { truncateUtf8 } from '../../../src/channels/wecom/kfMessages.ts';

function check(text: string, max: number): string[] {
  const parts = splitUtf8(text, max);
  expect(parts.join('')).toBe(text);
  for (const part of parts) {
    expect(utf8Length(part)).toBeLessThanOrEqual(max);
    expect(part.length).toBeGreaterThan(0);
    // No part starts or ends inside a surrogate pair.
    expect(/^[\uDC00-\uDFFF]/.test(part) || /[\uD800-\uDBFF]$/.test(part)).toBe(false);
  }
  return parts;
}

describe('splitUtf8', () => {
  it('keeps short text whole and gives nothing for empty text', () => {
    expect(splitUtf8('你好', 2048)).toEqual(['你好']);
    expect(splitUtf8('', 2048)).toEqual([]);
  });

  it('fills parts up to exactly the byte limit with ASCII', () => {
    const parts = check('a'.repeat(5000), 2048);
    expect(parts.map((p) => p.length)).toEqual([2048, 2048, 904]);
  });

  it('cuts CJK text at character boundaries (3 bytes each)', () => {
    const parts = check('好'.repeat(1000), 2048);
    expect(parts.map(utf8Length)).toEqual([2046, 954]);
  });

  it('never splits a 4-byte emoji', () => {
    const text = `a${'😀'.repeat(700)}`;
    const parts = check(text, 2048);
    expect(parts.length).toBe(2);
    expect(utf8Length(parts[0]!)).toBe(2045);
  });

  it('mixes widths correctly at the edge', () => {
    check(`${'x'.repeat(2046)}好b`, 2048);
    check(`${'x'.repeat(2047)}é`, 2048);
    check(Array.from({ length: 3000 }, (_, i) => ['a', 'é', '好', '😀'][i % 4]).join(''), 2048);
  });

  it('prefers a natural break in the last fifth of a part', () => {
    const first = `${'句'.repeat(600)}。`;
    const parts = check(`${first}${'字'.repeat(600)}`, 2048);
    expect(parts[0]).toBe(first);
  });

  it('truncates with an ellipsis inside the byte limit', () => {
    const cut = truncateUtf8('好'.repeat(100), 128);
    expect(utf8Length(cut)).toBeLessThanOrEqual(128);
    expect(cut.endsWith('…')).toBe(true);
    expect(truncateUtf8('short', 128)).toBe('short');
  });
});
