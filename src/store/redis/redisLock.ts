import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../../core/errors.ts';
import type { LockService } from '../../core/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

/** The lock was still held by someone else when `waitMs` ran out. */
export class LockTimeoutError extends AppError {
  constructor(key: string, waitMs: number) {
    super('LOCK_TIMEOUT', `Could not take lock ${key} within ${waitMs} ms`, { status: 503, context: { key, waitMs } });
  }
}

// Delete / extend only if we still own the lock (token matches).
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A single-Redis lock (SET NX PX + owner token). The holder renews it every ttl/3 while `fn`
 * runs, so a long turn keeps it and a dead process loses it after `ttlMs`.
 *
 * @example
 * await locks.withLock(`conv:${key}`, async () => handleTurn(), { ttlMs: 30_000, waitMs: 10_000 });
 */
export function createRedisLock(redis: Redis, keys: RedisKeys): LockService {
  return {
    async withLock(name, fn, options = {}) {
      const ttlMs = options.ttlMs ?? 30_000;
      const waitMs = options.waitMs ?? 10_000;
      const key = keys.lock(name);
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      let delay = 5;
      while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
        if (Date.now() >= deadline) throw new LockTimeoutError(name, waitMs);
        await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
        delay = Math.min(delay * 2, 200);
      }
      const renew = setInterval(() => {
        redis.eval(EXTEND, 1, key, token, String(ttlMs)).catch(() => undefined);
      }, Math.max(50, Math.floor(ttlMs / 3)));
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
      }
    },
  };
}
