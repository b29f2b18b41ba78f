import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function nluCli(args: string[], lines: object[]): { status: number | null; out: Array<Record<string, unknown>>; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/nlu.ts', '--now', '2026-11-23T10:00:00+08:00', ...args], {
    cwd: root,
    encoding: 'utf8',
    input: lines.map((l) => JSON.stringify(l)).join('\n'),
    // Rules only, whatever the developer's shell has configured.
    env: { ...process.env, OPENAI_API_KEY: '' },
  });
  const out = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: run.status, out, stderr: run.stderr };
}

// Each case starts node with tsx (about 2 s), so allow more than the default 5 s under load.
describe('nlu CLI', { timeout: 20_000 }, () => {
  it('with --flow reads products from that flow\'s catalogue and prints ids and factors per line', () => {
    const run = nluCli(['--flow', 'flows/car-after-sales.yaml'], [
      { id: 'a', question: 'text', text: '想了解一下保养套餐' },
      { id: 'b', question: 'text', text: '不考虑贴膜了，先换轮胎' },
      { id: 'c', question: 'reason', text: '师傅技术好，就是价格有点贵' },
      { id: 'd', question: 'text', text: '都行' },
    ]);
    expect(run.status).toBe(0);
    expect(run.out.map(({ id, products, factors, openInterest }) => ({ id, products, factors, openInterest }))).toEqual([
      { id: 'a', products: ['maintenance'], factors: [], openInterest: false },
      { id: 'b', products: ['tires'], factors: [], openInterest: false },
      { id: 'c', products: [], factors: ['advisor', 'effect', 'price'], openInterest: false },
      { id: 'd', products: [], factors: [], openInterest: true },
    ]);
  });

  it('without --flow names no product', () => {
    const run = nluCli([], [{ id: 'a', question: 'text', text: '想了解一下保养套餐' }]);
    expect(run.status).toBe(0);
    expect(run.out[0]).toMatchObject({ id: 'a', products: [], factors: [] });
  });

  it('refuses a flow with problems, naming them, and analyses nothing', () => {
    const run = nluCli(['--flow', 'test/unit/engine/fixtures/bad-flow.yaml'], [{ id: 'a', question: 'text', text: '保养' }]);
    expect(run.status).toBe(2);
    expect(run.out).toEqual([]);
    expect(run.stderr).toMatch(/bad-flow\.yaml:\d+ .*unknown template field/);
    expect(run.stderr).toContain('--flow test/unit/engine/fixtures/bad-flow.yaml is not a valid flow');
  });
});
