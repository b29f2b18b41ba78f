import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, customer, startTestService } from '../../support/serviceHarness.ts';

// Erasure reaches the disk (issue 25, item 4): DELETE /api/customers/:id used to clear every live
// document and key while the SQLite file still held the customer's words twice and Redis's
// append-only file 23 times. This service runs its own embedded FerretDB and redis-server (with
// its append-only file, as `npm start` does) under a data directory of its own, so the raw bytes
// of every file they write can be searched.

let service: RunningService;
let dataDir: string;

const word = `紫檀${randomBytes(4).toString('hex')}`;
const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const complaint = `${word}的顾问太敷衍了，我的电话${phone}，请回电`;

/** Every file under `dir` (recursively) that contains one of `needles`, with how many times. */
async function filesHolding(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path).catch(() => Buffer.alloc(0)); // rotated away meanwhile
    for (const needle of needles) {
      const n = countOf(bytes, Buffer.from(needle));
      if (n > 0) hits.push(`${path.slice(dir.length + 1)}: "${needle}" ×${n}`);
    }
  }
  return hits;
}

function countOf(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hf-erase-disk-'));
  // The FerretDB binary built for this checkout (the build is minutes; never repeat it here).
  await symlink(resolve('.data/bin'), join(dataDir, 'bin'));
  service = await startTestService({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_TOKEN,
    REDIS_KEY_PREFIX: 'hf:test:disk:',
  });
  const sim = service.simulator!;
  const c = customer(service, sim, 'wm_disk_erase');
  await c.says('你好');
  await c.says('3');
  await c.says(complaint);
  await service.followUp.whenIdle({ timeoutMs: 20_000 });
  await service.escalation.whenIdle({ timeoutMs: 20_000 });
}, 180_000);

afterAll(async () => {
  await service?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('erasure on disk', () => {
  it('leaves no copy of the customer’s words or phone number in the SQLite files (main and -wal) or in Redis’s files', async () => {
    const ferretdb = join(dataDir, 'ferretdb');
    const redis = join(dataDir, 'redis');
    // Written through to disk first, or the check below would prove nothing.
    await expect.poll(() => filesHolding(ferretdb, [word, phone]), { timeout: 30_000 }).not.toEqual([]);
    await expect.poll(() => filesHolding(redis, [word, phone]), { timeout: 30_000 }).not.toEqual([]);

    const res = await fetch(`${service.url}/api/customers/wm_disk_erase`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    // The -wal file is truncated within 10 s of the write; the AOF rewrite runs at once.
    await expect.poll(() => filesHolding(ferretdb, [word, phone]), { timeout: 40_000, interval: 1_000 }).toEqual([]);
    await expect.poll(() => filesHolding(redis, [word, phone]), { timeout: 40_000, interval: 1_000 }).toEqual([]);
    // The stores go on working on the truncated and rewritten files, and still write through.
    const next = `${word}-next`;
    const other = customer(service, service.simulator!, 'wm_disk_next');
    expect((await other.says('你好')).join()).toMatch(/0-10/);
    await other.says(next);
    await expect.poll(() => filesHolding(redis, [next]), { timeout: 30_000 }).not.toEqual([]);
    await expect.poll(() => filesHolding(ferretdb, [next]), { timeout: 30_000 }).not.toEqual([]);
  }, 120_000);
});
