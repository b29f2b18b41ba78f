import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';
import { api } from '../../support/escalationHarness.ts';
import { startWebhookReceiver } from '../../support/webhookReceiver.ts';

// A detractor runs through the simulator: the hand-over and the completion each produce their
// follow-up (a callback task, tags in huifang and in the simulated WeCom through 客户联系, and a
// signed webhook a receiver verifies with the spec's algorithm), once each however often replayed.

let service: RunningService;
let secret: string | undefined;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: () => secret });
  service = await startTestService(isolatedEnv('closedloop', { ESCALATION_REASON_WAIT_MINUTES: '10' }));
  const created = await api<{ id: string; secret: string }>(service, 'POST', '/api/webhooks', { url: receiver.url(), events: ['survey.completed', 'survey.escalated', 'task.closed', 'customer.opted_out'] });
  expect(created.status).toBe(201);
  secret = created.body.secret;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await receiver?.stop();
});

interface TaskItem {
  id: string;
  sessionId: string;
  customer: { id: string };
  reason: string;
  dueAt: string;
  status: string;
  ruleId: string;
}

describe('a detractor through the simulator', () => {
  it('gets a callback task, tags (also in WeCom) and signed webhooks at the hand-over and at the completion', { timeout: 90_000 }, async () => {
    const sim = service.simulator!;
    sim.addExternalContact({ externalUserId: 'wm_detractor', userId: 'advisor1' });
    const c = customer(service, sim, 'wm_detractor');
    await c.says('你好');
    await c.says('3');
    await c.says('太贵了，服务态度也差');
    await service.followUp.whenIdle({ timeoutMs: 20_000 });

    const tasks = await adminGet<{ items: TaskItem[] }>(service, '/api/tasks?status=open');
    const mine = tasks.body.items.filter((t) => t.customer.id === 'wm_detractor');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ ruleId: 'at-risk-callback', status: 'open', reason: expect.stringContaining('风险客户回访') });
    expect(Date.parse(mine[0]!.dueAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);

    const escalated = receiver.received.filter((r) => r.type === 'survey.escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.verified).toBe(true);
    expect(escalated[0]!.id).toMatch(/^msg_/);
    expect(escalated[0]!.json.data).toMatchObject({ sessionId: mine[0]!.sessionId, nps: { score: 3, group: 'detractor' }, segment: 'at_risk', customer: { id: 'wm_detractor' } });
    expect((escalated[0]!.json.data.followUp as { tasks: string[] }).tasks).toEqual([mine[0]!.id]);

    // Tags: in huifang, and through mark_tag on the simulated WeCom contact.
    const atHandOver = ['回访·NPS/贬损者', '回访·关注点/价格', '回访·关注点/服务态度', '回访·客户分群/风险客户'];
    await expect.poll(() => sim.contactTags('wm_detractor'), { timeout: 10_000 }).toEqual(atHandOver);

    // The advisor resolves the chat without handing back: the survey completes quietly.
    const escalations = await api<{ items: Array<{ id: string; sessionId: string }> }>(service, 'GET', '/api/console/escalations?view=active');
    const e = escalations.body.items.find((x) => x.sessionId === mine[0]!.sessionId)!;
    expect((await api(service, 'POST', `/api/console/escalations/${e.id}/resolve`, { handBack: 'none' })).status).toBe(200);
    await service.idle();
    await service.followUp.whenIdle({ timeoutMs: 20_000 });
    const completed = receiver.received.filter((r) => r.type === 'survey.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.verified).toBe(true);
    expect((await adminGet<{ items: TaskItem[] }>(service, '/api/tasks?status=open')).body.items.filter((t) => t.customer.id === 'wm_detractor')).toHaveLength(1);

    // The completion's rules add the price tag (rules look at completions unless they say otherwise).
    await expect.poll(() => sim.contactTags('wm_detractor'), { timeout: 10_000 }).toEqual([...atHandOver, '回访·跟进/价格敏感'].sort());
    const session = await adminGet<{ status: string }>(service, `/api/sessions/${mine[0]!.sessionId}`);
    expect(session.body.status).toBe('completed');
  });

  it('lets an advisor claim, note and close the task: the outcome is on the session, counted in analytics, audited and sent as task.closed', { timeout: 60_000 }, async () => {
    const advisor = await api<{ token: string }>(service, 'POST', '/api/advisors', { id: 'wang', name: '王顾问' });
    const as = <T>(method: string, path: string, body?: unknown) => api<T>(service, method, path, body, advisor.body.token);
    const list = await as<{ items: TaskItem[]; open: number }>('GET', '/api/console/tasks?status=open');
    const task = list.body.items.find((t) => t.customer.id === 'wm_detractor')!;
    expect(list.body.open).toBeGreaterThanOrEqual(1);

    const detail = await as<{ transcript: Array<{ text: string }>; log: Array<{ action: string }>; context: { npsScore: number } }>('GET', `/api/console/tasks/${task.id}`);
    expect(detail.body.context.npsScore).toBe(3);
    expect(detail.body.transcript.map((t) => t.text)).toContain('太贵了，服务态度也差');
    expect(detail.body.log.map((e) => e.action)).toEqual(expect.arrayContaining(['escalated', 'rules_fired', 'task_created', 'tags_set', 'webhook_queued', 'tags_wecom_set', 'webhook_delivered', 'completed']));

    expect((await as<TaskItem & { claimedBy: string }>('POST', `/api/console/tasks/${task.id}/claim`, {})).body).toMatchObject({ status: 'claimed', claimedBy: 'wang' });
    expect((await as<{ notes: Array<{ text: string }> }>('POST', `/api/console/tasks/${task.id}/note`, { text: '下午三点回电无人接，晚点再打' })).body.notes).toHaveLength(1);
    const closed = await as<{ status: string; outcome: string }>('POST', `/api/console/tasks/${task.id}/close`, { outcome: 'called_back', note: '已回电，约下周免费复诊' });
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'called_back' });
    // A repeated close with the same outcome changes nothing; another outcome is refused.
    expect((await as('POST', `/api/console/tasks/${task.id}/close`, { outcome: 'called_back' })).status).toBe(200);
    expect((await as<{ error: { code: string } }>('POST', `/api/console/tasks/${task.id}/close`, { outcome: 'refund' })).body.error.code).toBe('TASK_CLOSED');

    const session = await adminGet<{ followUp: { tasks: Array<{ taskId: string; outcome: string; closedBy: string }>; contactedAt: string } }>(service, `/api/sessions/${task.sessionId}`);
    expect(session.body.followUp.tasks).toEqual([expect.objectContaining({ taskId: task.id, outcome: 'called_back', closedBy: 'wang' })]);
    expect(Date.parse(session.body.followUp.contactedAt)).toBeGreaterThan(Date.now() - 60_000);

    const summary = await adminGet<{ followUp: { detractors: number; contactedWithin48h: number; share: number } }>(service, '/api/analytics/summary?flowId=nps-default');
    expect(summary.body.followUp).toEqual({ detractors: 1, contactedWithin48h: 1, share: 100 });

    await service.followUp.whenIdle({ timeoutMs: 20_000 });
    const hook = receiver.received.filter((r) => r.type === 'task.closed');
    expect(hook).toHaveLength(1);
    expect(hook[0]!.verified).toBe(true);
    expect(hook[0]!.json.data).toMatchObject({ taskId: task.id, outcome: 'called_back', closedBy: 'wang', sessionId: task.sessionId });

    const audit = await adminGet<{ items: Array<{ action: string; actor: string; note?: string }> }>(service, '/api/audit?limit=50');
    expect(audit.body.items.filter((a) => a.note === task.id).map((a) => `${a.action} ${a.actor}`)).toEqual(['task.closed wang', 'task.noted wang', 'task.claimed wang', 'task.created system']);
    expect((await adminGet<{ items: TaskItem[] }>(service, '/api/tasks?status=closed')).body.items.map((t) => t.id)).toContain(task.id);
  });

  it('tags a kf customer known to 客户联系 by unionid, keeps kf-only visitors in huifang only, and tells webhooks of an opt-out', { timeout: 60_000 }, async () => {
    const sim = service.simulator!;
    sim.setUnionId('wm_union', 'ou_union_1');
    sim.addExternalContact({ externalUserId: 'wo_contact_1', userId: 'advisor2', unionId: 'ou_union_1' });
    const known = customer(service, sim, 'wm_union');
    await known.says('你好');
    await known.says('2');
    await known.says('效果很差');
    await service.followUp.whenIdle({ timeoutMs: 20_000 });
    await expect.poll(() => sim.contactTags('wo_contact_1'), { timeout: 10_000 }).toContain('回访·NPS/贬损者');

    const visitor = customer(service, sim, 'wm_kf_only');
    await visitor.says('你好');
    await visitor.says('不要再发了');
    await service.idle();
    await service.followUp.whenIdle({ timeoutMs: 20_000 });
    const optedOut = receiver.received.filter((r) => r.type === 'customer.opted_out');
    expect(optedOut).toHaveLength(1);
    expect(optedOut[0]!.verified).toBe(true);
    expect((optedOut[0]!.json.data.customer as { id: string }).id).toBe('wm_kf_only');

    const kfOnly = customer(service, sim, 'wm_kf_only2');
    await kfOnly.says('你好');
    await kfOnly.says('1');
    await kfOnly.says('很差');
    await service.followUp.whenIdle({ timeoutMs: 20_000 });
    const tasks = await adminGet<{ items: Array<TaskItem & { sessionId: string }> }>(service, '/api/tasks?status=open');
    const t = tasks.body.items.find((x) => x.customer.id === 'wm_kf_only2')!;
    const log = await fetch(`${service.url}/api/console/tasks/${t.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.json() as Promise<{ log: Array<{ action: string }> }>);
    await expect
      .poll(async () => (await fetch(`${service.url}/api/console/tasks/${t.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.json() as Promise<{ log: Array<{ action: string }> }>)).log.map((e) => e.action), { timeout: 10_000 })
      .toContain('tags_wecom_skipped');
    expect(log.log.map((e) => e.action)).toContain('tags_set');
  });

  it('repeats nothing when a milestone is replayed (a crash between the save and the end of the outbox)', { timeout: 60_000 }, async () => {
    const tasks = await adminGet<{ items: Array<TaskItem & { sessionId: string }> }>(service, '/api/tasks?status=open');
    const task = tasks.body.items.find((t) => t.customer.id === 'wm_union')!;
    // The session as saved (recordFollowUp answers it; recording nothing new changes nothing here).
    const record = await service.conversation.recordFollowUp(task.sessionId, (current) => current ?? { tasks: [] });
    expect(record.id).toBe(task.sessionId);
    const before = { tasks: tasks.body.items.length, hooks: receiver.received.length };
    // The outbox runner hands the same milestone over again, twice, as after two crashes.
    await service.followUp.hooks.afterMilestone({ session: record, event: 'escalated', at: record.escalation!.at });
    await service.followUp.hooks.afterMilestone({ session: record, event: 'escalated', at: record.escalation!.at });
    await service.followUp.whenIdle({ timeoutMs: 20_000 });
    expect((await adminGet<{ items: unknown[] }>(service, '/api/tasks?status=open')).body.items).toHaveLength(before.tasks);
    expect(receiver.received).toHaveLength(before.hooks);
    const detail = await adminGet<{ followUp: { log: Array<{ action: string }> } }>(service, `/api/sessions/${task.sessionId}`);
    const actions = detail.body.followUp.log.map((e) => e.action);
    expect(actions.filter((a) => a === 'task_created')).toHaveLength(1);
    expect(actions.filter((a) => a === 'escalated')).toHaveLength(1);
  });
});

