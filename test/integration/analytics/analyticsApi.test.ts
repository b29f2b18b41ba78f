import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { RunningService } from '../../../src/main.ts';
import { allSessionsThroughApi, rebuild, seedSessions } from '../../support/analyticsHarness.ts';
import { api, escalationFlowsDir, escalationOf, eventually } from '../../support/escalationHarness.ts';
import { handDifference, handDrivers, handGroups, handInterest, handSegment, handSummary, interestShape, shanghaiDay, type HandFilter, type HandSession } from '../../support/handAnalytics.ts';
import { adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The analytics API against the whole service: generated sessions stored as the service stores
// them, rebuilt with `analytics rebuild`, then every number compared with a hand computation over
// the sessions as GET /api/sessions returns them; and live conversations counted as they happen.
let service: RunningService;
let sessions: HandSession[];
const today = shanghaiDay(new Date().toISOString());
const daysAgo = (n: number) => shanghaiDay(new Date(Date.now() - n * 86_400_000).toISOString());

const WINDOW_WORDS: Record<string, string> = { within_1_month: '1个月内', '1_3_months': '1-3个月', '3_6_months': '3-6个月', '6_12_months': '6-12个月', over_12_months: '12个月以上', undecided: '还没想好', never: '不会再来' };
const FACTOR_WORDS: Record<string, string> = { price: '价格优惠', effect: '效果', convenience: '便利时间', advisor: '顾问', range: '项目丰富' };

interface Summary {
  nps: { responses: number; promoters: number; passives: number; detractors: number; score: number | null; marginOfError: number | null; enough: boolean; stepId: string | null };
  csat: Array<{ stepId: string; label: string; n: number; mean: number | null; top2Box: number | null }>;
  repurchase: {
    n: number;
    likelyShare: number | null;
    timing: Record<string, number>;
    products: Array<{ id: string; name: string; n: number; timing: Record<string, number>; segments: Record<string, number> }>;
    factors: Array<{ id: string; n: number; segments: Record<string, number> }>;
    openInterest: { n: number; segments: Record<string, number> };
  };
  reasons: Record<string, { n: number; sentiment: Record<string, number>; topics: Array<{ topic: string; n: number }> }>;
  funnel: Array<{ stepId: string; reached: number; answered: number }>;
  sessions: { started: number; outcomes: Record<string, number>; escalated: number; escalatedOutcomes: Record<string, number>; medianSecondsToComplete: number | null };
  escalations: { count: number; byTrigger: Record<string, number>; replied: number; resolved: number; medianFirstReplySeconds: number | null };
  segments: Record<string, number>;
}

beforeAll(async () => {
  service = await startTestService(isolatedEnv('analyticsapi', { FLOWS_DIR: await escalationFlowsDir(), DEFAULT_FLOW_ID: 'nps-advisors', ESCALATION_RENOTIFY_MINUTES: '60' }));
  // nps-advisors is the shipped NPS flow under another id; generated sessions use nps-default's steps.
  await seedSessions(service, { count: 320, seed: 21, end: new Date(), days: 40, idPrefix: 'aaaa0001' });
  await service.stores.mongo.collection('surveysessions').updateMany({ flowId: 'nps-default' }, { $set: { flowId: 'nps-queue' } });
  const results = await rebuild(service);
  const settled = await service.stores.mongo.collection('surveysessions').countDocuments({ flowId: 'nps-queue', status: { $in: ['completed', 'opted_out', 'expired'] } });
  expect(results.find((r) => r.flowId === 'nps-queue')).toMatchObject({ sessions: 320, recordsWritten: settled });
  sessions = (await allSessionsThroughApi(service, 'nps-queue')).map((s) => ({ ...s, flowId: 'nps-default' }));
  expect(sessions).toHaveLength(320);
}, 120_000);

afterAll(async () => {
  await service?.stop();
});

const query = (f: HandFilter & { flowId?: string }) => new URLSearchParams({ flowId: 'nps-queue', ...(f as Record<string, string>) }).toString();

function compare(got: Summary, want: ReturnType<typeof handSummary>) {
  expect({ ...got.nps, score: undefined, marginOfError: undefined, enough: undefined, stepId: undefined }).toMatchObject({ responses: want.nps.responses, promoters: want.nps.promoters, passives: want.nps.passives, detractors: want.nps.detractors });
  if (want.nps.score === null) expect(got.nps.score).toBeNull();
  else {
    expect(got.nps.score).toBeCloseTo(want.nps.score, 9);
    expect(got.nps.marginOfError).toBeCloseTo(want.nps.marginOfError!, 9);
  }
  for (const row of want.csat) {
    const c = got.csat.find((x) => x.stepId === row.stepId)!;
    expect(c.n).toBe(row.n);
    if (row.mean !== null) expect(c.mean).toBeCloseTo(row.mean, 9);
    if (row.top2Box !== null) expect(c.top2Box).toBeCloseTo(row.top2Box, 9);
  }
  expect(got.repurchase.n).toBe(want.repurchase.n);
  if (want.repurchase.likelyShare !== null) expect(got.repurchase.likelyShare).toBeCloseTo(want.repurchase.likelyShare, 9);
  expect(Object.fromEntries(Object.entries(got.repurchase.timing).filter(([, n]) => n > 0))).toEqual(want.repurchase.timing);
  // Products and factors once per session (from any answer), by purchase window and segment.
    expect(interestShape(got.repurchase)).toEqual({ products: want.repurchase.products, factors: want.repurchase.factors, openInterest: want.repurchase.openInterest });
  for (const [group, r] of Object.entries(want.reasons)) {
    expect(got.reasons[group]!.n).toBe(r.n);
    expect(got.reasons[group]!.sentiment.negative).toBe(r.negative);
    expect(Object.fromEntries(got.reasons[group]!.topics.map((t) => [t.topic, t.n]))).toEqual(r.topics);
  }
  expect(got.sessions.started).toBe(want.sessions.started);
  expect(Object.fromEntries(Object.entries(got.sessions.outcomes).filter(([, n]) => n > 0))).toEqual(want.sessions.outcomes);
  expect(got.sessions.escalated).toBe(want.sessions.escalated);
  expect(Object.fromEntries(Object.entries(got.sessions.escalatedOutcomes).filter(([, n]) => n > 0))).toEqual(want.sessions.escalatedOutcomes);
  expect(got.sessions.medianSecondsToComplete).toBe(want.sessions.medianSecondsToComplete);
  for (const [stepId, row] of Object.entries(want.funnel)) expect(got.funnel.find((x) => x.stepId === stepId), stepId).toMatchObject(row);
  expect(got.segments).toEqual(want.segments);
}

describe('GET /api/analytics/summary equals a hand computation from GET /api/sessions', () => {
  it.each<[string, HandFilter]>([
    ['all time', {}],
    ['the last two weeks', { from: daysAgo(13), to: today }],
    ['one store', { store: '静安店' }],
    ['one segment', { segment: 'at_risk' }],
    ['a campaign within a range', { campaign: 'vip', from: daysAgo(30), to: daysAgo(5) }],
  ])('%s', async (_what, filter) => {
    const res = await adminGet<Summary>(service, `/api/analytics/summary?${query(filter)}`);
    expect(res.status).toBe(200);
    const want = handSummary(sessions, filter);
    expect(want.nps.responses + want.sessions.started).toBeGreaterThan(0);
    compare(res.body, want);
  });

  it('says when there are too few responses', async () => {
    const one = sessions.find((s) => s.answers.nps && !s.answers.nps.missing)!;
    const day = shanghaiDay(one.answers.nps!.at);
    const res = await adminGet<Summary>(service, `/api/analytics/summary?${query({ from: day, to: day, store: one.customerFields.store ?? '徐汇店' })}`);
    expect(res.body.nps.enough).toBe(false);
  });

  it('answers an empty range with zeros and nulls', async () => {
    const res = await adminGet<Summary>(service, `/api/analytics/summary?${query({ from: '2020-01-01', to: '2020-01-31' })}`);
    expect(res.body.nps).toMatchObject({ responses: 0, score: null, marginOfError: null, enough: false });
    expect(res.body.sessions.started).toBe(0);
  });
});

type DriverRow = { kind: string; id: string; n: number; detractors: number; enough: boolean; npsWith: number | null; npsWithout: number | null; impact: number | null; low: number | null; high: number | null; potentialGain: number | null };

describe('GET /api/analytics/drivers equals a hand computation', () => {
  it.each<[string, HandFilter]>([
    ['all time', {}],
    ['one store', { store: '静安店' }],
    ['the last two weeks', { from: daysAgo(13), to: today }],
  ])('%s', async (_what, filter) => {
    const res = await adminGet<{ minResponses: number; drivers: DriverRow[] }>(service, `/api/analytics/drivers?${query(filter)}`);
    expect(res.status).toBe(200);
    const want = handDrivers(sessions, filter, res.body.minResponses);
    expect(Object.keys(want).length).toBeGreaterThan(3);
    expect(res.body.drivers.map((d) => `${d.kind}:${d.id}`).sort()).toEqual(Object.keys(want).sort());
    for (const d of res.body.drivers) {
      const w = want[`${d.kind}:${d.id}`]!;
      expect({ n: d.n, detractors: d.detractors, enough: d.enough }, d.id).toEqual({ n: w.n, detractors: w.detractors, enough: w.enough });
      // Too few answers: no number, only the count.
      if (!w.enough) expect([d.npsWith, d.impact, d.low, d.high, d.potentialGain]).toEqual([null, null, null, null, null]);
      else for (const k of ['npsWith', 'npsWithout', 'impact', 'low', 'high', 'potentialGain'] as const) expect(d[k], `${d.id} ${k}`).toBeCloseTo(w[k]!, 9);
    }
    // Ranked: drivers with enough answers first, by the gain.
    const gains = res.body.drivers.filter((d) => d.enough).map((d) => d.potentialGain!);
    expect(gains).toEqual([...gains].sort((a, b) => b - a));
    expect(res.body.drivers.findIndex((d) => !d.enough)).not.toBeLessThan(gains.length);
    if (Object.keys(filter).length === 0) expect(gains.length).toBeGreaterThan(0);
  });
});

describe('GET /api/analytics/compare equals a hand computation', () => {
  it.each<[string, HandFilter, HandFilter]>([
    ['last 20 days against the 20 before', { from: daysAgo(19), to: today }, { from: daysAgo(39), to: daysAgo(20) }],
    ['one store, last week against the week before', { from: daysAgo(6), to: today, store: '徐汇店' }, { from: daysAgo(13), to: daysAgo(7), store: '徐汇店' }],
  ])('%s', async (_what, current, base) => {
    const res = await adminGet<{ current: { score: number; n: number }; base: { score: number; n: number }; difference: number; low: number; high: number; significant: boolean }>(
      service,
      `/api/analytics/compare?${query(current)}&baseFrom=${base.from}&baseTo=${base.to}`,
    );
    expect(res.status).toBe(200);
    const [a, b] = [handGroups(sessions, current), handGroups(sessions, base)];
    expect(res.body.current.n).toBe(a.p + a.a + a.d);
    expect(res.body.base.n).toBe(b.p + b.a + b.d);
    const want = handDifference(a, b);
    expect(res.body.difference).toBeCloseTo(want.difference, 9);
    expect(res.body.low).toBeCloseTo(want.low, 9);
    expect(res.body.high).toBeCloseTo(want.high, 9);
    expect(res.body.significant).toBe(want.significant);
  });

  it('refuses a compare without a base range', async () => {
    expect((await adminGet(service, `/api/analytics/compare?${query({})}`)).status).toBe(400);
    expect((await adminGet(service, `/api/analytics/compare?${query({})}&baseFrom=2026-03-02&baseTo=2026-03-01`)).status).toBe(400);
  });
});

describe('trend, verbatims and filters', () => {
  it('adds up the trend points to the summary of the same range', async () => {
    const range = { from: daysAgo(20), to: today };
    const trend = await adminGet<{ points: Array<{ period: string; responses: number; score: number | null; low: number | null; high: number | null }> }>(service, `/api/analytics/trend?${query(range)}&interval=day`);
    expect(trend.body.points).toHaveLength(21);
    const summary = await adminGet<Summary>(service, `/api/analytics/summary?${query(range)}`);
    expect(trend.body.points.reduce((s, p) => s + p.responses, 0)).toBe(summary.body.nps.responses);
    for (const p of trend.body.points) if (p.score !== null) expect(p.low! <= p.score && p.score <= p.high!).toBe(true);
    const weeks = await adminGet<{ points: Array<{ period: string; responses: number }> }>(service, `/api/analytics/trend?${query(range)}&interval=week`);
    expect(weeks.body.points.reduce((s, p) => s + p.responses, 0)).toBe(summary.body.nps.responses);
    expect(weeks.body.points.every((p) => new Date(`${p.period}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
  });

  it('lists detractors\' reasons on a topic, newest first, each linking to its session', async () => {
    const res = await adminGet<{ items: Array<{ sessionId: string; stepId: string; text: string; topics: string[]; group: string; at: string }> }>(service, `/api/analytics/verbatims?${query({})}&group=detractor&topic=${encodeURIComponent('等待时间')}&limit=5`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    const times = res.body.items.map((i) => i.at);
    expect([...times].sort().reverse()).toEqual(times);
    for (const item of res.body.items) {
      expect(item.topics).toContain('等待时间');
      const s = sessions.find((x) => x.id === item.sessionId)!;
      expect(s.answers[item.stepId]!.raw).toBe(item.text);
      expect(s.answers.nps!.value as number).toBeLessThanOrEqual(6);
    }
    // Filtered by store through the response's cell.
    const store = await adminGet<{ items: Array<{ sessionId: string }> }>(service, `/api/analytics/verbatims?${query({ store: '徐汇店' })}&limit=10`);
    for (const item of store.body.items) expect(sessions.find((x) => x.id === item.sessionId)!.customerFields.store).toBe('徐汇店');
  });

  it('offers the filter values present in the data', async () => {
    const res = await adminGet<{ versions: number[]; dimensions: Array<{ key: string; values: string[] }> }>(service, `/api/analytics/filters?flowId=nps-queue`);
    expect(res.body.versions).toEqual([1]);
    expect(res.body.dimensions.find((d) => d.key === 'store')!.values).toEqual(['徐汇店', '浦东店', '静安店'].sort());
  });

  it('refuses bad queries, unknown flows and callers without a token', async () => {
    expect((await adminGet(service, '/api/analytics/summary')).status).toBe(400);
    const bad = await adminGet<{ error: { code: string; message: string } }>(service, '/api/analytics/summary?flowId=nps-queue&from=2026-02-30');
    expect(bad.body.error.code).toBe('QUERY_INVALID');
    expect(bad.body.error.message).toContain('from');
    expect((await adminGet(service, '/api/analytics/summary?flowId=nps-queue&from=2026-03-02&to=2026-03-01')).status).toBe(400);
    expect((await adminGet(service, '/api/analytics/trend?flowId=nps-queue&interval=hour')).status).toBe(400);
    expect((await adminGet(service, '/api/analytics/summary?flowId=no-such-flow')).status).toBe(404);
    expect((await fetch(`${service.url}/api/analytics/summary?flowId=nps-queue`)).status).toBe(401);
    const viewer = await api<{ token: string }>(service, 'POST', '/api/users', { name: 'viewer-analytics', role: 'viewer' });
    expect((await api(service, 'GET', '/api/analytics/summary?flowId=nps-queue', undefined, viewer.body.token)).status).toBe(200);
  });

  it('is documented in /api/openapi.json', async () => {
    const doc = (await (await fetch(`${service.url}/api/openapi.json`)).json()) as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> };
    for (const path of ['summary', 'trend', 'verbatims', 'export.csv', 'drivers', 'compare']) expect(doc.paths[`/api/analytics/${path}`]?.get).toBeDefined();
    expect(doc.paths['/api/analytics/summary']!.get!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['flowId', 'from', 'to', 'version', 'segment', 'campaign', 'store', 'scene']));
  });
});

describe('GET /api/analytics/export.csv', () => {
  it('streams one row per session with a BOM, and reads back to the stored answers', async () => {
    const from = daysAgo(25);
    const res = await fetch(`${service.url}/api/analytics/export.csv?${query({ from })}`, { headers: { authorization: `Bearer test-admin-token-0123456789` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    const [header, ...body] = rows;
    expect(header!.slice(0, 9)).toEqual(['会话ID', '客户ID', '昵称', '流程', '版本', '开始时间', '完成时间', '状态', '分群']);
    const expected = sessions.filter((s) => shanghaiDay(s.createdAt) >= from);
    expect(body).toHaveLength(expected.length);
    const col = (name: string) => {
      expect(header, name).toContain(name);
      return header!.indexOf(name);
    };
    // The flow's catalogue as the YAML file lists it: one column each, in that order.
    const catalogue = (parseYaml(readFileSync('flows/nps-default.yaml', 'utf8')) as { catalog: Array<{ id: string; name: string }> }).catalog;
    expect(header!.filter((h) => h.startsWith('意向项目：'))).toEqual([...catalogue.map((c) => `意向项目：${c.name}`), '意向项目：都可以']);
    let named = 0;
    for (const row of body) {
      const s = expected.find((x) => x.id === row[0])!;
      expect(s, row[0]).toBeDefined();
      expect(row[col('客户ID')]).toBe((s as unknown as { customerId: string }).customerId);
      expect(row[col('门店')]).toBe(s.customerFields.store ?? '');
      const segment = handSegment(s);
      expect(row[col('分群')]).toBe(segment ? { loyal: '忠诚', at_risk: '流失风险', potential: '潜力', other: '其他' }[segment] : '');
      for (const [stepId, a] of Object.entries(s.answers)) {
        const raw = header!.findIndex((h) => h.startsWith(`${stepId}（`) && h.endsWith('原文'));
        expect(row[raw]).toBe(a.raw);
        if (stepId === 'nps' && !a.missing) expect(row[raw + 1]).toMatch(new RegExp(`^${String(a.value)}分（`));
      }
      // Interest: the purchase window, 1 per catalogue item any answer named, 都可以, 1 per factor.
      const interest = handInterest(s);
      expect(row[col('购买时间窗口')]).toBe(interest.window ? `${WINDOW_WORDS[interest.window]}${interest.windowStart ? `（${interest.windowStart} 起）` : ''}` : '');
      for (const item of catalogue) expect(row[col(`意向项目：${item.name}`)], `${s.id} ${item.id}`).toBe(interest.products.has(item.id) ? '1' : '');
      expect(row[col('意向项目：都可以')]).toBe(interest.openDay ? '1' : '');
      for (const [factor, label] of Object.entries(FACTOR_WORDS)) expect(row[col(`考虑因素：${label}`)]).toBe(interest.factors.has(factor) ? '1' : '');
      named += interest.products.size;
    }
    expect(named).toBeGreaterThan(20);
  });
});

describe('live conversations count as they happen', () => {
  it('records answers, the escalation, its first reply and its resolution without a rebuild', { timeout: 60_000 }, async () => {
    const summary = () => adminGet<Summary>(service, '/api/analytics/summary?flowId=nps-advisors').then((r) => r.body);
    const before = await summary();
    const c = customer(service, service.simulator!, 'wm_live_1');
    await c.says('你好');
    await c.says('9');
    let now = await summary();
    expect(now.nps.responses).toBe(before.nps.responses + 1);
    expect(now.nps.promoters).toBe(before.nps.promoters + 1);
    expect(now.funnel.find((f) => f.stepId === 'reason_promoter')?.reached).toBe(1);
    await c.says('转人工');
    const e = await eventually(() => escalationOf(service, 'wm_live_1'), 10_000, 'escalation');
    now = await summary();
    expect(now.escalations).toMatchObject({ count: 1, byTrigger: { intent: 1 }, replied: 0, resolved: 0 });
    expect(now.sessions.outcomes.escalated).toBe(1);
    await service.simulator!.servicerSays('wm_live_1', 'advisor1', '您好，我来帮您');
    await service.idle();
    await eventually(async () => ((await summary()).escalations.replied === 1 ? true : undefined), 10_000, 'first reply counted');
    expect((await api(service, 'POST', `/api/console/escalations/${e.id}/resolve`, { handBack: 'finish' })).status).toBe(200);
    await service.idle();
    now = await summary();
    expect(now.escalations).toMatchObject({ count: 1, replied: 1, resolved: 1 });
    expect(now.sessions.outcomes.completed).toBe(1);
    // Handed over, then completed: both.
    expect(now.sessions).toMatchObject({ escalated: 1, escalatedOutcomes: { completed: 1 } });
    expect(Object.values(now.segments).reduce((a, b) => a + b, 0)).toBe(1);
  });
});

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}
