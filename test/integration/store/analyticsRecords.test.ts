import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseRecorder } from '../../../src/analytics/recorder.ts';
import { readSession } from '../../../src/analytics/fromSession.ts';
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

describe('the recorder', () => {
  it('records a session into rollups and records, once per revision', async () => {
    const rollups = createRedisRollups(stores.redis, stores.keys);
    const records = createResponseRecordStore(stores.mongo, { timeZone: 'Asia/Shanghai', revisionCheck: 'read-then-write' });
    const recorder = createResponseRecorder({ flows: { version: async () => flow }, rollups, records, timeZone: 'Asia/Shanghai', logger: stores.logger });
    const sessions = generateSessions({ count: 5, seed: 12, end: new Date('2026-11-30T16:00:00Z'), days: 1, idPrefix: 'dddddddd' });
    for (const s of sessions) {
      await recorder.sessionChanged(s);
      await recorder.sessionChanged(s);
    }
    const months = await rollups.months('nps-default');
    const [total] = await rollups.read('nps-default', months.map((key) => ({ kind: 'month', key })), null).then((all) => [all.reduce((sum, m) => sum + (m.get('s') ?? 0), 0)]);
    expect(total).toBe(5);
    for (const s of sessions) expect((await records.get(s.id))?.revision).toBe(s.updatedAt.getTime());
  });

  it('logs instead of failing the caller when a store is down', async () => {
    const recorder = createResponseRecorder({
      flows: { version: async () => flow },
      rollups: { apply: () => Promise.reject(new Error('redis down')) },
      records: { save: () => Promise.resolve() },
      timeZone: 'Asia/Shanghai',
      logger: stores.logger,
    });
    const [s] = generateSessions({ count: 1, seed: 13, end: new Date('2026-11-30T16:00:00Z'), days: 1 });
    await expect(recorder.sessionChanged(s!)).resolves.toBeUndefined();
  });
});
