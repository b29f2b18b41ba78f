import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ensureFerretdbBinary } from './buildFerretdb.ts';
import { findFreePort, spawnUntilReady, stopChild, type EmbeddedProcess } from './childProcess.ts';

/**
 * Starts `redis-server` (Debian package) bound to loopback on a free port. With `persist`,
 * data is kept under `<dataDir>/redis` (append-only file); otherwise nothing touches disk.
 * It is started through our FerretDB binary's `watch-parent` mode, which asks Linux to send it
 * SIGTERM when this process dies (a heap OOM or SIGKILL runs no exit hook) and then execs it.
 *
 * @example
 * const redis = await startEmbeddedRedis({ dataDir: '.data', persist: true }); // redis.url = redis://127.0.0.1:PORT
 */
export async function startEmbeddedRedis(options: {
  dataDir: string;
  persist: boolean;
  /** Where our FerretDB binary lives (built if needed); defaults to `<dataDir>/bin`. */
  binDir?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedProcess> {
  const watcher = await ensureFerretdbBinary(options.binDir ?? resolve(options.dataDir, 'bin'), options.log);
  const port = await findFreePort();
  const dir = resolve(options.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'];
  args.push(...(options.persist ? ['--appendonly', 'yes', '--save', '60 1'] : ['--appendonly', 'no', '--save', '']));
  let started;
  try {
    started = await spawnUntilReady(watcher, ['watch-parent', '-parent-pid', String(process.pid), '--', 'redis-server', ...args], /Ready to accept connections/, 15_000);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      message.includes('could not start')
        ? `redis-server is not installed: run "apt-get install -y redis-server" or set REDIS_URL (${message})`
        : message,
      { cause: error },
    );
  }
  started.child.stdout?.resume();
  started.child.stderr?.resume();
  return { name: 'redis-server', url: `redis://127.0.0.1:${port}`, pid: started.child.pid, stop: () => stopChild(started.child) };
}
