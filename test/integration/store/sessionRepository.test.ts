import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationKey, type ConversationRef } from '../../../src/core/messages.ts';
import type { NewSession } from '../../../src/core/sessions.ts';
import { createCustomerRepository } from '../../../src/store/mongo/customerRepository.ts';
import { createSessionRepository, ensureSessionIndexes } from '../../../src/store/mongo/sessionRepository.ts';
import { createRedisRevisions } from '../../../src/store/redis/redisRevisions.ts';
import { withOpenSessionCache } from '../../../src/store/redis/cachedSessionRepository.ts';
import { surveySessionModel } from '../../../src/store/mongo/models/surveySession.model.ts';
import { Types } from 'mongoose';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

let stores: TestStores;
beforeAll(async () => {
  stores = await openTestStores('sessions');
  await ensureSessionIndexes(stores.mongo);
});
afterAll(async () => stores.close());

function newSession(customerId: string, overrides: Partial<NewSession> = {}): NewSession {
  const conversation: ConversationRef = { channel: 'wecom-kf', accountId: 'wk1', customerId };
  return {
    conversation,
    conversationKey: conversationKey(conversation),
    flowId: 'nps-default',
    flowVersion: 1,
    status: 'active',
    answers: {},
    analysis: {},
    snapshot: JSON.stringify({ value: 'nps', context: { nested: [[1, 2]] } }),
    awaiting: { stepId: 'nps', question: 'nps' },
    outbox: [],
    customerFields: { nickname: '王女士' },
    ...overrides,
  };
}

