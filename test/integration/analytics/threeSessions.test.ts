import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { rebuild } from '../../support/analyticsHarness.ts';
import { api, escalationFlowsDir, escalationOf, eventually } from '../../support/escalationHarness.ts';
import { adminGet, ADMIN_TOKEN, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// Issue 21 as a new user tried it: a promoter, a detractor handed to an advisor, and a customer
// who asked for a person after one answer, played through the simulator; every dashboard number
// is compared with a count made by hand from the conversations below.
let service: RunningService;
type Summary = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const flowId = 'nps-advisors';
const summary = async () => (await adminGet<Summary>(service, `/api/analytics/summary?flowId=${flowId}`)).body;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('threesessions', { FLOWS_DIR: await escalationFlowsDir(), DEFAULT_FLOW_ID: flowId }));
  // A promoter who names a time twice: with the intent ("下个月还来", which answers the timing
  // question in passing, so it is not asked) and again with the product ("想做热玛吉，下个月吧").
  const promoter = customer(service, service.simulator!, 'wm_promoter');
  for (const text of ['你好', '10', '顾问很专业，效果很好', '5', '5', '5', '一定会，下个月还来', '想做热玛吉，下个月吧', '推荐朋友']) await promoter.says(text);
  // A detractor: handed to an advisor after the reason, handed back, finishes the survey; says
  // 还没想好 twice (with the intent and when asked when).
  const detractor = customer(service, service.simulator!, 'wm_detractor');
  for (const text of ['你好', '3', '等了一个小时，太久了']) await detractor.says(text);
  const handed = await eventually(() => escalationOf(service, 'wm_detractor'), 10_000, 'the detractor hand-over');
  expect((await api(service, 'POST', `/api/console/escalations/${handed.id}/resolve`, { handBack: 'resume' })).status).toBe(200);
  await service.idle();
  for (const text of ['2', '前台态度差', '4', '2', '效果还行吧', '可能会吧，还没想好什么时候', '还没想好', '都行']) await detractor.says(text);
  // A passive who asks for a person instead of giving a reason; the advisor ends the survey.
  const person = customer(service, service.simulator!, 'wm_person');
  for (const text of ['你好', '8', '转人工']) await person.says(text);
  const asked = await eventually(() => escalationOf(service, 'wm_person'), 10_000, 'the asked-for hand-over');
  expect((await api(service, 'POST', `/api/console/escalations/${asked.id}/resolve`, { handBack: 'finish' })).status).toBe(200);
  await service.idle();
}, 120_000);

afterAll(async () => {
  await service?.stop();
});

/** Every number of the summary the dashboard shows, as counted by hand from the three conversations. */
function expectHandCount(s: Summary) {
  // Three sessions, all at the end of the flow now; two of them were handed to a person.
  expect(s.sessions).toMatchObject({ started: 3, completionRate: 100, escalated: 2 });
  expect(s.sessions.outcomes).toEqual({ completed: 3, opted_out: 0, escalated: 0, expired: 0, in_progress: 0 });
  expect(s.sessions.escalatedOutcomes).toEqual({ completed: 2, opted_out: 0, escalated: 0, expired: 0, in_progress: 0 });
  expect(s.escalations).toMatchObject({ count: 2, byTrigger: { detractor: 1, intent: 1 }, resolved: 2 });
  expect(s.nps).toMatchObject({ responses: 3, promoters: 1, passives: 1, detractors: 1, score: 0, enough: false });
  expect(Object.fromEntries(s.csat.map((c: Summary) => [c.stepId, [c.n, c.mean]]))).toEqual({ csat_booking: [2, 3.5], csat_advisor: [2, 4.5], csat_result: [2, 3.5] });
  // Intent and timing once per respondent: the promoter named a time twice (in passing with the
  // intent, then with the product), the detractor said 还没想好 twice (with the intent and when asked).
  expect(s.repurchase).toMatchObject({ n: 2, likelyShare: 50 });
  expect(Object.fromEntries(Object.entries(s.repurchase.timing).filter(([, n]) => n))).toEqual({ '1_3_months': 1, undecided: 1 });
  expect(s.repurchase.products.map((p: Summary) => [p.id, p.n])).toEqual([['thermage', 1]]);
  // Reasons: the answers to the NPS reason steps only. "转人工" is no passive's reason, and the
  // CSAT follow-ups (前台态度差, 效果还行吧) are no detractor's.
  expect(s.reasons.promoter).toMatchObject({ n: 1, sentiment: { positive: 1, neutral: 0, negative: 0 } });
  expect(s.reasons.passive).toMatchObject({ n: 0, topics: [] });
  expect(s.reasons.detractor).toMatchObject({ n: 1, sentiment: { positive: 0, neutral: 0, negative: 1 }, topics: [{ topic: '等待时间', n: 1 }] });
  expect(s.reasons.none.n).toBe(0);
  expect(s.funnel.find((f: Summary) => f.stepId === 'reason_passive')).toMatchObject({ reached: 1, answered: 0 });
  expect(s.segments).toEqual({ loyal: 1, at_risk: 1, potential: 0, other: 1 });
}

describe('three sessions of issue 21, counted by hand', () => {
  it('the summary equals the hand count', async () => {
    expectHandCount(await summary());
  });

  it('lists only the NPS reasons as quotes', async () => {
    const res = await adminGet<{ items: Array<{ text: string; group: string }> }>(service, `/api/analytics/verbatims?flowId=${flowId}`);
    expect(res.body.items.map((i) => [i.group, i.text]).sort()).toEqual([
      ['detractor', '等了一个小时，太久了'],
      ['promoter', '顾问很专业，效果很好'],
    ]);
  });

  it('the export says which sessions were handed to a person', async () => {
    const res = await fetch(`${service.url}/api/analytics/export.csv?flowId=${flowId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    const status = lines[0]!.split(',').indexOf('状态');
    const statuses = lines.slice(1).map((l) => l.split(',')[status]).sort();
    expect(statuses).toEqual(['已完成', '已完成（曾转人工）', '已完成（曾转人工）']);
    expect(lines.join('\n')).not.toContain('转人工,');
  });

  it('a rebuild gives the same numbers', async () => {
    const before = await summary();
    await rebuild(service, [flowId]);
    const after = await summary();
    expectHandCount(after);
    expect({ ...after, generatedAt: null }).toEqual({ ...before, generatedAt: null });
  });
});
