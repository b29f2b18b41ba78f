import type { Redis } from 'ioredis';
import type { TimerSchedule } from '../../core/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

// KEYS: due zset, payload hash. ARGV: now, limit, lease end. Leases due timers by moving their
// score to the lease end; the score is the claim token.
const CLAIM = `
local names = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, name in ipairs(names) do
  redis.call('zadd', KEYS[1], ARGV[3], name)
  table.insert(out, name)
  table.insert(out, redis.call('hget', KEYS[2], name) or '')
end
return out`;
// KEYS: due zset, payload hash. ARGV: name, token. Removes the timer unless it was set again.
const DONE = `
if redis.call('zscore', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('zrem', KEYS[1], ARGV[1])
  redis.call('hdel', KEYS[2], ARGV[1])
end
return 1`;

/**
 * Named timers in one Redis sorted set (score = due time in ms) with payloads in a hash. Setting
 * a name again moves it (one timer per session and kind, instead of one delayed job per turn);
 * claiming leases it, so a process that dies mid-way leaves it to be claimed again.
 */
export function createRedisTimers(redis: Redis, keys: RedisKeys): TimerSchedule {
  return {
    async set(name, dueAt, payload) {
      await redis.multi().zadd(keys.timersDue, dueAt.getTime(), name).hset(keys.timersPayload, name, payload).exec();
    },
    async cancel(name) {
      await redis.multi().zrem(keys.timersDue, name).hdel(keys.timersPayload, name).exec();
    },
    async claimDue(now, limit, leaseMs) {
      const leaseEnd = now.getTime() + leaseMs;
      const flat = (await redis.eval(CLAIM, 2, keys.timersDue, keys.timersPayload, String(now.getTime()), String(limit), String(leaseEnd))) as string[];
      const claimed: Array<{ name: string; payload: string; token: string }> = [];
      for (let i = 0; i < flat.length; i += 2) claimed.push({ name: flat[i]!, payload: flat[i + 1]!, token: String(leaseEnd) });
      return claimed;
    },
    async done(name, token) {
      await redis.eval(DONE, 2, keys.timersDue, keys.timersPayload, name, token);
    },
  };
}
