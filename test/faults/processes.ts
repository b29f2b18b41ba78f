import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { sleep } from './time.ts';

/**
 * Child processes the fault suite starts, kills and restarts: FerretDB, redis-server, the WeCom
 * simulator and the service itself. Every wait has a deadline; every child we start is killed
 * when the driver exits, however it exits (short of SIGKILL).
 */

/** How a process shows it is ready: a line on stdout/stderr, or a probe that answers true. */
export type Readiness = { line: RegExp } | { probe: () => Promise<boolean> };

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Every start appends its output here. */
  logFile: string;
  ready: Readiness;
  readyTimeoutMs: number;
}

/** One restartable child process. */
export interface ManagedProcess {
  readonly name: string;
  pid(): number | undefined;
  running(): boolean;
  /** How many times it was started. */
  starts(): number;
  /** Starts it and resolves once it is ready; rejects (and kills it) when it is not ready in time. */
  start(): Promise<void>;
  /** Sends `signal`, waits for the exit; SIGKILL after `graceMs` if it is still there. */
  stop(signal: 'SIGKILL' | 'SIGTERM', graceMs?: number): Promise<{ exitCode: number | null; signal: string | null }>;
  /** Replaces the environment used by the next start. */
  setEnv(env: NodeJS.ProcessEnv): void;
  /** The last lines the process wrote (for error messages). */
  tail(): string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** SIGKILLs every child still running (used by the suite's watchdog and signal handlers). */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

export function createManagedProcess(spec: ProcessSpec): ManagedProcess {
  installExitHook();
  let child: ChildProcess | undefined;
  let env = spec.env;
  let startCount = 0;
  let tail = '';
  let log: WriteStream | undefined;

  function logStream(): WriteStream {
    log ??= createWriteStream(spec.logFile, { flags: 'a' });
    return log;
  }

  async function waitReady(proc: ChildProcess): Promise<void> {
    const deadline = Date.now() + spec.readyTimeoutMs;
    let exited = false;
    proc.once('exit', () => (exited = true));
    const ready = spec.ready;
    if ('line' in ready) {
      let seen = false;
      const onData = (chunk: Buffer) => {
        if (!seen && ready.line.test(tail + chunk.toString())) seen = true;
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      try {
        while (!seen) {
          if (exited) throw new Error(`${spec.name} exited before it was ready:\n${tail}`);
          if (Date.now() > deadline) throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs} ms:\n${tail}`);
          await sleep(50);
        }
      } finally {
        proc.stdout?.off('data', onData);
        proc.stderr?.off('data', onData);
      }
      return;
    }
    for (;;) {
      if (exited) throw new Error(`${spec.name} exited before it was ready:\n${tail}`);
      if (await ready.probe().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs} ms:\n${tail}`);
      await sleep(250);
    }
  }

  function waitExit(proc: ChildProcess, ms: number): Promise<boolean> {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  return {
    name: spec.name,
    pid: () => child?.pid,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    starts: () => startCount,
    setEnv(next) {
      env = next;
    },
    tail: () => tail,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) throw new Error(`${spec.name} is already running (pid ${child.pid})`);
      startCount += 1;
      tail = '';
      const out = logStream();
      out.write(`\n===== ${new Date().toISOString()} start #${startCount}: ${spec.command} ${spec.args.join(' ')}\n`);
      const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      live.add(proc);
      const collect = (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-4000);
        out.write(chunk);
      };
      proc.stdout?.on('data', collect);
      proc.stderr?.on('data', collect);
      proc.once('exit', (code, signal) => {
        live.delete(proc);
        out.write(`\n===== ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
      });
      proc.once('error', (error) => {
        tail += `\nspawn error: ${error.message}`;
      });
      try {
        await waitReady(proc);
      } catch (error) {
        proc.kill('SIGKILL');
        await waitExit(proc, 5_000);
        throw error;
      }
    },
    async stop(signal, graceMs = 20_000) {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return { exitCode: proc?.exitCode ?? null, signal: proc?.signalCode ?? null };
      proc.kill(signal);
      if (!(await waitExit(proc, signal === 'SIGKILL' ? 10_000 : graceMs))) {
        proc.kill('SIGKILL');
        await waitExit(proc, 10_000);
      }
      return { exitCode: proc.exitCode, signal: proc.signalCode };
    },
  };
}
