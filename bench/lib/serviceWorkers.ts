import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findFreePort } from '../../src/store/embedded/childProcess.ts';

/** One service process (`node --import tsx src/main.ts`), as an operator would run it. */
export interface ServiceWorker {
  url: string;
  pid: number;
  /** Milliseconds from spawn to /readyz answering 200. */
  startMs: number;
  /** Resident memory now, in MiB (from /proc). */
  rssMiB(): number;
  stop(): Promise<void>;
}

/** CPU time (user + system) a process has used so far, in ms (from /proc; 0 if it is gone). */
export function cpuMsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses; clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Starts a service process with `env` and waits until it reports ready. */
export async function startServiceWorker(env: Record<string, string>, logTo: (line: string) => void): Promise<ServiceWorker> {
  const port = await findFreePort();
  const started = performance.now();
  // BENCH_PROFILE=1 writes a CPU profile per service process to .data/prof/ when it stops.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=.data/prof'] : [];
  // MongoDB commands are always counted (the bench's mongoCommandsPerMessage); tsx loads the counter.
  const counter = ['--import', 'tsx', '--import', './bench/lib/countMongoCommands.ts'];
  // BENCH_DIST=1 runs the compiled service (`npm run build`), as production would.
  const entry = process.env.BENCH_DIST ? [...counter, 'dist/main.js'] : [...counter, 'src/main.ts'];
  // The heap limit `npm start` sets (package.json; HEAP_LIMIT_MIB overrides it there and here).
  const heap = [`--max-old-space-size=${process.env.HEAP_LIMIT_MIB ?? 256}`];
  const child: ChildProcess = spawn(process.execPath, [...heap, ...profile, ...entry], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (/"level":(40|50|60)/.test(line)) logTo(`[worker ${child.pid}] ${line.slice(0, 400)}`);
  });
  child.stderr?.on('data', (chunk: Buffer) => logTo(`[worker ${child.pid}] ${chunk.toString().trim().slice(0, 400)}`));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service worker exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('service worker not ready within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const startMs = performance.now() - started;
  return {
    url,
    pid: child.pid!,
    startMs,
    rssMiB() {
      try {
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb ? Number(kb) / 1024 : 0;
      } catch {
        return 0;
      }
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

