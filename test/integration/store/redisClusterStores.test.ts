import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.ts';
import { connectRedisCluster, type Redis } from '../../../src/store/redis/connectRedis.ts';
import { createRedisCampaignState } from '../../../src/store/redis/redisCampaignState.ts';
import { createRedisEscalationState } from '../../../src/store/redis/redisEscalationState.ts';
import { createRedisFileRewriter } from '../../../src/store/redis/redisFileRewriter.ts';
import { createRedisInbox } from '../../../src/store/redis/redisInbox.ts';
import { redisKeys } from '../../../src/store/redis/redisKeys.ts';
import { createRedisPrivacy } from '../../../src/store/redis/redisPrivacy.ts';
import { createRedisRollups } from '../../../src/store/redis/redisRollups.ts';
import { createRedisSignInFailures } from '../../../src/store/redis/redisSignInFailures.ts';
import { createRedisTimers } from '../../../src/store/redis/redisTimers.ts';
import { createRedisWecomState } from '../../../src/store/redis/redisWecomState.ts';
import { startRedisCluster, type TestRedisCluster } from '../../support/redisCluster.ts';

// Every Redis store whose scripts or transactions name several keys, run against a real Redis
// Cluster: a key in another slot would fail with CROSSSLOT (or a script's undeclared key with
// "non local key"). The service-level cluster test covers the conversation path; this one the
// campaign gate, erasure, the robot outbox, the sign-in brake, kf notifications and rebuilds.
let cluster: TestRedisCluster;
let redis: Redis;
const keys = redisKeys('hf:test:cl:', { hashTags: true });

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = await connectRedisCluster({ nodes: cluster.nodes.slice(0, 2).map((n) => ({ host: '127.0.0.1', port: n.port })), logger: createLogger({ level: 'silent' }) });
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

