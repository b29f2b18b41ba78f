import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedMongo } from '../../src/store/embedded/startEmbeddedMongo.ts';
import { startEmbeddedRedis } from '../../src/store/embedded/startEmbeddedRedis.ts';
import type { EmbeddedProcess } from '../../src/store/embedded/childProcess.ts';

// One FerretDB (on a temporary directory) and one redis-server for the whole integration run, unless
// MONGODB_URI / REDIS_URL point at existing servers. Each test file then gets its own database
// name and Redis key prefix (see test/support/testStores.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    redisUrl: string;
  }
}

const started: EmbeddedProcess[] = [];

export default async function setup(project: TestProject) {
  const dataDir = '.data/test';
  // A throw-away state directory per run (FerretDB's in-memory SQLite mode hangs on updates).
  const stateDir = await mkdtemp(join(tmpdir(), 'hf-ferretdb-'));
  const log = (line: string) => console.error(`[test setup] ${line}`);
  const [mongoUri, redisUrl] = await Promise.all([
    process.env.MONGODB_URI ??
      startEmbeddedMongo({ dataDir, binDir: '.data/bin', stateDir, log }).then((p) => {
        started.push(p);
        log(`FerretDB at ${p.url}`);
        return p.url;
      }),
    process.env.REDIS_URL ??
      startEmbeddedRedis({ dataDir, binDir: '.data/bin', persist: false, log }).then((p) => {
        started.push(p);
        log(`redis-server at ${p.url}`);
        return p.url;
      }),
  ]);
  project.provide('mongoUri', mongoUri);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await Promise.all(started.map((p) => p.stop()));
    await rm(stateDir, { recursive: true, force: true });
  };
}
