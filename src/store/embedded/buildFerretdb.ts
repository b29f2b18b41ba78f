import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** tools/ferretdb in this repository: our Go main that embeds FerretDB. */
export const ferretdbSourceDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tools/ferretdb');

// FerretDB and redis-server (run under the binary's watch-parent mode) start side by side and
// both need the binary: one build per path, however many ask at once.
const ensuring = new Map<string, Promise<string>>();

/**
 * Builds the embedded FerretDB binary into `binDir` unless a binary built from the same
 * sources is already there (a hash of the .go files, go.mod and go.sum is kept beside it).
 * The first build downloads Go modules and compiles SQLite: minutes on 2 cores.
 *
 * @example
 * const bin = await ensureFerretdbBinary('.data/bin', (line) => logger.info(line));
 */
export function ensureFerretdbBinary(binDir: string, log: (line: string) => void = () => undefined): Promise<string> {
  const bin = resolve(binDir, 'ferretdb');
  let pending = ensuring.get(bin);
  if (!pending) {
    pending = buildUnlessCurrent(bin, log).finally(() => ensuring.delete(bin));
    ensuring.set(bin, pending);
  }
  return pending;
}

async function buildUnlessCurrent(bin: string, log: (line: string) => void): Promise<string> {
  const stamp = `${bin}.sha256`;
  const hash = createHash('sha256');
  const sources = (await readdir(ferretdbSourceDir)).filter((f) => f.endsWith('.go')).sort();
  for (const f of [...sources, 'go.mod', 'go.sum']) hash.update(await readFile(join(ferretdbSourceDir, f)));
  const want = hash.digest('hex');
  if (existsSync(bin) && existsSync(stamp) && (await readFile(stamp, 'utf8')).trim() === want) return bin;

  await mkdir(dirname(bin), { recursive: true });
  log(`building FerretDB into ${bin} (first run only; takes a few minutes)`);
  const started = Date.now();
  try {
    await run('go', ['build', '-trimpath', '-tags', 'ferretdb_no_postgresql', '-o', bin, '.'], {
      cwd: ferretdbSourceDir,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod -buildvcs=false' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 20 * 60_000,
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(
      `Could not build FerretDB (needs Go >= 1.24 on PATH and the Go module proxy): ${e.stderr?.slice(-2000) || e.message}`,
      { cause: error },
    );
  }
  await writeFile(stamp, `${want}\n`);
  log(`built FerretDB in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}

// `npm run ferretdb:build` builds ahead of time (CI does this before the tests).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? '.data/bin';
  ensureFerretdbBinary(dir, (l) => console.error(l)).then(
    (bin) => console.error(`ferretdb binary: ${bin}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
