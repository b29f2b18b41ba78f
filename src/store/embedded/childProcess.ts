import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A child process we started and must stop on shutdown. */
export interface EmbeddedProcess {
  name: string;
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Asks the OS for a free loopback port. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `command` and resolves when a stdout/stderr line matches `ready` (with the match), or
 * rejects with the output tail if it exits or `timeoutMs` passes first.
 */
export function spawnUntilReady(
  command: string,
  args: string[],
  ready: RegExp,
  timeoutMs: number,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // If this process ends without a clean stop (a crash, process.exit), take the child with it
    // rather than leaving an orphaned database server behind. (SIGKILL cannot be caught.)
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    let tail = '';
    let done = false;
    const finish = (error: Error | null, match?: RegExpMatchArray) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve({ child, match: match! });
    };
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
      const match = tail.match(ready);
      if (match) finish(null, match);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', (error) => finish(new Error(`${command} could not start: ${error.message}`)));
    child.on('exit', (code) => finish(new Error(`${command} exited with ${code} before it was ready:\n${tail}`)));
    const timer = setTimeout(() => finish(new Error(`${command} was not ready after ${timeoutMs} ms:\n${tail}`)), timeoutMs);
  });
}

/** SIGTERM, then SIGKILL after `graceMs` if the child has not exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
