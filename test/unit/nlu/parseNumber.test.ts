import { describe, expect, it } from 'vitest';
import { parseNumber } from '../../../src/nlu/rules/parseNumber.ts';

describe('parseNumber', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['10', 10],
    ['8.5', 8.5],
    ['零', 0],
    ['〇', 0],
    ['一', 1],
    ['两', 2],
    ['二', 2],
    ['五', 5],
    ['九', 9],
    ['十', 10],
    ['十一', 11],
    ['二十', 20],
    ['二十一', 21],
    ['九十', 90],
    ['一百', 100],
    ['一百零五', 105],
    ['一零', 10],
    ['捌', 8],
    ['拾', 10],
    ['seven', 7],
    ['ten', 10],
  ])('%s → %s', (token, expected) => {
    expect(parseNumber(token)).toBe(expected);
  });

  it.each(['', '好', '三四十', '十十', 'eleven', '8分', '1.2.3'])('%s is not a number', (token) => {
    expect(parseNumber(token)).toBeNull();
  });
});
