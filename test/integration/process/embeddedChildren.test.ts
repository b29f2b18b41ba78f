import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, serviceEnv, spawnWatched, tempDataDir, waitFor, type WatchedProcess } from '../../support/processes.ts';

// A service that dies however it dies (SIGKILL, a heap OOM: no exit hook runs) takes its embedded
// FerretDB and redis-server with it; the next start on the same DATA_DIR finds nothing in its way.
let dataDir: string;
const started: WatchedProcess[] = [];
const pids: number[] = [];

interface Running {
  proc: WatchedProcess;
  url: string;
  node: number;
  ferretdb: number;
  redis: number;
}

/** The service as `npm start` runs it (heap capped), with extra node flags. */
async function startService(nodeFlags: string[] = []): Promise<Running> {
  const proc = spawnWatched(process.execPath, ['--max-old-space-size=256', ...nodeFlags, '--import', 'tsx', 'src/main.ts'], serviceEnv(dataDir));
  started.push(proc);
  const listening = await proc.logLine('huifang is listening', 150_000);
  const running = {
    proc,
    url: String(listening.url),
    node: Number(listening.pid),
    ferretdb: Number((await proc.logLine(/^started embedded FerretDB/, 1_000)).pid),
    redis: Number((await proc.logLine(/^started embedded redis-server/, 1_000)).pid),
  };
  pids.push(running.node, running.ferretdb, running.redis);
  await waitFor(async () => (await fetch(`${running.url}/readyz`).catch(() => null))?.status === 200, '/readyz to answer 200', 30_000);
  return running;
}

beforeAll(async () => {
  dataDir = await tempDataDir('children');
});

afterAll(async () => {
  for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded servers die with the service', () => {
  it('SIGKILL of node: FerretDB and redis-server exit within 5 s', async () => {
    const service = await startService();
    expect([service.ferretdb, service.redis].every(isRunning)).toBe(true);
    process.kill(service.node, 'SIGKILL');
    await service.proc.exited;
    await waitFor(() => !isRunning(service.ferretdb) && !isRunning(service.redis), 'ferretdb and redis-server to exit', 5_000);
  }, 180_000);

  it('a heap OOM of node: FerretDB and redis-server exit within 5 s, and the service starts again on the same DATA_DIR', async () => {
    const service = await startService(['--import', './test/support/heapHog.mjs']);
    process.kill(service.node, 'SIGUSR2');
    await service.proc.exited;
    expect(service.proc.output()).toMatch(/heap out of memory/);
    await waitFor(() => !isRunning(service.ferretdb) && !isRunning(service.redis), 'ferretdb and redis-server to exit', 5_000);
    // No orphan holds the files or the lock: the next start takes over quietly.
    const again = await startService();
    expect(again.proc.output()).not.toMatch(/left running by the previous holder/);
    expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
    process.kill(again.node, 'SIGTERM');
    await again.proc.exited;
  }, 240_000);
});
