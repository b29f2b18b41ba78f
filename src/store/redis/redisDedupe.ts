import type { Redis } from 'ioredis';
import type { DedupeStore } from '../../core/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

/**
 * DedupeStore on Redis `SET NX EX`: atomic across processes, forgets after the TTL.
 *
 * @example
 * if (await dedupe.firstSeen(`kf:${msgid}`, 3 * 24 * 3600)) handle(msg);
 */
export function createRedisDedupe(redis: Redis, keys: RedisKeys, scope = 'msg'): DedupeStore {
  return {
    async firstSeen(key, ttlSeconds) {
      const reply = await redis.set(keys.dedupe(scope, key), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX');
      return reply === 'OK';
    },
    async forget(key) {
      await redis.del(keys.dedupe(scope, key));
    },
  };
}
