import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ensureFerretdbBinary } from './buildFerretdb.ts';
import { spawnUntilReady, stopChild, type EmbeddedProcess } from './childProcess.ts';

/**
 * Starts our embedded FerretDB (MongoDB wire protocol, SQLite under `stateDir`) on a free
 * loopback port, building the binary first if needed. It stops itself when this process dies,
 * however it dies (`-parent-pid`: see tools/ferretdb/parent.go).
 *
 * @example
 * const mongo = await startEmbeddedMongo({ dataDir: '.data', log }); // mongo.url = mongodb://127.0.0.1:PORT/
 */
export async function startEmbeddedMongo(options: {
  dataDir: string;
  /** Where the binary lives; defaults to `<dataDir>/bin`. */
  binDir?: string;
  /** State directory; defaults to `<dataDir>/ferretdb`. */
  stateDir?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedProcess> {
  const bin = await ensureFerretdbBinary(options.binDir ?? resolve(options.dataDir, 'bin'), options.log);
  const stateDir = options.stateDir ?? resolve(options.dataDir, 'ferretdb');
  await mkdir(stateDir, { recursive: true });
  const args = ['-listen', '127.0.0.1:0', '-state-dir', stateDir, '-parent-pid', String(process.pid)];
  const { child, match } = await spawnUntilReady(bin, args, /READY (mongodb:\/\/\S+)/, 30_000);
  // Keep draining output so the pipe never blocks the child.
  child.stdout?.resume();
  child.stderr?.resume();
  return { name: 'ferretdb', url: match[1]!, pid: child.pid, stop: () => stopChild(child) };
}
