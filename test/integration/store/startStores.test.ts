import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.ts';
import { startStores } from '../../../src/store/startStores.ts';

const logger = createLogger({ level: 'silent' });
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startStores', () => {
  it('starts embedded FerretDB and redis-server when no URLs are set, keeps data across restarts, and stops them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hf-stores-'));
    dirs.push(dataDir);
    // The binary is shared with the test setup so this does not rebuild it.
    const { mkdir, symlink } = await import('node:fs/promises');
    await mkdir(join(dataDir, 'bin'), { recursive: true });
    await symlink(join(process.cwd(), '.data/bin/ferretdb'), join(dataDir, 'bin/ferretdb'));
    await symlink(join(process.cwd(), '.data/bin/ferretdb.sha256'), join(dataDir, 'bin/ferretdb.sha256'));

    const first = await startStores({ dataDir, keyPrefix: 'hf:t:', logger });
    expect(first.embedded.map((p) => p.name).sort()).toEqual(['ferretdb', 'redis-server']);
    // A second service on the same directory would run a second FerretDB and redis-server on these files.
    await expect(startStores({ dataDir, keyPrefix: 'hf:t:', logger })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining(`pid ${process.pid}`) });
    expect(JSON.parse(await readFile(join(dataDir, 'huifang.lock'), 'utf8')).children.map((c: { name: string }) => c.name).sort()).toEqual(['ferretdb', 'redis-server']);
    expect(await first.readiness.mongodb()).toBe(true);
    expect(await first.readiness.redis()).toBe(true);
    await first.mongo.collection('notes').insertOne({ text: '回访记录' });
    await first.redis.set('hf:t:k', 'v');
    const pids = first.embedded.map((p) => p.pid);
    await first.close();
    expect(pids.map(alive)).toEqual([false, false]);

    const second = await startStores({ dataDir, keyPrefix: 'hf:t:', logger });
    expect(await second.mongo.collection('notes').findOne({}, { projection: { _id: 0 } })).toEqual({ text: '回访记录' });
    expect(await second.redis.get('hf:t:k')).toBe('v');
    await second.close();
  }, 60_000);

  it('uses MONGODB_URI and REDIS_URL as given and starts nothing', async () => {
    const stores = await startStores({
      mongodbUri: inject('mongoUri'),
      redisUrl: inject('redisUrl'),
      dataDir: '/nonexistent-should-not-be-used',
      keyPrefix: 'hf:t2:',
      dbName: 't_startstores_given',
      logger,
    });
    expect(stores.embedded).toEqual([]);
    expect(await stores.readiness.mongodb()).toBe(true);
    await stores.mongo.dropDatabase();
    await stores.close();
  });
});
