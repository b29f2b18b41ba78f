import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  AccessTokenCache,
  CallbackNonces,
  ChannelStateStore,
  FetchedToken,
  HandledLedger,
  PullCursorStore,
  SendBudget,
} from '../../core/channelState.ts';
import { getMany } from './connectRedis.ts';
import type { RedisKeys } from './redisKeys.ts';
import { createRedisLock } from './redisLock.ts';

// Reopen the window only for a customer message not older than the last one, so re-reading old
// messages is a no-op. Equal seconds do reopen: two messages can share a send_time second.
// KEYS[1] budget hash; ARGV: customerMessageAt, windowSeconds, nowSeconds.
const REOPEN = `
local since = tonumber(redis.call('hget', KEYS[1], 'since') or '-1')
local at = tonumber(ARGV[1])
if at < since then return 0 end
local ttl = at + tonumber(ARGV[2]) - tonumber(ARGV[3])
if ttl <= 0 then return 0 end
redis.call('hset', KEYS[1], 'since', at, 'used', 0)
redis.call('expire', KEYS[1], ttl)
return 1`;

// All-or-nothing take. KEYS[1] budget hash; ARGV: count, limit, windowSeconds.
const TAKE = `
local used = tonumber(redis.call('hget', KEYS[1], 'used') or '0')
local count = tonumber(ARGV[1])
if used + count > tonumber(ARGV[2]) then return 0 end
redis.call('hincrby', KEYS[1], 'used', count)
if redis.call('ttl', KEYS[1]) < 0 then redis.call('expire', KEYS[1], ARGV[3]) end
return 1`;

// KEYS[1] budget hash; ARGV: count.
const REFUND = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
local used = tonumber(redis.call('hget', KEYS[1], 'used') or '0') - tonumber(ARGV[1])
if used < 0 then used = 0 end
redis.call('hset', KEYS[1], 'used', used)
return used`;

// KEYS[1] budget hash; ARGV: limit, windowSeconds.
const EXHAUST = `
redis.call('hset', KEYS[1], 'used', ARGV[1])
if redis.call('ttl', KEYS[1]) < 0 then redis.call('expire', KEYS[1], ARGV[2]) end
return 1`;

// KEYS[1] covered counter; ARGV: sequence. Only ever raises it.
const RAISE = `
local current = tonumber(redis.call('get', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('set', KEYS[1], ARGV[1]) end
return 1`;

/**
 * Seconds to keep a token: WeCom tokens normally live 7200 s; refresh 5 minutes early, and for
 * unusually short lifetimes keep 80 % of it.
 */
function cacheSeconds(expiresIn: number): number {
  if (expiresIn > 600) return expiresIn - 300;
  return Math.max(1, Math.floor(expiresIn * 0.8));
}

/**
 * Redis-backed state for the WeCom channel: shared access tokens (single-flight refresh through a
 * Redis lock plus an in-process flight map), kf cursors and callback sequence numbers, per
 * conversation send budgets, and the ledger of handed-on message ids.
 *
 * @example
 * const state = createRedisWecomState(redis, redisKeys('hf:prod:'));
 * const token = await state.tokens.get({ corpId, secretHash }, fetchFromWecom);
 */
export function createRedisWecomState(redis: Redis, keys: RedisKeys): ChannelStateStore {
  const lock = createRedisLock(redis, keys);
  const flights = new Map<string, Promise<string>>();

  const tokens: AccessTokenCache = {
    async get(scope, fetchToken: () => Promise<FetchedToken>, options = {}) {
      const key = keys.wecomToken(scope.corpId, scope.secretHash);
      const cached = await redis.get(key);
      if (cached && cached !== options.rejected) return cached;
      const flightKey = `${key}|${options.rejected ?? ''}`;
      const running = flights.get(flightKey);
      if (running) return running;
      const flight = lock
        .withLock(
          `wecom-token:${scope.corpId}:${scope.secretHash}`,
          async () => {
            // Another process may have refreshed while we waited for the lock.
            const again = await redis.get(key);
            if (again && again !== options.rejected) return again;
            const fresh = await fetchToken();
            await redis.set(key, fresh.token, 'EX', cacheSeconds(fresh.expiresInSeconds));
            return fresh.token;
          },
          { ttlMs: 20_000, waitMs: 30_000 },
        )
        .finally(() => flights.delete(flightKey));
      flights.set(flightKey, flight);
      return flight;
    },
  };

  const cursors: PullCursorStore = {
    async getCursor(account) {
      return redis.get(keys.wecomCursor(account));
    },
    async saveCursor(account, cursor) {
      await redis.set(keys.wecomCursor(account), cursor);
    },
    async noteNotification(account) {
      const results = await redis.multi().incr(keys.wecomNotifySeq(account)).sadd(keys.wecomAccounts, account).exec();
      const [error, sequence] = results?.[0] ?? [new Error('notification not counted'), null];
      if (error) throw error;
      return Number(sequence);
    },
    async accounts() {
      return redis.smembers(keys.wecomAccounts);
    },
    async latestNotification(account) {
      return Number((await redis.get(keys.wecomNotifySeq(account))) ?? 0);
    },
    async coveredNotification(account) {
      return Number((await redis.get(keys.wecomNotifyCovered(account))) ?? 0);
    },
    async markCovered(account, sequence) {
      await redis.eval(RAISE, 1, keys.wecomNotifyCovered(account), String(sequence));
    },
  };

  const budget: SendBudget = {
    async reopen(conversation, customerMessageAt, windowSeconds) {
      const now = Math.floor(Date.now() / 1000);
      await redis.eval(REOPEN, 1, keys.wecomBudget(conversation), String(customerMessageAt), String(windowSeconds), String(now));
    },
    async take(conversation, count, limit, windowSeconds) {
      const reply = await redis.eval(TAKE, 1, keys.wecomBudget(conversation), String(count), String(limit), String(windowSeconds));
      return reply === 1;
    },
    async refund(conversation, count) {
      if (count <= 0) return;
      await redis.eval(REFUND, 1, keys.wecomBudget(conversation), String(count));
    },
    async exhaust(conversation, limit, windowSeconds) {
      await redis.eval(EXHAUST, 1, keys.wecomBudget(conversation), String(limit), String(windowSeconds));
    },
    async used(conversation) {
      return Number((await redis.hget(keys.wecomBudget(conversation), 'used')) ?? 0);
    },
  };

  const ledger: HandledLedger = {
    async handled(ids) {
      if (ids.length === 0) return new Set();
      const values = await getMany(redis, ids.map((id) => keys.wecomHandled(id)));
      return new Set(ids.filter((_, i) => values[i] !== null));
    },
    async markHandled(id, ttlSeconds) {
      await redis.set(keys.wecomHandled(id), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async forget(id) {
      await redis.del(keys.wecomHandled(id));
    },
  };

  // Hashed: the nonce is whatever the caller sent (up to 128 characters).
  const nonceKey = (timestamp: string, nonce: string) => keys.wecomNonce(createHash('sha1').update(`${timestamp}\u0000${nonce}`).digest('hex'));
  const nonces: CallbackNonces = {
    async seen(timestamp, nonce) {
      return (await redis.exists(nonceKey(timestamp, nonce))) === 1;
    },
    async remember(timestamp, nonce, ttlSeconds) {
      await redis.set(nonceKey(timestamp, nonce), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
  };

  return { tokens, cursors, budget, ledger, nonces };
}
