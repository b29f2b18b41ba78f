import type { Redis } from 'ioredis';
import type { OutboxProgress } from '../../core/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

/** Kept longer than any session stays open; a lost mark only means an idempotent replay. */
const DONE_TTL_SECONDS = 8 * 24 * 3600;

/**
 * Remembers per session which revision's outbox was carried out completely, so the next turn
 * need not rewrite the session to clear it (one MongoDB write per turn fewer).
 */
export function createRedisOutboxProgress(redis: Redis, keys: RedisKeys): OutboxProgress {
  return {
    async isDone(sessionId, rev) {
      return (await redis.get(keys.outboxDone(sessionId))) === String(rev);
    },
    async markDone(sessionId, rev) {
      await redis.set(keys.outboxDone(sessionId), String(rev), 'EX', DONE_TTL_SECONDS);
    },
  };
}
