import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Connection } from 'mongoose';
import { createLogger, type Logger } from '../../src/core/logger.ts';
import { connectMongo } from '../../src/store/mongo/connectMongo.ts';
import { connectRedis, type Redis } from '../../src/store/redis/connectRedis.ts';
import { redisKeys, type RedisKeys } from '../../src/store/redis/redisKeys.ts';

/** Real MongoDB (FerretDB) and Redis for one test file, isolated by database name and key prefix. */
export interface TestStores {
  mongoUri: string;
  redisUrl: string;
  dbName: string;
  prefix: string;
  mongo: Connection;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * Opens isolated stores for a test file; call `close()` in afterAll. The database is dropped and
 * the file's Redis keys deleted on close.
 */
export async function openTestStores(label = 'test'): Promise<TestStores> {
  const mongoUri = inject('mongoUri');
  const redisUrl = inject('redisUrl');
  const id = randomBytes(4).toString('hex');
  const dbName = `t_${label.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 40)}_${id}`;
  const prefix = `hf:test:${id}:`;
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const mongo = await connectMongo({ uri: mongoUri, dbName, logger });
  const redis = await connectRedis({ url: redisUrl, logger });
  return {
    mongoUri,
    redisUrl,
    dbName,
    prefix,
    mongo,
    redis,
    keys: redisKeys(prefix),
    logger,
    async close() {
      await mongo.dropDatabase().catch(() => undefined);
      await mongo.close();
      const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
      for await (const batch of stream as AsyncIterable<string[]>) if (batch.length) await redis.del(...batch);
      redis.disconnect();
    },
  };
}
