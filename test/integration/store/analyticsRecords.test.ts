import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseRecorder } from '../../../src/analytics/recorder.ts';
import { readSession, sessionRevision } from '../../../src/sessionFacts/fromSession.ts';
import { factsFromJson } from '../../../src/sessionFacts/factsJson.ts';
import { parseFlow } from '../../../src/engine/index.ts';
import { createResponseRecordStore } from '../../../src/store/mongo/analyticsRepository.ts';
import { createRedisRollups } from '../../../src/store/redis/redisRollups.ts';
import { readFileSync } from 'node:fs';
import { generateSessions } from '../../support/generateSessions.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

const parsed = parseFlow(readFileSync('flows/nps-default.yaml', 'utf8'));
if (!parsed.ok) throw new Error('nps-default does not parse');
const flow = parsed.flow;

let stores: TestStores;
beforeAll(async () => {
  stores = await openTestStores('records');
});
afterAll(async () => {
  await stores?.close();
});

describe.each(['read-then-write', 'filter'] as const)('response records (%s)', (revisionCheck) => {
  it('keep the newest revision of each session, whatever the order of arrival', async () => {
    const records = createResponseRecordStore(stores.mongo, { timeZone: 'Asia/Shanghai', revisionCheck });
    const [s] = generateSessions({ count: 1, seed: 11, end: new Date('2026-11-30T16:00:00Z'), days: 3, idPrefix: revisionCheck === 'filter' ? 'bbbbbbbb' : 'cccccccc' });
    const older = readSession({ ...s!, status: 'active', updatedAt: new Date(s!.updatedAt.getTime() - 60_000) }, flow);
    const newer = readSession({ ...s!, status: 'completed', completedAt: s!.updatedAt }, flow);
    await records.save(newer);
    await records.save(older);
    await records.save(newer);
    const stored = await records.get(s!.id);
    expect(stored?.revision).toBe(newer.revision);
    expect(stored?.status).toBe('completed');
    expect(stored?.answers).toEqual(newer.answers);
    expect(stored?.segment).toBe(newer.segment);
    const streamed = [];
    for await (const f of records.stream({ flowId: 'nps-default' })) if (f.sessionId === s!.id) streamed.push(f);
    expect(streamed).toHaveLength(1);
  });
});

describe('response records of settled sessions', () => {
  it('skip a later save that changed nothing they hold (the flush after the last answer), and take a real change', async () => {
    const records = createResponseRecordStore(stores.mongo, { timeZone: 'Asia/Shanghai', revisionCheck: 'read-then-write' });
    const [s] = generateSessions({ count: 1, seed: 14, end: new Date('2026-11-30T16:00:00Z'), days: 1, idPrefix: 'eeeeeeee' });
    const done = { ...s!, status: 'completed' as const, completedAt: s!.updatedAt };
    await records.save(readSession(done, flow));
    await records.save(readSession({ ...done, updatedAt: new Date(done.updatedAt.getTime() + 500) }, flow));
    expect((await records.get(s!.id))?.revision).toBe(sessionRevision(done));
    const changed = { ...done, updatedAt: new Date(done.updatedAt.getTime() + 900), customerFields: { ...done.customerFields, store: '新店' } };
    await records.save(readSession(changed, flow));
    expect(await records.get(s!.id)).toMatchObject({ revision: sessionRevision(changed), dims: expect.objectContaining({ store: '新店' }) });
  });
});

describe('the recorder', () => {
  it('records a session into rollups once per revision, and its record once it settles', async () => {
    const rollups = createRedisRollups(stores.redis, stores.keys);
    const records = createResponseRecordStore(stores.mongo, { timeZone: 'Asia/Shanghai', revisionCheck: 'read-then-write' });
    const recorder = createResponseRecorder({ flows: { version: async () => flow }, rollups, records, timeZone: 'Asia/Shanghai', logger: stores.logger });
    const sessions = generateSessions({ count: 5, seed: 12, end: new Date('2026-11-30T16:00:00Z'), days: 1, idPrefix: 'dddddddd' });
    const open = async () => {
      const out = [];
      for await (const json of rollups.openResponses('nps-default')) out.push(factsFromJson(json));
      return out;
    };
    for (const s of sessions) {
      const going = { ...s, status: 'active' as const, completedAt: undefined, updatedAt: new Date(s.updatedAt.getTime() - 60_000) };
      await recorder.sessionChanged(going);
      await recorder.sessionChanged(going);
    }
    // Still open: counted, listed beside the counters, no record yet.
    expect((await open()).map((f) => f.sessionId).sort()).toEqual(sessions.map((s) => s.id).sort());
    expect(await records.get(sessions[0]!.id)).toBeNull();
    for (const s of sessions) {
      const done = { ...s, status: 'completed' as const, completedAt: s.updatedAt };
      await recorder.sessionChanged(done);
      await recorder.sessionChanged(done);
    }
    const months = await rollups.months('nps-default');
    const all = await rollups.read('nps-default', months.map((key) => ({ kind: 'month', key })), null);
    expect(all.reduce((sum, m) => sum + (m.get('s') ?? 0), 0)).toBe(5);
    expect(all.reduce((sum, m) => sum + (m.get('o:completed') ?? 0), 0)).toBe(5);
    expect(all.reduce((sum, m) => sum + (m.get('o:in_progress') ?? 0), 0)).toBe(0);
    for (const s of sessions) expect((await records.get(s.id))?.revision).toBe(sessionRevision(s));
    expect(await open()).toEqual([]);
    // A late copy of the open session changes nothing.
    await recorder.sessionChanged({ ...sessions[0]!, status: 'active', updatedAt: new Date(sessions[0]!.updatedAt.getTime() - 30_000) });
    expect(await open()).toEqual([]);
  });

  it('logs instead of failing the caller when a store is down', async () => {
    const recorder = createResponseRecorder({
      flows: { version: async () => flow },
      rollups: { apply: () => Promise.reject(new Error('redis down')), dropOpen: () => Promise.resolve() },
      records: { save: () => Promise.resolve() },
      timeZone: 'Asia/Shanghai',
      logger: stores.logger,
    });
    const [s] = generateSessions({ count: 1, seed: 13, end: new Date('2026-11-30T16:00:00Z'), days: 1 });
    await expect(recorder.sessionChanged(s!)).resolves.toBeUndefined();
  });
});
