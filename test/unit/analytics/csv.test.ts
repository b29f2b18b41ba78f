import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, exportHeader, exportRow } from '../../../src/analytics/csv.ts';
import type { ResponseFacts } from '../../../src/sessionFacts/types.ts';

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

describe('export interest columns', () => {
  const products = [{ id: 'thermage', name: '热玛吉' }, { id: 'hydra', name: '水光针' }, { id: 'botox', name: '肉毒素' }];
  const at = new Date('2026-11-23T02:00:00Z');
  const facts: ResponseFacts = {
    sessionId: 's1', flowId: 'nps-default', flowVersion: 1, status: 'completed', outcome: 'completed', customerId: 'c1', createdAt: at, updatedAt: at, revision: 1, dims: {}, asked: [],
    answers: [
      { stepId: 'timing', kind: 'text', at, value: '两个月后做热玛吉', raw: '两个月后做热玛吉', missing: false, reason: false, topics: [], timing: '1_3_months', timingFrom: '2027-01-23', products: ['thermage'] },
      { stepId: 'products', kind: 'text', at, value: '水光针，看价格', raw: '水光针，看价格', missing: false, reason: false, topics: ['价格'], products: ['hydra', 'thermage'], factors: ['price'] },
    ],
  };
  const steps = [{ stepId: 'timing', kind: 'text' as const, label: '时间' }, { stepId: 'products', kind: 'text' as const, label: '项目' }];

  it('has the purchase window, a column per catalogue item (1 or blank), 都可以 and one per factor, after the answers', () => {
    const header = exportHeader(steps, products);
    const row = exportRow(facts, steps, 'Asia/Shanghai', products);
    const cells = Object.fromEntries(header.map((h, i) => [h, row[i]]));
    expect(header.slice(-10)).toEqual(['购买时间窗口', '意向项目：热玛吉', '意向项目：水光针', '意向项目：肉毒素', '意向项目：都可以', '考虑因素：价格优惠', '考虑因素：效果', '考虑因素：便利时间', '考虑因素：顾问', '考虑因素：项目丰富']);
    expect(row.slice(-10)).toEqual(['1-3个月（2027-01-23 起）', '1', '1', '', '', '1', '', '', '', '']);
    // Readings name products by their catalogue names.
    expect(cells['products 解读']).toBe('话题：价格；产品：水光针、热玛吉；考虑因素：价格优惠');
  });
});
