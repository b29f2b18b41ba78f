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
});
