import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../../src/analytics/csv.ts';

describe('csv', () => {
  it.each([
    ['plain', '很好', '很好'],
    ['comma', '好,很好', '"好,很好"'],
    ['quote', '他说"好"', '"他说""好"""'],
    ['line break', '第一行\n第二行', '"第一行\n第二行"'],
    ['formula-like text is defused', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['a minus sign too', '-1', "'-1"],
  ])('%s', (_what, input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
  it('leaves numbers alone and ends lines with CRLF', () => {
    expect(csvLine(['a', -3, null, undefined])).toBe('a,-3,,\r\n');
  });
});
