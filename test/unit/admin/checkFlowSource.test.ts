import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFlowSource, flowLimits } from '../../../src/admin/checkFlowSource.ts';

const shipped = readFileSync('flows/nps-default.yaml', 'utf8');
const lineOf = (source: string, needle: string) => source.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('checkFlowSource', () => {
  it('accepts the shipped flow under its own id', () => {
    const check = checkFlowSource('nps-default', shipped);
    expect(check.ok).toBe(true);
    expect(check.problems).toEqual([]);
  });

  it('refuses another id, at the id line', () => {
    const check = checkFlowSource('other', shipped);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([{ path: 'id', line: lineOf(shipped, 'id: nps-default'), message: expect.stringContaining('id is "nps-default" but this is flow "other"') }]);
  });

  it('reports an unknown step kind with its step id, path and line', () => {
    const bad = shipped.replace('kind: repurchase', 'kind: loyalty');
    expect(checkFlowSource('nps-default', bad).problems).toEqual([
      { stepId: 'intent', path: 'steps[11].kind', line: lineOf(bad, 'kind: loyalty'), message: expect.stringContaining('unknown step kind "loyalty"') },
    ]);
  });

  it('limits text length, step count and total size', () => {
    const long = shipped.replace('感谢您抽空反馈', 'x'.repeat(flowLimits.maxTextChars));
    expect(checkFlowSource('nps-default', long).problems).toEqual([
      { stepId: 'thanks', path: 'steps[17].text', line: lineOf(long, 'xxxx'), message: `text is ${flowLimits.maxTextChars + 16} characters long; the limit is ${flowLimits.maxTextChars}` },
    ]);
    const many = ['schemaVersion: 1', 'id: many', 'version: 1', 'title: 多', 'steps:', ...Array.from({ length: 101 }, (_, i) => `  - { id: m${i}, kind: message, text: 第${i}条 }`), '  - { id: e, kind: end, text: 完 }'].join('\n');
    expect(checkFlowSource('many', many).problems).toEqual([{ path: 'steps', line: 5, message: 'the flow has 102 steps; the limit is 100' }]);
    expect(checkFlowSource('nps-default', `# ${'x'.repeat(flowLimits.maxSourceChars)}\n${shipped}`).problems[0]?.message).toMatch(/the limit is 200000/);
  });

  it('keeps a script tag as plain data (escaping is the page’s job) and reports broken YAML by line', () => {
    expect(checkFlowSource('nps-default', shipped.replace('感谢您抽空反馈', '<script>alert(1)</script>')).ok).toBe(true);
    const broken = checkFlowSource('nps-default', 'schemaVersion: 1\nsteps: [unclosed\n');
    expect(broken.ok).toBe(false);
    expect(broken.problems[0]?.line).toBeGreaterThan(0);
  });
});
