import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../../src/store/embedded/dataDirLock.ts';
import { processStartTicks } from '../../../src/store/embedded/processIdentity.ts';
import { isRunning, spawnWatched, waitFor } from '../../support/processes.ts';

const dirs: string[] = [];
const started: number[] = [];
afterAll(async () => {
  for (const pid of started) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hf-lock-'));
  dirs.push(dir);
  return dir;
}

/** Another process that takes the lock on `dir` and records a `sleep` child as an embedded server. */
function holder(dir: string) {
  const module = (file: string) => JSON.stringify(pathToFileURL(resolve(file)).href);
  const script = `
    const { lockDataDir } = await import(${module('src/store/embedded/dataDirLock.ts')});
    const { processStartTicks } = await import(${module('src/store/embedded/processIdentity.ts')});
    const { spawn } = await import('node:child_process');
    const lock = await lockDataDir(${JSON.stringify(dir)});
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    await lock.recordChild('sleeper', { pid: sleeper.pid, startTicks: processStartTicks(sleeper.pid) });
    console.log(JSON.stringify({ msg: 'locked', pid: process.pid, sleeper: sleeper.pid }));
    setInterval(() => {}, 1000);`;
  return spawnWatched(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], process.env);
}

describe('DATA_DIR lock', () => {
  it('refuses a second holder in the same process, naming the pid, until released', async () => {
    const dir = await freshDir();
    const lock = await lockDataDir(dir);
    const second = lockDataDir(dir);
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining(`pid ${process.pid}`) });
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('refuses while another process holds it; takes it over at once when that process is killed, and stops what it left running', async () => {
    const dir = await freshDir();
    const other = holder(dir);
    const locked = await other.logLine('locked', 30_000);
    const sleeper = Number(locked.sleeper);
    started.push(Number(locked.pid), sleeper);
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      message: expect.stringMatching(new RegExp(`^DATA_DIR ${dir} is in use by another huifang process \\(pid ${Number(locked.pid)}, started `)),
    });

    // SIGKILL: no exit hook runs, so the lock file and the child stay behind.
    other.child.kill('SIGKILL');
    await other.exited;
    expect(isRunning(sleeper)).toBe(true);
    const notes: string[] = [];
    const lock = await lockDataDir(dir, { log: (line) => notes.push(line) });
    expect(isRunning(sleeper)).toBe(false);
    expect(notes).toEqual([
      `taking over the DATA_DIR lock of pid ${Number(locked.pid)}, which no longer runs`,
      `stopping sleeper (pid ${sleeper}) left running by the previous holder`,
    ]);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, children: [] });
    await lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (a different start time), and leaves that process alone', async () => {
    const dir = await freshDir();
    const unrelated = spawn('sleep', ['300'], { stdio: 'ignore' });
    started.push(unrelated.pid!);
    await waitFor(() => processStartTicks(unrelated.pid!) !== null, 'sleep to start', 5_000);
    const stale = { pid: unrelated.pid, startTicks: '1', startedAt: '2026-01-01T00:00:00.000Z', children: [{ name: 'redis-server', pid: unrelated.pid, startTicks: '1' }] };
    await writeFile(join(dir, 'huifang.lock'), JSON.stringify(stale));
    const lock = await lockDataDir(dir);
    expect(isRunning(unrelated.pid!)).toBe(true);
    await lock.release();
  });

  it('takes over an unreadable lock file', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'huifang.lock'), 'not json');
    const lock = await lockDataDir(dir);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('lets exactly one of many simultaneous takers hold it', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'huifang.lock'), JSON.stringify({ pid: 999_999_999, startTicks: null, startedAt: 'x', children: [] }));
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => lockDataDir(dir)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(4).fill('DATA_DIR_LOCKED'));
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });
});
