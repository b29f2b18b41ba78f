import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('eval prints accuracy per field and tag, settled precision and the LLM share; --json for machines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-eval-'));
    const file = join(dir, 'gold.jsonl');
    writeFileSync(
      file,
      [
        { id: 'a', question: 'nps', text: '8分', tags: ['bare'], gold: { score: [8], intent: ['answer'] } },
        { id: 'b', question: 'nps', text: '原本打算打满分，减两分', tags: ['arithmetic'], gold: { score: [8] } },
        { id: 'c', question: 'reason', text: '呵呵，服务可真周到', tags: ['sarcasm'], gold: { sentiment: ['positive'] } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const text = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/nlu.ts', 'eval', file, '--misses'], { cwd: root, encoding: 'utf8', env: { ...process.env, OPENAI_API_KEY: '' } });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('score      1.000 (2/2)');
    expect(text.stdout).toContain('sentiment  0.000 (0/1)');
    expect(text.stdout).toMatch(/settled precision 1\.000 \(\d+\/\d+\)/);
    expect(text.stdout).toMatch(/arithmetic +1 +1\.000/);
    expect(text.stdout).toContain('c sentiment: "呵呵，服务可真周到" -> "negative"');

    const json = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/nlu.ts', 'eval', file, '--json'], { cwd: root, encoding: 'utf8', env: { ...process.env, OPENAI_API_KEY: '' } });
    const summary = JSON.parse(json.stdout) as { lines: number; fields: Record<string, { right: number; total: number }>; toLlm: { total: number } };
    expect(summary.lines).toBe(3);
    expect(summary.fields.score).toEqual({ right: 2, total: 2 });
    expect(summary.toLlm.total).toBe(3);
  });

  it('eval refuses a bad gold line with its file and line number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-eval-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'a', question: 'nps', text: '8', gold: { score: [] } })}\n`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/nlu.ts', 'eval', file], { cwd: root, encoding: 'utf8', env: { ...process.env, OPENAI_API_KEY: '' } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bad.jsonl:1: gold.score');
  });
});
