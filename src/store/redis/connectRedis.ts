import { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import { UpstreamError } from '../../core/errors.ts';
import { withTimeout } from '../../core/withTimeout.ts';

export type { Redis };

/**
 * Opens an ioredis client with bounded timeouts. Retry policy: reconnect with backoff
 * (100 ms doubling, capped at 2 s) forever; a command waits at most 3 retries per reconnect
 * and `commandTimeout` ms, then fails to the caller.
 *
 * @example
 * const redis = await connectRedis({ url: 'redis://127.0.0.1:6379', logger });
 */
export async function connectRedis(options: { url: string; logger: Logger; name?: string }): Promise<Redis> {
  const redis = new Redis(options.url, {
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
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

/** Answers true when Redis replies to PING within `timeoutMs`. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    return (await withTimeout(redis.ping(), timeoutMs)) === 'PONG';
  } catch {
    return false;
  }
}