describe('a customer who names 热玛吉 and when', () => {
  it('gets a task due before the purchase window, about 热玛吉, and counts once in analytics', { timeout: 90_000 }, async () => {
    const sim = service.simulator!;
    const productsOf = async () =>
      (await adminGet<{ repurchase: { products: Array<{ id: string; name: string; n: number; timing: Record<string, number>; segments: Record<string, number> }> } }>(service, '/api/analytics/summary?flowId=nps-default')).body.repurchase.products;
    const before = (await productsOf()).find((p) => p.id === 'thermage');
    const c = customer(service, sim, 'wm_thermage');
    await c.says('你好');
    await c.says('9');
    await c.says('热玛吉做完效果很好');
    await c.clicks('5');
    await c.clicks('5');
    await c.clicks('5');
    expect((await c.says('5')).join()).toMatch(/什么时候/);
    // The answer to "when" also names the product, so the products question is passed by.
    const next = (await c.says('两个月后吧，还想再做一次热玛吉')).join();
    expect(next).not.toMatch(/感兴趣/);
    expect(next).toMatch(/推荐/);
    expect((await c.says('下次吧')).join()).toMatch(/感谢/);
    await service.followUp.whenIdle({ timeoutMs: 20_000 });

    const tasks = await adminGet<{ items: TaskItem[] }>(service, '/api/tasks?status=open');
    const mine = tasks.body.items.filter((t) => t.customer.id === 'wm_thermage');
    expect(mine.map((t) => t.ruleId)).toEqual(['product-window']);
    const task = mine[0]!;
    // The window the analyser read from "两个月后", as stored with the answer.
    const session = await adminGet<{ status: string; analysis: { timing: { timing: { bucket: string; from: string } } } }>(service, `/api/sessions/${task.sessionId}`);
    expect(session.body.status).toBe('completed');
    const { bucket, from } = session.body.analysis.timing.timing;
    expect(bucket).toBe('1_3_months');
    // Due 3 days before the window starts, at midnight in Shanghai (UTC+8).
    const windowStart = Date.parse(`${from}T00:00:00+08:00`);
    expect(Date.parse(task.dueAt)).toBe(windowStart - 3 * 86_400_000);
    expect(Date.parse(task.dueAt)).toBeGreaterThan(Date.now());
    const [y, m, d] = from.split('-').map(Number);
    // Only 热玛吉: the products question, where 水光针 used to be named too, was not asked.
    expect(task.reason).toBe(`${y}年${m}月${d}日前联系顾客，沟通热玛吉（顾客预计1-3个月内再来）`);

    // Named in two answers (the reason, and the timing answer that filled products), counted once,
    // under its window and the customer's segment.
    const after = (await productsOf()).find((p) => p.id === 'thermage')!;
    expect(after.name).toBe('热玛吉');
    expect(after.n).toBe((before?.n ?? 0) + 1);
    expect(after.timing['1_3_months']).toBe((before?.timing['1_3_months'] ?? 0) + 1);
    expect(after.segments.loyal).toBe((before?.segments.loyal ?? 0) + 1);
  });
});
