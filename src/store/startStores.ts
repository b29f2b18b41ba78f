import type { Connection } from 'mongoose';
import type { Logger } from '../core/logger.ts';
import type { EmbeddedProcess } from './embedded/childProcess.ts';
import { lockDataDir, type DataDirLock } from './embedded/dataDirLock.ts';
import { processStartTicks } from './embedded/processIdentity.ts';
import { startEmbeddedMongo } from './embedded/startEmbeddedMongo.ts';
import { startEmbeddedRedis } from './embedded/startEmbeddedRedis.ts';
import { connectMongo, isFerretdb, pingMongo } from './mongo/connectMongo.ts';
import { connectRedis, connectRedisCluster, openCluster, parseClusterNodes, pingRedis, type Redis } from './redis/connectRedis.ts';
import { redisKeys, type RedisKeys } from './redis/redisKeys.ts';

/** Open connections to MongoDB and Redis, and the embedded servers we started for them, if any. */
export interface Stores {
  mongo: Connection;
  redis: Redis;
  /** The single Redis's URL, or `redis-cluster://host:port,…` on a Cluster (for logs and child processes). */
  redisUrl: string;
  /**
   * On a Cluster: opens a client for a BullMQ queue (`worker`: one whose blocking reads wait as
   * long as they must). BullMQ builds clients from a URL itself, but not Cluster clients.
   */
  openQueueClient?: (role: 'producer' | 'worker') => { client: object; close: () => Promise<void> };
  keys: RedisKeys;
  embedded: EmbeddedProcess[];
  /** The database is FerretDB (embedded or given); some queries take a cheaper path there. */
  ferretdb: boolean;
  readiness: { mongodb: () => Promise<boolean>; redis: () => Promise<boolean> };
  /** Closes connections, then stops embedded servers. */
  close(): Promise<void>;
}

/**
 * Connects to `mongodbUri` / `redisUrl`, or starts the embedded FerretDB and redis-server under
 * `dataDir` for whichever is not set, holding the DATA_DIR lock while they run (a second service
 * on the same directory is refused with DATA_DIR_LOCKED). Embedded servers are stopped again if
 * start-up fails.
 *
 * @example
 * const stores = await startStores({ dataDir: '.data', keyPrefix: 'hf:dev:', logger });
 */
export async function startStores(options: {
  mongodbUri?: string;
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster (`host:port,…`); used instead of redisUrl and the embedded Redis. */
  redisClusterNodes?: string;
  dataDir: string;
  keyPrefix: string;
  dbName?: string;
  logger: Logger;
}): Promise<Stores> {
  const log = options.logger.child({ module: 'stores' });
  const embedded: EmbeddedProcess[] = [];
  let lock: DataDirLock | undefined;
  const stopEmbedded = async () => {
    await Promise.all(embedded.map((p) => p.stop().catch(() => undefined)));
    await lock?.release();
  };
  const adopt = async (p: EmbeddedProcess) => {
    embedded.push(p);
    if (p.pid) await lock?.recordChild(p.name, { pid: p.pid, startTicks: processStartTicks(p.pid) });
  };
  try {
    const redisGiven = Boolean(options.redisUrl ?? options.redisClusterNodes);
    if (!options.mongodbUri || !redisGiven) lock = await lockDataDir(options.dataDir, { log: (line) => log.warn(line) });
    const [mongoUri, redisUrl] = await Promise.all([
      options.mongodbUri ??
        startEmbeddedMongo({ dataDir: options.dataDir, log: (line) => log.info(line) }).then(async (p) => {
          await adopt(p);
          log.info({ url: p.url, pid: p.pid, dir: `${options.dataDir}/ferretdb` }, 'started embedded FerretDB (MONGODB_URI not set)');
          return p.url;
        }),
      options.redisUrl ??
        (options.redisClusterNodes && `redis-cluster://${options.redisClusterNodes}`) ??
        startEmbeddedRedis({ dataDir: options.dataDir, persist: true }).then(async (p) => {
          await adopt(p);
          log.info({ url: p.url, pid: p.pid, dir: `${options.dataDir}/redis` }, 'started embedded redis-server (REDIS_URL not set)');
          return p.url;
        }),
    ]);
    // A database named in the URI path wins; otherwise "huifang".
    const uriDb = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(mongoUri)?.[1];
    const mongo = await connectMongo({ uri: mongoUri, dbName: options.dbName ?? uriDb ?? 'huifang', logger: options.logger });
    const clusterNodes = options.redisClusterNodes ? parseClusterNodes(options.redisClusterNodes) : undefined;
    const redis = clusterNodes ? await connectRedisCluster({ nodes: clusterNodes, logger: options.logger }) : await connectRedis({ url: redisUrl, logger: options.logger });
    const ferretdb = await isFerretdb(mongo);
    return {
      mongo,
      ferretdb,
      redis,
      redisUrl,
      ...(clusterNodes ? { openQueueClient: (role: 'producer' | 'worker') => queueClusterClient(clusterNodes, role, options.logger) } : {}),
      keys: redisKeys(options.keyPrefix, { hashTags: Boolean(clusterNodes) }),
      embedded,
      readiness: { mongodb: () => pingMongo(mongo), redis: () => pingRedis(redis) },
      async close() {
        await mongo.close().catch(() => undefined);
        redis.disconnect();
        await stopEmbedded();
      },
    };
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
}

function queueClusterClient(nodes: ReturnType<typeof parseClusterNodes>, role: 'producer' | 'worker', logger: Logger) {
  const client = openCluster({ nodes, name: `queue-${role}`, blocking: role === 'worker' });
  client.on('error', (error: Error) => logger.warn({ err: error.message, role }, 'queue redis cluster error'));
  return { client, close: async () => void (await client.quit().catch(() => client.disconnect())) };
}
