import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `pid` runs (a zombie, finished but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` every 100 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh DATA_DIR that reuses the FerretDB binary built for the test run (no rebuild). */
export async function tempDataDir(label: string): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), `hf-${label}-`));
  await mkdir(join(dataDir, 'bin'), { recursive: true });
  await symlink(join(process.cwd(), '.data/bin/ferretdb'), join(dataDir, 'bin/ferretdb'));
  await symlink(join(process.cwd(), '.data/bin/ferretdb.sha256'), join(dataDir, 'bin/ferretdb.sha256'));
  return dataDir;
}

/** The environment for a service process: embedded stores under `dataDir`, nothing inherited that would point elsewhere. */
export function serviceEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(MONGODB_URI|REDIS_URL|REDIS_CLUSTER_NODES|WECOM_|OPENAI_|ADMIN_TOKEN|NODE_OPTIONS|VITEST)/.test(name)) delete env[name];
  return { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir, REDIS_KEY_PREFIX: 'hf:proc:', ...extra };
}

/** A spawned process whose stdout/stderr lines are kept; pino JSON lines are parsed. */
export interface WatchedProcess {
  child: ChildProcess;
  output(): string;
  /** The first pino line whose msg matches, waiting up to `timeoutMs`. */
  logLine(msg: string | RegExp, timeoutMs: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function spawnWatched(command: string, args: string[], env: NodeJS.ProcessEnv): WatchedProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const lines: Array<Record<string, unknown>> = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        const json: unknown = JSON.parse(line);
        if (json && typeof json === 'object') lines.push(json as Record<string, unknown>);
      } catch {
        // not a log line (npm's banner)
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    async logLine(msg, timeoutMs) {
      const matches = (l: Record<string, unknown>) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg)));
      await waitFor(() => lines.some(matches) || child.exitCode !== null, `log line ${String(msg)}`, timeoutMs);
      const found = lines.find(matches);
      if (!found) throw new Error(`process exited before logging ${String(msg)}:\n${text.slice(-3000)}`);
      return found;
    },
  };
}
