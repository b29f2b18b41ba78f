import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import { UpstreamError } from '../../core/errors.ts';
import { withTimeout } from '../../core/withTimeout.ts';

export type { Redis };

/**
 * The client options both modes share. Retry policy: reconnect with backoff (100 ms doubling,
 * capped at 2 s) forever; a command waits at most 3 retries per reconnect and `commandTimeout`
 * ms, then fails to the caller.
 */
const CLIENT_OPTIONS = {
  connectTimeout: 5_000,
  commandTimeout: 5_000,
  maxRetriesPerRequest: 3,
  retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
} satisfies RedisOptions;

/**
 * Opens an ioredis client with bounded timeouts (see CLIENT_OPTIONS for the retry policy).
 *
 * @example
 * const redis = await connectRedis({ url: 'redis://127.0.0.1:6379', logger });
 */
export async function connectRedis(options: { url: string; logger: Logger; name?: string }): Promise<Redis> {
  const redis = new Redis(options.url, {
    ...CLIENT_OPTIONS,
    lazyConnect: true,
    // Commands issued in the same tick go out in one write: a turn issues many small ones.
    enableAutoPipelining: true,
    connectionName: options.name ?? 'huifang',
  });
  redis.on('error', (error: Error) => options.logger.warn({ err: error.message }, 'redis error'));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new UpstreamError('REDIS_UNAVAILABLE', `Cannot connect to Redis at ${options.url.replace(/\/\/[^@/]*@/, '//***@')}`, {}, error);
  }
  return redis;
}

/** `host:port` of each seed node of a Redis Cluster (REDIS_CLUSTER_NODES). */
export type ClusterNodes = Array<{ host: string; port: number }>;

/**
 * Opens an ioredis Cluster client over the seed nodes, with the same timeouts as a single
 * client. A master that fails is replaced by its replica: MOVED replies and a slot refresh
 * send commands to the new master; commands in flight during the switch fail to the caller,
 * whose retry policy (the turn queue, the inbox) runs them again.
 *
 * It is returned as `Redis`: every store issues commands the Cluster client routes by key,
 * and the few that must know (scans, the file rewriter) ask `isCluster`.
 *
 * @example
 * const redis = await connectRedisCluster({ nodes: [{ host: '10.0.0.1', port: 6379 }], logger });
 */
export async function connectRedisCluster(options: { nodes: ClusterNodes; logger: Logger; name?: string; password?: string; blocking?: boolean }): Promise<Redis> {
  const cluster = openCluster(options);
  cluster.on('error', (error: Error) => options.logger.warn({ err: error.message }, 'redis cluster error'));
  try {
    await cluster.connect();
    await cluster.ping();
  } catch (error) {
    cluster.disconnect();
    throw new UpstreamError('REDIS_UNAVAILABLE', `Cannot connect to the Redis Cluster at ${options.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`, {}, error);
  }
  return cluster as unknown as Redis;
}

/**
 * A Cluster client, not yet connected. `blocking` is for BullMQ's workers, whose blocking reads
 * must wait as long as it takes (BullMQ refuses a client with a per-request retry limit).
 */
export function openCluster(options: { nodes: ClusterNodes; name?: string; password?: string; blocking?: boolean }): Cluster {
  return new Cluster(options.nodes, {
    lazyConnect: true,
    enableAutoPipelining: true,
    enableReadyCheck: true,
    // Reads go to masters: a replica may lag, and a turn reads what it just wrote.
    scaleReads: 'master',
    clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    // While a replica is being promoted the cluster answers CLUSTERDOWN / TRYAGAIN: wait, then retry.
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    retryDelayOnFailover: 200,
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      ...CLIENT_OPTIONS,
      ...(options.blocking ? { maxRetriesPerRequest: null, commandTimeout: undefined } : {}),
      ...(options.password ? { password: options.password } : {}),
      connectionName: options.name ?? 'huifang',
    },
  });
}

/** Parses REDIS_CLUSTER_NODES (`host:port,host:port,…`). */
export function parseClusterNodes(list: string): ClusterNodes {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const cut = entry.lastIndexOf(':');
      return { host: entry.slice(0, cut), port: Number(entry.slice(cut + 1)) };
    });
}

/** True when `redis` is a Cluster client (see connectRedisCluster). */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/** The clients of every master of a Cluster, or the one client. */
export function masterClients(redis: Redis): Redis[] {
  return isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
}

/** The clients of every node of a Cluster, replicas too, or the one client. */
export function allNodes(redis: Redis): Redis[] {
  return isCluster(redis) ? (redis as unknown as Cluster).nodes('all') : [redis];
}

/**
 * Every key matching `match`, in batches. A Cluster keeps keys on several masters, and SCAN
 * only walks the node it is sent to, so each master is scanned.
 */
export async function* scanKeys(redis: Redis, match: string, count = 1000): AsyncGenerator<string[]> {
  for (const node of masterClients(redis)) {
    for await (const batch of node.scanStream({ match, count }) as AsyncIterable<string[]>) if (batch.length) yield batch;
  }
}

/**
 * MGET over keys that may lie in different hash slots: one MGET on a single Redis; on a
 * Cluster one GET per key (they are pipelined per node), since MGET across slots is refused.
 */
export async function getMany(redis: Redis, keys: string[]): Promise<Array<string | null>> {
  if (!keys.length) return [];
  return isCluster(redis) ? Promise.all(keys.map((key) => redis.get(key))) : redis.mget(...keys);
}

/** DEL over keys that may lie in different hash slots (see getMany); answers how many were deleted. */
export async function deleteMany(redis: Redis, keys: string[]): Promise<number> {
  if (!keys.length) return 0;
  if (!isCluster(redis)) return redis.del(...keys);
  return (await Promise.all(keys.map((key) => redis.del(key)))).reduce((a, b) => a + b, 0);
}

/** Answers true when Redis replies to PING within `timeoutMs`. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    return (await withTimeout(redis.ping(), timeoutMs)) === 'PONG';
  } catch {
    return false;
  }
}
