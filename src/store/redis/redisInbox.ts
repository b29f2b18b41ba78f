import type { Redis } from 'ioredis';
import type { ConversationInbox } from '../../core/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

// KEYS: inbox list, waiting index (zset), failures hash. ARGV: conversation key, now (ms).
// Removes the head and returns the next one (the drain's next peek, in the same round trip); the
// conversation leaves the index once its inbox is empty.
const ACK = `
redis.call('lpop', KEYS[1])
redis.call('hdel', KEYS[3], ARGV[1])
local next = redis.call('lindex', KEYS[1], 0)
if next then redis.call('zadd', KEYS[2], ARGV[2], ARGV[1]) else redis.call('zrem', KEYS[2], ARGV[1]) end
return next`;
// KEYS: waiting index. ARGV: before (ms), limit, now (ms). Returns the stranded keys and marks them attended.
const STRANDED = `
local keys = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, key in ipairs(keys) do redis.call('zadd', KEYS[1], ARGV[3], key) end
return keys`;
// KEYS: failures hash. ARGV: conversation key, item id. Counts failures of the current head item only.
const NOTE_FAILURE = `
local current = redis.call('hget', KEYS[1], ARGV[1])
local n = 1
if current then
  local id, count = string.match(current, '^(.*)|(%d+)$')
  if id == ARGV[2] then n = tonumber(count) + 1 end
end
redis.call('hset', KEYS[1], ARGV[1], ARGV[2] .. '|' .. n)
return n`;

/**
 * ConversationInbox on a Redis list per conversation (RPUSH / LINDEX 0 / LPOP), plus an index
 * of conversations with waiting items scored by when they last had attention (a push, an ack,
 * a sweep), so the sweep finds work whose job was lost. Only the holder of the conversation lock
 * consumes, so peek-then-ack is safe.
 */
export function createRedisInbox(redis: Redis, keys: RedisKeys): ConversationInbox {
  return {
    async push(key, item) {
      await redis.multi().rpush(keys.inbox(key), item).zadd(keys.inboxWaiting, Date.now(), key).exec();
    },
    async peek(key) {
      return redis.lindex(keys.inbox(key), 0);
    },
    async ack(key) {
      return ((await redis.eval(ACK, 3, keys.inbox(key), keys.inboxWaiting, keys.inboxFailures, key, String(Date.now()))) as string | null) ?? null;
    },
    async stranded(before, limit) {
      return (await redis.eval(STRANDED, 1, keys.inboxWaiting, String(before.getTime()), String(limit), String(Date.now()))) as string[];
    },
    async noteFailure(key, itemId) {
      return Number(await redis.eval(NOTE_FAILURE, 1, keys.inboxFailures, key, itemId));
    },
  };
}
