import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { seedSessions } from '../../support/analyticsHarness.ts';
import { adminGet, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// `npm run -s analytics -- rebuild` as an operator runs it, against the service's own servers
// while the service is up.
let service: RunningService;
let env: Record<string, string>;

beforeAll(async () => {
  env = isolatedEnv('rebuildcli');
  service = await startTestService(env);
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/analytics.ts', ...args], {
    env: { ...process.env, MONGODB_URI: env.MONGODB_URI, REDIS_URL: env.REDIS_URL, REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });

describe('analytics rebuild (CLI)', () => {
  it('counts sessions that were stored without the recorder, and leaves the numbers the same when run again', { timeout: 90_000 }, async () => {
    const summary = () => adminGet<{ sessions: { started: number }; nps: { responses: number } }>(service, '/api/analytics/summary?flowId=nps-default').then((r) => r.body);
    expect((await summary()).sessions.started).toBe(0);
    await seedSessions(service, { count: 60, seed: 41, end: new Date(), days: 10, idPrefix: 'cc110001' });
    const { stdout } = await run('rebuild', '--flow', 'nps-default');
    expect(stdout).toMatch(/^nps-default: 60 sessions, 0 escalations, \d+ records written in [\d.]+ s$/m);
    const first = await summary();
    expect(first.sessions.started).toBe(60);
    await run('rebuild');
    expect(await summary()).toEqual({ ...first, generatedAt: expect.any(String) });
  });

  it('says how to use it when the arguments are wrong', async () => {
    await expect(run('rebuild', '--flow')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: analytics rebuild') });
    await expect(run('rebiuld')).rejects.toMatchObject({ code: 2 });
  });
});
