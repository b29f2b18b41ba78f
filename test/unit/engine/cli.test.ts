import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bad = 'test/unit/engine/fixtures/bad-flow.yaml';

function flowCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/flow.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// Each case starts node with tsx (about 2 s), so allow more than the default 5 s under load.
describe('flow CLI', { timeout: 20_000 }, () => {
  it('prints one OK line per valid file and exits 0', () => {
    const run = flowCli('validate', 'flows/nps-default.yaml', 'flows/csat-after-service.yaml');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'flows/nps-default.yaml: OK (nps-default v1, 18 steps)',
      'flows/csat-after-service.yaml: OK (csat-after-service v1, 4 steps)',
    ]);
  });

  it('prints every problem with line, path and step id, and exits 1', () => {
    const run = flowCli('validate', 'flows/nps-default.yaml', bad);
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      'flows/nps-default.yaml: OK (nps-default v1, 18 steps)',
      `${bad}:9 steps[0].text (step hello): unknown template field "{{brnd}}"; define it under variables, or use customer.<name> or answers.<stepId>`,
      `${bad}:15 steps[1].branch[0].goto (step nps): goes to unknown step "nowhere"`,
      `${bad}:17 steps[2] (step stars): is unreachable: no step leads here`,
      `${bad}:21 steps[2].max (step stars): max (3) must be greater than min (5)`,
      '1 of 2 flow file(s) have problems',
    ]);
  });

  it('reports a missing file instead of crashing', () => {
    const run = flowCli('validate', 'flows/none.yaml');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^flows\/none\.yaml: cannot read the file: ENOENT/);
  });

  it('prints the JSON Schema of the flow format', () => {
    const run = flowCli('schema');
    expect(run.status).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'id', 'version', 'title', 'steps']));
    expect(schema.properties.steps.items.oneOf).toHaveLength(8);
  });

  it('explains its usage when called wrongly', () => {
    const run = flowCli('validate');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: flow validate FILE/);
  });
});
