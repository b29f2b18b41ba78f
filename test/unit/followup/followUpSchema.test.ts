import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlow } from '../../../src/engine/index.ts';

const source = readFileSync('flows/nps-default.yaml', 'utf8');
/** The 1-based line of the `n`th line containing `needle`. */
const lineOf = (text: string, needle: string, n = 1) => {
  const lines = text.split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => l.includes(needle));
  return lines[n - 1]![1];
};

describe('followUp in a flow file', () => {
  it('defaults to every automatic tag group and no rules', () => {
    const parsed = parseFlow(source.replace(/\nfollowUp:[\s\S]*?\n(?=faq:)/, '\n'));
    expect(parsed.ok && parsed.flow.followUp).toEqual({ tags: ['segment', 'npsGroup', 'touchpoint', 'topics'], rules: [] });
  });

  it('reports rule problems with their path and YAML line', () => {
    const broken = source
      .replace('id: low-csat-result', 'id: at-risk-callback')
      .replace('touchpoint: 服务效果, lte: 2', 'touchpoint: 收银, lte: 2')
      .replace('tags: [价格敏感]', 'tagz: [价格敏感]');
    const parsed = parseFlow(broken);
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems).toContainEqual(expect.objectContaining({ path: 'followUp.rules[2].then', line: lineOf(broken, 'tagz: [价格敏感]') - 1 }));
    // Shape problems come first; fix that one and the cross-checks report the rest.
    const second = parseFlow(broken.replace('tagz:', 'tags:'));
    const more = second.ok ? [] : second.problems;
    expect(more).toEqual([
      expect.objectContaining({ path: 'followUp.rules[1].id', line: lineOf(broken, 'id: at-risk-callback', 2), message: expect.stringContaining('duplicate rule id') }),
      expect.objectContaining({ path: 'followUp.rules[1].when.csat.touchpoint', line: lineOf(broken, '收银'), message: expect.stringContaining('no csat step has touchpoint "收银"') }),
    ]);
  });

  it('checks product conditions against the catalogue, timing buckets and the fields a task reason may use, with lines', () => {
    const broken = source
      .replace('when: { product: any, timing:', 'when: { product: [thermage, thermagic], timing:')
      .replace('沟通{{products}}（', '沟通{{product}}（');
    const parsed = parseFlow(broken);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      expect.objectContaining({ path: 'followUp.rules[4].when.product[1]', line: lineOf(broken, 'thermagic'), message: expect.stringContaining('unknown catalogue id "thermagic" (the catalog has thermage, ultherapy') }),
      expect.objectContaining({ path: 'followUp.rules[4].then.task.reason', line: lineOf(broken, '{{product}}'), message: expect.stringContaining('unknown field {{product}}; a task reason may use {{products}}, {{windowStart}}, {{window}}') }),
    ]);
    const badBucket = parseFlow(source.replace('timing: [1_3_months,', 'timing: [next_month,'));
    expect(badBucket.ok ? [] : badBucket.problems).toContainEqual(expect.objectContaining({ path: expect.stringMatching(/^followUp\.rules\[4\]\.when\.timing/), line: lineOf(source, 'timing: [1_3_months,') }));
    // Without a catalogue `any` is valid (it never holds); a named item is not.
    const noCatalog = source.replace(/\ncatalog:[\s\S]*?\n(?=steps:)/, '\n');
    expect(parseFlow(noCatalog).ok).toBe(true);
    const named = parseFlow(noCatalog.replace('when: { product: any,', 'when: { product: thermage,'));
    expect(named.ok ? [] : named.problems).toEqual([expect.objectContaining({ path: 'followUp.rules[4].when.product', message: 'unknown catalogue id "thermage" (the flow has no catalog)' })]);
  });

  it('takes a lead time before the purchase window only as whole days up to 90', () => {
    const parsed = parseFlow(source.replace('beforeWindow: { leadDays: 3 }', 'beforeWindow: { leadDays: 120 }'));
    expect(parsed.ok ? [] : parsed.problems).toEqual([expect.objectContaining({ path: 'followUp.rules[4].then.task.beforeWindow.leadDays', line: lineOf(source, 'leadDays: 3') })]);
  });
});
