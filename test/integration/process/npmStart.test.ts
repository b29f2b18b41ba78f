import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, serviceEnv, spawnWatched, tempDataDir, waitFor, type WatchedProcess } from '../../support/processes.ts';

// `npm start` as a process manager runs it: its own process, embedded FerretDB and redis-server
// under a temporary DATA_DIR, stopped with SIGTERM to the npm process.
let dataDir: string;
let npm: WatchedProcess;
let url: string;
const pids: Record<'node' | 'ferretdb' | 'redis', number> = { node: 0, ferretdb: 0, redis: 0 };

beforeAll(async () => {
  dataDir = await tempDataDir('npm-start');
  npm = spawnWatched('npm', ['start'], serviceEnv(dataDir));
  const listening = await npm.logLine('huifang is listening', 150_000);
  url = String(listening.url);
  pids.node = Number(listening.pid);
  pids.ferretdb = Number((await npm.logLine(/^started embedded FerretDB/, 1_000)).pid);
  pids.redis = Number((await npm.logLine(/^started embedded redis-server/, 1_000)).pid);
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, '/readyz to answer 200', 30_000);
}, 180_000);

afterAll(async () => {
  // Whatever the outcome, leave nothing of ours running.
  for (const pid of [npm?.child.pid, ...Object.values(pids)]) if (pid && isRunning(pid)) process.kill(pid, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('refuses a second service on the same DATA_DIR, naming the process that holds it', async () => {
    const second = spawnWatched(process.execPath, ['--import', 'tsx', 'src/main.ts'], serviceEnv(dataDir));
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`DATA_DIR ${dataDir} is in use by another huifang process (pid ${pids.node}`);
    expect(second.output()).toContain('DATA_DIR_LOCKED');
    // It started nothing of its own, and the first service is untouched.
    expect(second.output()).not.toMatch(/started embedded/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  }, 60_000);

  it('stops node, redis-server and FerretDB when the npm process gets SIGTERM', async () => {
    expect(Object.values(pids).every(isRunning)).toBe(true);
    process.kill(npm.child.pid!, 'SIGTERM');
    // The service's own shutdown gives up after 20 s; everything must be gone well within 30 s.
    await waitFor(() => !Object.values(pids).some(isRunning), 'node, redis-server and ferretdb to exit', 30_000);
    expect(npm.output()).toContain('huifang stopped');
  }, 40_000);
});
