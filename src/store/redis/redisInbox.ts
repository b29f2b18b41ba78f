import type { Redis } from 'ioredis';
import type { ConversationInbox } from '../../core/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

/**
 * ConversationInbox on a Redis list per conversation (RPUSH / LINDEX 0 / LPOP). Only the holder
 * of the conversation lock consumes, so peek-then-ack is safe.
 */
export function createRedisInbox(redis: Redis, keys: RedisKeys): ConversationInbox {
  return {
    async push(key, item) {
      await redis.rpush(keys.inbox(key), item);
    },
    async peek(key) {
      return redis.lindex(keys.inbox(key), 0);
    },
    async ack(key) {
      await redis.lpop(keys.inbox(key));
    },
  };
}
