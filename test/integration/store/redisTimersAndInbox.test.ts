import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisInbox } from '../../../src/store/redis/redisInbox.ts';
import { createRedisTimers } from '../../../src/store/redis/redisTimers.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

let stores: TestStores;
beforeAll(async () => {
  stores = await openTestStores('timers');
});
afterAll(async () => stores.close());

describe('named timers in Redis', () => {
  it('moves a timer set again, claims each due one once, and gives a lapsed lease to the next claim', async () => {
    const timers = createRedisTimers(stores.redis, stores.keys);
    const t0 = new Date('2026-12-01T00:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    await timers.set([{ name: 'reminder:a', dueAt: at(10), payload: 'a1' }, { name: 'expiry:a', dueAt: at(60), payload: 'a-exp' }]);
    await timers.set([{ name: 'reminder:a', dueAt: at(20), payload: 'a2' }]);
    expect(await timers.claimDue(at(15), 10, 1000)).toEqual([]);
    const [claim, ...rest] = await timers.claimDue(at(20), 10, 1000);
    expect(rest).toEqual([]);
    expect(claim).toMatchObject({ name: 'reminder:a', payload: 'a2' });
    // Leased: not due for anyone else until the lease runs out.
    expect(await timers.claimDue(at(20.5), 10, 1000)).toEqual([]);
    const again = await timers.claimDue(at(21.5), 10, 1000);
    expect(again.map((t) => t.name)).toEqual(['reminder:a']);
    // The first claimer finishing late does not remove the re-claimed timer…
    await timers.done('reminder:a', claim!.token);
    expect(await timers.claimDue(at(23), 10, 1000)).toHaveLength(1);
    // …and one set again while claimed survives its claim's done.
    const [latest] = await timers.claimDue(at(30), 10, 1000);
    await timers.set([{ name: 'reminder:a', dueAt: at(40), payload: 'a3' }]);
    await timers.done('reminder:a', latest!.token);
    expect(await timers.claimDue(at(41), 10, 1000)).toEqual([expect.objectContaining({ name: 'reminder:a', payload: 'a3' })]);
    await timers.cancel('expiry:a');
    expect(await timers.claimDue(at(100), 10, 1000)).toHaveLength(1);
  });
});

describe('conversation inboxes in Redis', () => {
  it('keeps items in order, knows which conversations wait, and counts failures of the head item only', async () => {
    const inbox = createRedisInbox(stores.redis, stores.keys);
    await inbox.push('c1', 'm1');
    await inbox.push('c1', 'm2');
    await inbox.push('c2', 'x1');
    expect(await inbox.peek('c1')).toBe('m1');
    expect(await inbox.noteFailure('c1', 'm1')).toBe(1);
    expect(await inbox.noteFailure('c1', 'm1')).toBe(2);
    // Acknowledging hands back the next item (the drain's next peek), then nothing once empty.
    expect(await inbox.ack('c1')).toBe('m2');
    expect(await inbox.noteFailure('c1', 'm2')).toBe(1);
    // Nothing is stranded while it just had attention; everything is, seen from the future.
    expect(await inbox.stranded(new Date(Date.now() - 60_000), 10)).toEqual([]);
    const attendedFrom = Date.now();
    expect((await inbox.stranded(new Date(attendedFrom + 1_000), 10)).sort()).toEqual(['c1', 'c2']);
    // Counted as attended at that call: not returned to anyone asking about an earlier time.
    expect(await inbox.stranded(new Date(attendedFrom - 1), 10)).toEqual([]);
    expect(await inbox.ack('c1')).toBeNull();
    expect(await inbox.ack('c2')).toBeNull();
    expect(await inbox.stranded(new Date(Date.now() + 60_000), 10)).toEqual([]);
  });
});
