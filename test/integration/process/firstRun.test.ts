import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isRunning, serviceEnv, spawnWatched, tempDataDir, waitFor, type WatchedProcess } from '../../support/processes.ts';

// Issue 22: `npm install && npm start` with no ADMIN_TOKEN must lead to a signed-in dashboard.
// Real service processes on one MongoDB and Redis, as a newcomer (or two replicas) would start them.
const id = randomBytes(4).toString('hex');
const shared = {
  MONGODB_URI: `${inject('mongoUri').replace(/\/$/, '')}/t_firstrun_${id}`,
  REDIS_URL: inject('redisUrl'),
  REDIS_KEY_PREFIX: `hf:test:firstrun:${id}:`,
};
const started: Array<{ proc: WatchedProcess; dataDir: string }> = [];
const FIRST_RUN = /^first run: created the owner account/;

async function startService(extra: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<{ proc: WatchedProcess; url: string }> {
  const dataDir = await tempDataDir('firstrun');
  const env = serviceEnv(dataDir, { ...shared, ...extra });
  // From another directory (to find its .env) the loader and entry are named by absolute path.
  const args = options.cwd ? ['--import', resolve('node_modules/tsx/dist/loader.mjs'), resolve('src/main.ts')] : ['--import', 'tsx', 'src/main.ts'];
  const proc = spawnWatched(process.execPath, args, env, options.cwd);
  started.push({ proc, dataDir });
  const url = String((await proc.logLine('huifang is listening', 60_000)).url);
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, 'readyz', 30_000);
  return { proc, url };
}

async function stop(proc: WatchedProcess): Promise<void> {
  if (proc.child.pid && isRunning(proc.child.pid)) proc.child.kill('SIGTERM');
  await proc.exited;
}

const me = async (url: string, token: string) => {
  const res = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { name?: string; role?: string; error?: { code: string } } };
};
const tokenOf = (link: string) => /#token=(hf_[A-Za-z0-9_-]+)$/.exec(link)?.[1] ?? '';

let first: Array<{ proc: WatchedProcess; url: string }>;
let link: string;

beforeAll(async () => {
  // Two processes starting at once on an empty database.
  first = await Promise.all([startService(), startService()]);
  const lines = await Promise.all(first.map(({ proc }) => proc.logLine(/^(first run|another process|an account exists)/, 20_000)));
  const winners = lines.filter((l) => FIRST_RUN.test(String(l.msg)));
  expect(winners).toHaveLength(1);
  link = String(winners[0]!.signInLink);
}, 120_000);

afterAll(async () => {
  await Promise.all(started.map(({ proc }) => stop(proc)));
  await Promise.all(started.map(({ dataDir }) => rm(dataDir, { recursive: true, force: true })));
}, 60_000);

describe('first run without ADMIN_TOKEN', () => {
  it('creates one owner and logs one loopback sign-in link that signs in as admin', async () => {
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?next=%2Fdashboard#token=hf_[A-Za-z0-9_-]{32}$/);
    // Only one of the two processes printed a link at all.
    expect(first.map(({ proc }) => proc.output().split('#token=').length - 1).sort()).toEqual([0, 2]);
    const page = await fetch(link.replace(/#.*$/, ''));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/admin/static/login.js');
    for (const { url } of first) expect(await me(url, tokenOf(link))).toEqual({ status: 200, body: { name: 'owner', role: 'admin' } });
    // A wrong token is told apart from "no account": an account exists now.
    expect((await me(first[0]!.url, 'hf_not-the-token-at-all-000000000000')).body.error?.code).toBe('UNAUTHORIZED');
  });

  it('later starts say an owner exists and print no link; the command line issues a new one', { timeout: 120_000 }, async () => {
    const again = await startService();
    await again.proc.logLine(/^an account exists already/, 10_000);
    expect(again.proc.output()).not.toContain('#token=');

    const cli = spawnWatched(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'sign-in-link'], serviceEnv(started.at(-1)!.dataDir, shared));
    expect(await cli.exited).toBe(0);
    const fresh = /http:\/\/\S+#token=\S+/.exec(cli.output())?.[0] ?? '';
    expect(fresh).toMatch(/\/login\?next=%2Fdashboard#token=hf_/);
    expect((await me(again.url, tokenOf(fresh))).body).toEqual({ name: 'owner', role: 'admin' });
    // The old link stopped working.
    expect((await me(again.url, tokenOf(link))).status).toBe(401);

    const unknown = spawnWatched(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'sign-in-link', '--user', 'nobody'], serviceEnv(started.at(-1)!.dataDir, shared));
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toContain('There is no user "nobody"');
  });

  it('reads .env from the working directory before the configuration', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hf-dotenv-'));
    try {
      const adminToken = `dotenv-admin-token-${id}`;
      await writeFile(join(dir, '.env'), `# written by the first-run test\nADMIN_TOKEN=${adminToken}\n`);
      const withEnv = await startService({ FLOWS_DIR: resolve('flows') }, { cwd: dir });
      expect((await me(withEnv.url, adminToken)).body).toEqual({ name: 'admin', role: 'admin' });
      // With ADMIN_TOKEN set, first-run says nothing.
      expect(withEnv.proc.output()).not.toMatch(/an account exists already|first run/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
