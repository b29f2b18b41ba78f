import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contribution } from '../../../src/analytics/ports.ts';
import { createRedisRollups, QUOTE_CAP } from '../../../src/store/redis/redisRollups.ts';
import type { RollupStore } from '../../../src/analytics/ports.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

let stores: TestStores;
let rollups: RollupStore;

beforeAll(async () => {
  stores = await openTestStores('rollups');
  rollups = createRedisRollups(stores.redis, stores.keys);
});
afterAll(async () => {
  await stores?.close();
});

const cell = (seg: string) => ({ id: `cell-${seg || 'none'}`, dims: { v: '1', seg } });
const session = (fields: string[], seg = '', day = '2026-11-23'): Contribution => ({ cell: cell(seg), lines: [{ day, fields }], quotes: [] });
const day = (key: string) => ({ kind: 'day' as const, key });
const month = (key: string) => ({ kind: 'month' as const, key });
const asObject = (m: Map<string, number> | undefined) => Object.fromEntries(m ?? []);

describe('redis rollups', () => {
  it('applies a revision once, ignores older ones, and swaps the previous contribution for the new', async () => {
    const flowId = 'f-revisions';
    const apply = (revision: number, c: Contribution) => rollups.apply({ flowId, responseId: 'r1', part: 's', revision, contribution: c });
    expect(await apply(10, session(['s', 'n:nps:9']))).toBe(true);
    expect(await apply(10, session(['s', 'n:nps:9']))).toBe(false); // the same revision again
    expect(await apply(20, session(['s', 'n:nps:9', 'a:nps', 'c:csat:4']))).toBe(true);
    expect(await apply(15, session(['s', 'n:nps:3']))).toBe(false); // older, arriving late
    const [d, m] = await rollups.read(flowId, [day('2026-11-23'), month('2026-11')], null);
    expect(asObject(d)).toEqual({ s: 1, 'n:nps:9': 1, 'a:nps': 1, 'c:csat:4': 1 });
    expect(asObject(m)).toEqual(asObject(d));
    expect(await rollups.months(flowId)).toEqual(['2026-11']);
  });

  it('moves every part of a response when its cell changes (completed: a segment), escalations included', async () => {
    const flowId = 'f-cells';
    const esc: Contribution = { lines: [{ day: '2026-11-24', fields: ['E:detractor'] }], quotes: [] };
    // The escalation arrives before its session: it waits in the unknown cell.
    await rollups.apply({ flowId, responseId: 'r1', part: 'e:x1', revision: 1, contribution: esc });
    await rollups.apply({ flowId, responseId: 'r1', part: 's', revision: 5, contribution: session(['s', 'o:in_progress']) });
    await rollups.apply({ flowId, responseId: 'r1', part: 's', revision: 6, contribution: session(['s', 'o:completed', 'g:at_risk'], 'at_risk') });
    await rollups.apply({ flowId, responseId: 'r1', part: 'e:x1', revision: 2, contribution: { lines: [{ day: '2026-11-24', fields: ['E:detractor', 'ER'] }], quotes: [] } });
    const all = await rollups.read(flowId, [day('2026-11-23'), day('2026-11-24')], null);
    expect(all.map(asObject)).toEqual([{ s: 1, 'o:completed': 1, 'g:at_risk': 1 }, { 'E:detractor': 1, ER: 1 }]);
    const atRisk = await rollups.read(flowId, [day('2026-11-23'), day('2026-11-24')], ['cell-at_risk']);
    expect(atRisk.map(asObject)).toEqual(all.map(asObject));
    const unfinished = await rollups.read(flowId, [day('2026-11-23'), day('2026-11-24')], ['cell-none', '_']);
    expect(unfinished.map(asObject)).toEqual([{}, {}]);
    expect([...(await rollups.cells(flowId)).keys()].sort()).toEqual(['cell-at_risk', 'cell-none']);
    expect(await rollups.responseCells(flowId, ['r1', 'nobody'])).toEqual(new Map([['r1', 'cell-at_risk']]));
  });

  it('loses no increment when many processes write at once, and ends on the newest revision', async () => {
    const flowId = 'f-concurrent';
    // 400 responses, each saved in 5 revisions sent concurrently and in a shuffled order.
    const writes: Array<() => Promise<boolean>> = [];
    for (let i = 0; i < 400; i++) {
      for (let rev = 1; rev <= 5; rev++) {
        const fields = ['s', `n:nps:${rev === 5 ? i % 11 : 0}`, ...(rev >= 3 ? ['a:nps'] : [])];
        writes.push(() => rollups.apply({ flowId, responseId: `r${i}`, part: 's', revision: rev, contribution: session(fields) }));
      }
    }
    writes.sort(() => Math.random() - 0.5);
    await Promise.all(writes.map((w) => w()));
    const [d] = await rollups.read(flowId, [day('2026-11-23')], null);
    const expected: Record<string, number> = { s: 400, 'a:nps': 400 };
    for (let i = 0; i < 400; i++) expected[`n:nps:${i % 11}`] = (expected[`n:nps:${i % 11}`] ?? 0) + 1;
    expect(asObject(d)).toEqual(expected);
  });

  it('keeps the newest quotes per list, and forgets a withdrawn one', async () => {
    const flowId = 'f-quotes';
    const quote = (i: number) => ({ score: 1_000 + i, month: '2026-11', member: `r${i}|why`, text: JSON.stringify({ t: `原话${i}`, tp: ['价格'], se: 'negative' }), lists: ['detractor:*', 'detractor:价格'] });
    for (let i = 0; i < QUOTE_CAP + 5; i++) {
      await rollups.apply({ flowId, responseId: `r${i}`, part: 's', revision: 1, contribution: { ...session(['s']), quotes: [quote(i)] } });
    }
    const listed = await rollups.quotes(flowId, { months: ['2026-11'], lists: ['detractor:价格'], fromMs: 0, toMs: 1e15, limit: 3 });
    expect(listed.map((q) => q.member)).toEqual([`r${QUOTE_CAP + 4}|why`, `r${QUOTE_CAP + 3}|why`, `r${QUOTE_CAP + 2}|why`]);
    expect(JSON.parse(listed[0]!.text)).toMatchObject({ t: `原话${QUOTE_CAP + 4}` });
    const all = await rollups.quotes(flowId, { months: ['2026-11'], lists: ['detractor:*'], fromMs: 0, toMs: 1e15, limit: 500 });
    expect(all).toHaveLength(QUOTE_CAP);
    // The customer went back and answered differently: the quote goes.
    await rollups.apply({ flowId, responseId: `r${QUOTE_CAP + 4}`, part: 's', revision: 2, contribution: session(['s']) });
    const after = await rollups.quotes(flowId, { months: ['2026-11'], lists: ['detractor:价格'], fromMs: 0, toMs: 1e15, limit: 1 });
    expect(after[0]!.member).toBe(`r${QUOTE_CAP + 3}|why`);
  });

  it('keeps a quote once across revisions that repeat its answer, with its latest text, and lists each cell of a period', async () => {
    const flowId = 'f-quote-revisions';
    const quote = (text: string, topics: string[]) => ({ score: 5_000, month: '2026-11', member: 'r1|why', text: JSON.stringify({ t: text, tp: topics }), lists: ['detractor:*', ...topics.map((t) => `detractor:${t}`)] });
    const apply = (revision: number, seg: string, q: ReturnType<typeof quote>) =>
      rollups.apply({ flowId, responseId: 'r1', part: 's', revision, contribution: { ...session(['s', 'n:nps:2'], seg), quotes: [q] } });
    await apply(1, '', quote('太贵了', ['价格']));
    await apply(2, '', quote('太贵了', ['价格'])); // the next turn: the same answer
    await apply(3, 'at_risk', quote('太贵了！', ['价格'])); // completed: new cell, text re-analysed
    await apply(4, 'at_risk', quote('太贵了！', ['价格', '服务'])); // a topic more
    const list = (name: string) => rollups.quotes(flowId, { months: ['2026-11'], lists: [name], fromMs: 0, toMs: 1e15, limit: 10 });
    const all = await list('detractor:*');
    expect(all.map((q) => [q.member, JSON.parse(q.text).t])).toEqual([['r1|why', '太贵了！']]);
    expect((await list('detractor:服务')).map((q) => q.member)).toEqual(['r1|why']);
    const cells = await rollups.read(flowId, [day('2026-11-23')], ['cell-at_risk']);
    expect(asObject(cells[0])).toEqual({ s: 1, 'n:nps:2': 1 });
    await apply(5, '', quote('太贵了！', ['价格'])); // back to the first cell: listed there again
    expect(asObject((await rollups.read(flowId, [month('2026-11')], ['cell-none']))[0])).toEqual({ s: 1, 'n:nps:2': 1 });
    expect((await list('detractor:服务')).map((q) => q.member)).toEqual([]);
  });

  it('rebuilds into a new generation while live changes keep coming, then switches over', async () => {
    const flowId = 'f-rebuild';
    await rollups.apply({ flowId, responseId: 'old', part: 's', revision: 1, contribution: session(['s', 'wrong']) });
    const token = await rollups.beginRebuild(flowId);
    await expect(rollups.beginRebuild(flowId)).rejects.toMatchObject({ code: 'REBUILD_RUNNING' });
    // A live change during the rebuild reaches both generations…
    await rollups.apply({ flowId, responseId: 'live', part: 's', revision: 7, contribution: session(['s', 'n:nps:10']) });
    // …so the rebuild's older reading of it is ignored there.
    await rollups.apply({ flowId, responseId: 'live', part: 's', revision: 6, contribution: session(['s', 'n:nps:0']) }, { kind: 'rebuild', token });
    await rollups.apply({ flowId, responseId: 'old', part: 's', revision: 1, contribution: session(['s']) }, { kind: 'rebuild', token });
    // Readers still see the live generation until the switch.
    expect(asObject((await rollups.read(flowId, [day('2026-11-23')], null))[0])).toEqual({ s: 2, wrong: 1, 'n:nps:10': 1 });
    await rollups.finishRebuild(flowId, token);
    expect(asObject((await rollups.read(flowId, [day('2026-11-23')], null))[0])).toEqual({ s: 2, 'n:nps:10': 1 });
    const leftovers = await stores.redis.keys(`${stores.keys.analytics(flowId)}0:*`);
    expect(leftovers).toEqual([]);
    await expect(rollups.apply({ flowId, responseId: 'x', part: 's', revision: 1, contribution: session(['s']) }, { kind: 'rebuild', token })).rejects.toThrow(/REBUILD_GONE/);
  });
});
