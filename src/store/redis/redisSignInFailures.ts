import type { Redis } from 'ioredis';
import type { SignInFailures } from '../../core/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

/**
 * SignInFailures on Redis counters: a window starts with a subject's first failure (`SET NX PX`)
 * and each failure `INCR`s it, which keeps the expiry, so every process sees one count and the
 * brake lifts by itself when the window ends. Works on Redis 6 (no `PEXPIRE … NX`).
 *
 * @example
 * const failures = createRedisSignInFailures(redis, keys);
 * await failures.record(['ip:203.0.113.9'], 60_000);
 */
export function createRedisSignInFailures(redis: Redis, keys: RedisKeys): SignInFailures {
  return {
    async blockedForMs(subjects) {
      const pipeline = redis.pipeline();
      for (const s of subjects) pipeline.get(keys.signInFailures(s.key)).pttl(keys.signInFailures(s.key));
      const replies = (await pipeline.exec()) ?? [];
      let waitMs = 0;
      subjects.forEach((s, i) => {
        const [countError, count] = replies[2 * i] ?? [];
        const [ttlError, ttl] = replies[2 * i + 1] ?? [];
        if (countError || ttlError) throw countError ?? ttlError;
        if (Number(count ?? 0) >= s.limit) waitMs = Math.max(waitMs, Number(ttl) > 0 ? Number(ttl) : 1_000);
      });
      return waitMs;
    },
    async record(subjectKeys, windowMs) {
      const multi = redis.multi();
      for (const k of subjectKeys) multi.set(keys.signInFailures(k), '0', 'PX', windowMs, 'NX').incr(keys.signInFailures(k));
      const replies = (await multi.exec()) ?? [];
      return subjectKeys.map((_, i) => Number(replies[2 * i + 1]?.[1] ?? 0));
    },
  };
}