describe('session repository on FerretDB', () => {
  it('creates, finds the open session and applies a turn in one update', async () => {
    const sessions = createSessionRepository(stores.mongo);
    const created = await sessions.create(newSession('wm-a'));
    expect(created.rev).toBe(0);
    expect(await sessions.findOpen('wecom-kf:wk1:wm-a')).toMatchObject({ id: created.id, awaiting: { stepId: 'nps' } });

    const at = new Date('2026-11-23T02:00:00Z');
    const saved = await sessions.update(created.id, 0, {
      answers: { nps: { value: 8, raw: '八分吧' } },
      handledMessageIds: ['m1'],
      transcriptLength: 2,
      outbox: [
        { kind: 'send', key: 'k1', message: { kind: 'text', text: '谢谢！' }, seq: 1 },
        { kind: 'timer', timer: 'expiry', dueAt: at },
      ],
      addLlmUsage: { promptTokens: 10, completionTokens: 5, calls: 1 },
    });
    expect(saved).not.toBeNull();
    expect(saved!.rev).toBe(1);
    expect(saved!.answers).toEqual({ nps: { value: 8, raw: '八分吧' } });
    expect(saved!.handledMessageIds).toEqual(['m1']);
    expect(saved!.transcriptLength).toBe(2);
    // The outbox comes back as it was written, dates included.
    expect(saved!.outbox).toEqual([
      { kind: 'send', key: 'k1', message: { kind: 'text', text: '谢谢！' }, seq: 1 },
      { kind: 'timer', timer: 'expiry', dueAt: at },
    ]);
    expect(saved!.llmUsage).toEqual({ promptTokens: 10, completionTokens: 5, calls: 1 });
    // The snapshot keeps shapes FerretDB could not store as a document (nested arrays).
    expect(JSON.parse(saved!.snapshot)).toEqual({ value: 'nps', context: { nested: [[1, 2]] } });
  });

  it('keeps the transcript apart, in order, and a replayed write keeps one copy of each entry', async () => {
    const sessions = createSessionRepository(stores.mongo);
    const created = await sessions.create(newSession('wm-transcript'));
    const at = new Date('2026-11-23T02:00:00Z');
    const entries = Array.from({ length: 40 }, (_, seq) => ({ direction: 'in' as const, author: 'customer' as const, text: `第${seq}条`, at, seq }));
    // Written out of order and partly twice, across three chunks.
    await sessions.writeTranscript(created.id, entries.slice(20));
    await sessions.writeTranscript(created.id, entries.slice(0, 25));
    const read = await sessions.transcript({ id: created.id, transcriptLength: 40 });
    expect(read.map((t) => t.text)).toEqual(entries.map((t) => t.text));
    expect(read[3]).toEqual({ direction: 'in', author: 'customer', text: '第3条', at, seq: 3 });
    // Positions not reserved yet are not read.
    expect(await sessions.transcript({ id: created.id, transcriptLength: 5 })).toHaveLength(5);
  });

  it('returns the stored session when a start is replayed with the same id', async () => {
    const sessions = createSessionRepository(stores.mongo);
    const id = 'abcdef0123456789abcdef01';
    const first = await sessions.create({ ...newSession('wm-replay'), id });
    await sessions.update(first.id, 0, { status: 'paused' });
    const again = await sessions.create({ ...newSession('wm-replay'), id });
    expect(again).toMatchObject({ id, status: 'paused', rev: 1 });
    expect((await sessions.findLatest('wecom-kf:wk1:wm-replay'))?.id).toBe(id);
  });

  it.each(['filter', 'read-then-write'] as const)('refuses an update made against a stale revision and keeps what was stored (%s)', async (revisionCheck) => {
    const sessions = createSessionRepository(stores.mongo, { revisionCheck });
    const created = await sessions.create(newSession(`wm-b-${revisionCheck}`));
    expect(await sessions.update(created.id, 0, { status: 'paused' })).not.toBeNull();
    expect(await sessions.update(created.id, 0, { status: 'completed' })).toBeNull();
    expect((await sessions.findById(created.id))!.status).toBe('paused');
    expect(await sessions.update(created.id, 1, { status: 'completed' })).toMatchObject({ status: 'completed', rev: 2 });
  });

  it('on FerretDB, checks revisions in Redis first and falls back to the document when Redis is behind or empty', async () => {
    const revisions = createRedisRevisions(stores.redis, stores.keys);
    const sessions = createSessionRepository(stores.mongo, { revisionCheck: 'read-then-write', revisions });
    const created = await sessions.create(newSession('wm-ledger'));
    expect(await stores.redis.get(stores.keys.sessionRev(created.id))).toBe('0');
    expect(await sessions.update(created.id, 0, { status: 'paused' })).toMatchObject({ rev: 1 });
    expect(await sessions.update(created.id, 0, { status: 'completed' })).toBeNull();
    // Redis lost the value (restart without persistence): the document decides, and Redis learns it again.
    await stores.redis.del(stores.keys.sessionRev(created.id));
    expect(await sessions.update(created.id, 0, { status: 'completed' })).toBeNull();
    expect(await sessions.update(created.id, 1, { lastBotText: '好的' })).toMatchObject({ rev: 2 });
    expect(await stores.redis.get(stores.keys.sessionRev(created.id))).toBe('2');
    // Redis claims a revision the document never reached (a write that failed after the claim):
    // the writer holding the stored revision still gets through.
    await stores.redis.set(stores.keys.sessionRev(created.id), '7');
    expect(await sessions.update(created.id, 2, { status: 'completed' })).toMatchObject({ status: 'completed', rev: 3 });
    expect(await sessions.update(created.id, 2, { status: 'paused' })).toBeNull();
    expect((await sessions.findById(created.id))!.status).toBe('completed');
  });

  it('on FerretDB, a process takes the revision it saved instead of reading it, until another writer moves the ledger or erasure drops it', async () => {
    const process = () =>
      withOpenSessionCache(createSessionRepository(stores.mongo, { revisionCheck: 'read-then-write', revisions: createRedisRevisions(stores.redis, stores.keys) }), stores.redis, stores.keys, { reuseSaved: true });
    const [a, b] = [process(), process()];
    const created = await a.create(newSession('wm-kept'));
    const key = created.conversationKey;
    await a.update(created.id, 0, { lastBotText: '第一题' });
    // A change behind the ledger's back shows which copy is taken: A keeps the revision it saved.
    const raw = surveySessionModel(stores.mongo).collection;
    const byId = { _id: Types.ObjectId.createFromHexString(created.id) };
    await raw.updateOne(byId, { $set: { lastBotText: '改过' } });
    expect(await a.findLatest(key)).toMatchObject({ rev: 1, lastBotText: '第一题' });
    // Another process saves the next revision: A reads it, never its own older copy.
    expect(await b.findOpen(key)).toMatchObject({ rev: 1, lastBotText: '改过' });
    await b.update(created.id, 1, { lastBotText: '第二题' });
    expect(await a.findOpen(key)).toMatchObject({ rev: 2, lastBotText: '第二题' });
    // Erasure drops the pointer and the ledger: nothing kept is handed out any more.
    await stores.redis.del(stores.keys.session(key), stores.keys.sessionRev(created.id));
    await raw.updateOne(byId, { $set: { lastBotText: '已清除' } });
    expect(await a.findLatest(key)).toMatchObject({ rev: 2, lastBotText: '已清除' });
  });

  it('finds the newest session of a conversation, open or closed', async () => {
    const sessions = createSessionRepository(stores.mongo);
    expect(await sessions.findLatest('wecom-kf:wk1:wm-latest')).toBeNull();
    const first = await sessions.create(newSession('wm-latest'));
    await sessions.update(first.id, 0, { status: 'completed' });
    await sessions.create(newSession('wm-latest-other'));
    expect(await sessions.findLatest('wecom-kf:wk1:wm-latest')).toMatchObject({ id: first.id, status: 'completed' });
    expect(await sessions.findOpen('wecom-kf:wk1:wm-latest')).toBeNull();
    const second = await sessions.create(newSession('wm-latest'));
    expect((await sessions.findLatest('wecom-kf:wk1:wm-latest'))?.id).toBe(second.id);
  });

  it('lists newest first with a cursor, filtered, and counts sessions per flow version', async () => {
    const sessions = createSessionRepository(stores.mongo);
    for (let i = 0; i < 5; i++) {
      await sessions.create(newSession(`wm-list-${i}`, { flowId: 'csat-list', flowVersion: i < 3 ? 1 : 2 }));
    }
    const page1 = await sessions.list({ flowId: 'csat-list', limit: 2 });
    expect(page1.items.map((s) => s.conversation.customerId)).toEqual(['wm-list-4', 'wm-list-3']);
    const page2 = await sessions.list({ flowId: 'csat-list', limit: 2, before: page1.next });
    const page3 = await sessions.list({ flowId: 'csat-list', limit: 2, before: page2.next });
    expect(page2.items.map((s) => s.conversation.customerId)).toEqual(['wm-list-2', 'wm-list-1']);
    expect(page3.items.map((s) => s.conversation.customerId)).toEqual(['wm-list-0']);
    expect(page3.next).toBeUndefined();
    expect(await sessions.countByFlowVersion('csat-list')).toEqual({ 1: 3, 2: 2 });
    expect(await sessions.findById('not-an-id')).toBeNull();
  });
});

describe('customer repository on FerretDB', () => {
  it('upserts one record per conversation and remembers opt-out', async () => {
    const customers = createCustomerRepository(stores.mongo);
    const ref = { channel: 'wecom-kf', accountId: 'wk1', customerId: 'wm-c' };
    const results = await Promise.all([customers.upsert(ref, { lastInboundAt: new Date() }), customers.upsert(ref, { nickname: '李先生' })]);
    expect(results.every((r) => r.conversationKey === 'wecom-kf:wk1:wm-c')).toBe(true);
    await customers.upsert(ref, { optedOut: true, optedOutAt: new Date() });
    const stored = await customers.get('wecom-kf:wk1:wm-c');
    expect(stored).toMatchObject({ optedOut: true, nickname: '李先生' });
    expect(await stores.mongo.collection('customers').countDocuments({ conversationKey: 'wecom-kf:wk1:wm-c' })).toBe(1);
  });
});
