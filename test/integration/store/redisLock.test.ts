import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLock, LockTimeoutError } from '../../../src/store/redis/redisLock.ts';
import { createRedisDedupe } from '../../../src/store/redis/redisDedupe.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

let stores: TestStores;
beforeAll(async () => {
  stores = await openTestStores('redislock');
});
afterAll(async () => stores.close());

describe('redis lock', () => {
  it('runs holders of one key strictly one at a time', async () => {
    const lock = createRedisLock(stores.redis, stores.keys);
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lock.withLock('conv:a', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 2));
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('gives up with LOCK_TIMEOUT when the holder keeps it past waitMs', async () => {
    const lock = createRedisLock(stores.redis, stores.keys);
    const holding = lock.withLock('conv:b', () => new Promise((r) => setTimeout(r, 300)));
    await new Promise((r) => setTimeout(r, 20));
    await expect(lock.withLock('conv:b', async () => 1, { waitMs: 50 })).rejects.toBeInstanceOf(LockTimeoutError);
    await holding;
    await expect(lock.withLock('conv:b', async () => 2)).resolves.toBe(2);
  });

  it('releases the lock when the holder throws', async () => {
    const lock = createRedisLock(stores.redis, stores.keys);
    await expect(lock.withLock('conv:c', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.withLock('conv:c', async () => 'ok', { waitMs: 100 })).resolves.toBe('ok');
  });
});

describe('redis dedupe', () => {
  it('says first-seen exactly once across concurrent offers, and again after forget', async () => {
    const dedupe = createRedisDedupe(stores.redis, stores.keys);
    const results = await Promise.all(Array.from({ length: 10 }, () => dedupe.firstSeen('msg-1', 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
    await dedupe.forget('msg-1');
    expect(await dedupe.firstSeen('msg-1', 60)).toBe(true);
  });
});
