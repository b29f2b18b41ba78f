import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisWecomState } from '../../../src/store/redis/redisWecomState.ts';
import { connectRedis, type Redis } from '../../../src/store/redis/connectRedis.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';
import type { ChannelStateStore } from '../../../src/core/channelState.ts';

let stores: TestStores;
let state: ChannelStateStore;
let otherProcessRedis: Redis;
let otherProcess: ChannelStateStore;

beforeAll(async () => {
  stores = await openTestStores('wecom_state');
  state = createRedisWecomState(stores.redis, stores.keys);
  // A second connection stands in for a second process (no shared in-process flight map).
  otherProcessRedis = await connectRedis({ url: stores.redisUrl, logger: stores.logger });
  otherProcess = createRedisWecomState(otherProcessRedis, stores.keys);
});
afterAll(async () => {
  otherProcessRedis.disconnect();
  await stores.close();
});

const scope = { corpId: 'wwcorp', secretHash: 'abc123' };

describe('access token cache', () => {
  it('fetches once for many concurrent callers across processes and caches the result', async () => {
    let fetches = 0;
    const fetchToken = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 50));
      return { token: `T${fetches}`, expiresInSeconds: 7200 };
    };
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? state : otherProcess).tokens.get(scope, fetchToken)),
    );
    expect(new Set(tokens)).toEqual(new Set(['T1']));
    expect(fetches).toBe(1);
    const ttl = await stores.redis.ttl(stores.keys.wecomToken(scope.corpId, scope.secretHash));
    expect(ttl).toBeGreaterThan(6800);
    expect(ttl).toBeLessThanOrEqual(6900);
  });

  it('replaces a rejected token once, even when many callers report it', async () => {
    let fetches = 0;
    const fetchToken = async () => ({ token: `R${++fetches}`, expiresInSeconds: 7200 });
    const first = await state.tokens.get({ ...scope, corpId: 'wwother' }, fetchToken);
    const replaced = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? state : otherProcess).tokens.get({ ...scope, corpId: 'wwother' }, fetchToken, { rejected: first })),
    );
    expect(new Set(replaced)).toEqual(new Set(['R2']));
    expect(fetches).toBe(2);
  });
});

describe('send budget', () => {
  it('never grants more than the limit to concurrent takers', async () => {
    const conv = 'wecom-kf:wk:c1';
    await state.budget.reopen(conv, Math.floor(Date.now() / 1000), 172800);
    const grants = await Promise.all(Array.from({ length: 20 }, () => state.budget.take(conv, 1, 5, 172800)));
    expect(grants.filter(Boolean)).toHaveLength(5);
    expect(await state.budget.used(conv)).toBe(5);
  });

  it('takes all or nothing, refunds, and reopens only for a newer customer message', async () => {
    const conv = 'wecom-kf:wk:c2';
    const at = Math.floor(Date.now() / 1000);
    await state.budget.reopen(conv, at, 172800);
    expect(await state.budget.take(conv, 3, 5, 172800)).toBe(true);
    expect(await state.budget.take(conv, 3, 5, 172800)).toBe(false);
    expect(await state.budget.used(conv)).toBe(3);
    await state.budget.refund(conv, 1);
    expect(await state.budget.used(conv)).toBe(2);
    // Re-reading an older customer message changes nothing.
    await state.budget.reopen(conv, at - 10, 172800);
    expect(await state.budget.used(conv)).toBe(2);
    await state.budget.exhaust(conv, 5, 172800);
    expect(await state.budget.take(conv, 1, 5, 172800)).toBe(false);
    await state.budget.reopen(conv, at + 1, 172800);
    expect(await state.budget.used(conv)).toBe(0);
    const ttl = await stores.redis.ttl(stores.keys.wecomBudget(conv));
    expect(ttl).toBeGreaterThan(172000);
  });

  it('ignores customer messages older than the window', async () => {
    const conv = 'wecom-kf:wk:c3';
    await state.budget.reopen(conv, Math.floor(Date.now() / 1000) - 200000, 172800);
    expect(await stores.redis.exists(stores.keys.wecomBudget(conv))).toBe(0);
  });
});

describe('cursors, notifications and ledger', () => {
  it('stores cursors and only raises the covered sequence', async () => {
    expect(await state.cursors.getCursor('wk1')).toBeNull();
    await state.cursors.saveCursor('wk1', 'C1');
    expect(await state.cursors.getCursor('wk1')).toBe('C1');
    expect(await state.cursors.noteNotification('wk1')).toBe(1);
    expect(await state.cursors.noteNotification('wk1')).toBe(2);
    expect(await state.cursors.latestNotification('wk1')).toBe(2);
    await state.cursors.markCovered('wk1', 2);
    await state.cursors.markCovered('wk1', 1);
    expect(await state.cursors.coveredNotification('wk1')).toBe(2);
  });

  it('remembers handed-on ids', async () => {
    expect(await state.ledger.handled([])).toEqual(new Set());
    await state.ledger.markHandled('kf:a', 60);
    expect(await state.ledger.handled(['kf:a', 'kf:b'])).toEqual(new Set(['kf:a']));
  });
});
