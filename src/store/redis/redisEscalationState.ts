import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EscalationRuntimeStore } from '../../core/escalations.ts';
import type { RedisKeys } from './redisKeys.ts';

// Sliding window. KEYS[1] sorted set of send times; ARGV: now, windowMs, limit, member.
// Returns -1 when a slot was taken, else ms until the oldest send leaves the window.
const TAKE_SLOT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('zadd', KEYS[1], now, ARGV[4])
  redis.call('pexpire', KEYS[1], window * 2)
  return -1
end
local oldest = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now`;

// Append once. KEYS[1] outbox list, KEYS[2] once-marker; ARGV: item, marker ttl ms. Returns 1 when appended.
const PUSH_ONCE = `
if redis.call('set', KEYS[2], '1', 'NX', 'PX', tonumber(ARGV[2])) then
  redis.call('rpush', KEYS[1], ARGV[1])
  return 1
end
return 0`;
const QUEUED_MARKER_MS = 7 * 24 * 3_600_000;

/**
 * Escalation runtime state on Redis: round-robin counters (INCR), the robot outbox (a list that
 * is only trimmed after a successful send) and sliding rate windows (a sorted set per target,
 * checked and taken in one script so processes cannot overshoot together).
 *
 * @example
 * const runtime = createRedisEscalationState(redis, keys);
 * const index = await runtime.nextIndex('nps-default');
 */
export function createRedisEscalationState(redis: Redis, keys: RedisKeys): EscalationRuntimeStore {
  const outbox = keys.escalationRobotOutbox;
  return {
    async nextIndex(scope) {
      return (await redis.incr(keys.escalationTurn(scope))) - 1;
    },
    robotOutbox: {
      async push(item, onceKey) {
        if (onceKey === undefined) return (await redis.rpush(outbox, item)) > 0;
        return Number(await redis.eval(PUSH_ONCE, 2, outbox, keys.escalationRobotQueued(onceKey), item, String(QUEUED_MARKER_MS))) === 1;
      },
      async peek(count) {
        return count > 0 ? redis.lrange(outbox, 0, count - 1) : [];
      },
      async drop(count) {
        if (count > 0) await redis.ltrim(outbox, count, -1);
      },
      async size() {
        return redis.llen(outbox);
      },
    },
    async takeSlot(name, limit, windowMs, nowMs) {
      const member = `${nowMs}-${randomBytes(4).toString('hex')}`;
      const result = Number(await redis.eval(TAKE_SLOT, 1, keys.escalationRateWindow(name), String(nowMs), String(windowMs), String(limit), member));
      return result < 0 ? { ok: true } : { ok: false, retryInMs: Math.max(1, result) };
    },
  };
}