describe('the Redis stores on a Redis Cluster', () => {
  it('inbox and timers: push, peek, ack, stranded, failures; set, claim, done, cancel', async () => {
    const inbox = createRedisInbox(redis, keys);
    await inbox.push('wx:a|kf', 'item-1');
    await inbox.push('wx:a|kf', 'item-2');
    expect(await inbox.peek('wx:a|kf')).toBe('item-1');
    expect(await inbox.noteFailure('wx:a|kf', 'item-1')).toBe(1);
    await inbox.ack('wx:a|kf');
    expect(await inbox.peek('wx:a|kf')).toBe('item-2');
    expect(await inbox.stranded(new Date(Date.now() + 1_000), 10)).toEqual(['wx:a|kf']);

    const timers = createRedisTimers(redis, keys);
    await timers.set([{ name: 'reminder:s1', dueAt: new Date(Date.now() - 1), payload: 'p1' }, { name: 'expiry:s1', dueAt: new Date(Date.now() + 60_000), payload: 'p2' }]);
    const [claimed] = await timers.claimDue(new Date(), 10, 30_000);
    expect(claimed).toMatchObject({ name: 'reminder:s1', payload: 'p1' });
    await timers.done(claimed!.name, claimed!.token);
    await timers.cancel('expiry:s1');
    expect(await timers.claimDue(new Date(Date.now() + 120_000), 10, 30_000)).toEqual([]);
  });

  it('campaign gate: admit, duplicate, fatigue, cap, release, marks and counters', async () => {
    const state = createRedisCampaignState(redis, keys);
    const now = new Date('2026-12-07T10:00:00Z');
    const row = (invitationId: string, who: string) => ({ invitationId, identities: [`wx:${who}`, `ref:${who}`], capDay: '2026-12-07' });
    expect(await state.admit({ id: 'c1', dailyCap: 2 }, [row('i1', 'a'), row('i1', 'a'), row('i2', 'b'), row('i3', 'c')], 3600, now)).toEqual(['admitted', 'duplicate', 'admitted', 'daily_cap']);
    expect(await state.admit({ id: 'c2', dailyCap: null }, [row('i4', 'a')], 3600, now)).toEqual(['fatigue']);
    await state.release('c1', [row('i2', 'b')]);
    expect(await state.capUsed('c1', '2026-12-07')).toBe(1);
    expect(await state.mark('c1', 'i1', 'started')).toBe(true);
    expect(await state.mark('c1', 'i1', 'started')).toBe(false);
    await state.count('c1', { sent: 2, failed: 1 });
    expect(await state.counters('c1')).toMatchObject({ started: 1, sent: 2, failed: 1 });
    await state.linkConversation('wx:a|kf', ['ref:a']);
    await state.setOptedOut(['ref:z'], true);
    expect(await state.admit({ id: 'c3', dailyCap: null }, [row('i9', 'z')], 3600, now)).toEqual(['opted_out']);
  });

  it('erasure: a conversation, a session, fatigue marks, tasks; the file rewrite on every node', async () => {
    const privacy = createRedisPrivacy(redis, keys);
    const wecom = createRedisWecomState(redis, keys);
    await wecom.ledger.markHandled('m1', 60);
    await wecom.ledger.markHandled('m2', 60);
    expect(await wecom.ledger.handled(['m1', 'm2', 'm3'])).toEqual(new Set(['m1', 'm2']));
    await redis.set(keys.session('wx:a|kf'), 's1');
    await createRedisInbox(redis, keys).push('wx:a|kf', 'item-3');
    expect(await privacy.forgetConversation('wx:a|kf')).toBeGreaterThanOrEqual(3);
    expect(await redis.get(keys.session('wx:a|kf'))).toBeNull();
    await redis.set(keys.sessionRev('s1'), '3');
    const rollups = createRedisRollups(redis, keys);
    await rollups.apply({ flowId: 'nps-default', responseId: 's1', part: 's', revision: 1, contribution: { lines: [{ day: '2026-12-07', fields: ['s'] }], quotes: [], open: '{"customerId":"x"}' } });
    expect(await privacy.forgetSession({ id: 's1', flowId: 'nps-default', handledMessageIds: ['m1', 'm2'] })).toBeGreaterThanOrEqual(3);
    expect(await wecom.ledger.handled(['m1', 'm2'])).toEqual(new Set());
    expect(await privacy.identitiesOf('a', ['wx:a|kf'])).toEqual(['wx:a']);
    expect(await privacy.invitationsOf(['wx:a', 'ref:a'])).toEqual(['i1']);
    expect(await privacy.forgetFatigue(['wx:a', 'ref:a'])).toBe(2);
    expect(await privacy.forgetTasks(['t1'])).toBe(0);
    await expect(createRedisFileRewriter(redis).rewrite()).resolves.toBeUndefined();
  });

  it('robot outbox, send windows, kf notifications, the sign-in brake, a rollup rebuild', async () => {
    const escalation = createRedisEscalationState(redis, keys);
    expect(await escalation.robotOutbox.push('{"escalationId":"e1"}', 'e1:1')).toBe(true);
    expect(await escalation.robotOutbox.push('{"escalationId":"e1"}', 'e1:1')).toBe(false);
    expect(await escalation.takeSlot('robot', 1, 60_000, Date.now())).toEqual({ ok: true });

    const wecom = createRedisWecomState(redis, keys);
    expect(await wecom.cursors.noteNotification('kf1')).toBe(1);
    await wecom.cursors.markCovered('kf1', 1);
    expect(await wecom.cursors.accounts()).toEqual(['kf1']);

    const brake = createRedisSignInFailures(redis, keys);
    expect(await brake.record(['ip:1.2.3.4', 'token:ab12'], 60_000)).toEqual([1, 1]);
    expect(await brake.blockedForMs([{ key: 'ip:1.2.3.4', limit: 1 }, { key: 'token:ab12', limit: 3 }])).toBeGreaterThan(0);

    const rollups = createRedisRollups(redis, keys);
    const token = await rollups.beginRebuild('nps-default');
    await rollups.apply({ flowId: 'nps-default', responseId: 's2', part: 's', revision: 1, contribution: { lines: [{ day: '2026-12-07', fields: ['s'] }], quotes: [] } }, { kind: 'rebuild', token });
    await rollups.abortRebuild('nps-default', token);
    expect(await redis.exists(`${keys.analytics('nps-default')}${token}:months`)).toBe(0);
  });
});
