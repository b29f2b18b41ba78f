import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';
import { startWebhookReceiver } from '../../support/webhookReceiver.ts';

// A detractor runs through the simulator: the hand-over and the completion each produce their
// follow-up (a callback task, tags in huifang and in the simulated WeCom through 客户联系, and a
// signed webhook a receiver verifies with the spec's algorithm), once each however often replayed.

let service: RunningService;
let secret: string | undefined;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
};

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: () => secret });
  service = await startTestService(isolatedEnv('closedloop', { ESCALATION_REASON_WAIT_MINUTES: '10' }));
  const created = await api<{ id: string; secret: string }>('POST', '/api/webhooks', { url: receiver.url(), events: ['survey.completed', 'survey.escalated', 'task.closed', 'customer.opted_out'] });
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
    const escalations = await api<{ items: Array<{ id: string; sessionId: string }> }>('GET', '/api/console/escalations?view=active');
    const e = escalations.body.items.find((x) => x.sessionId === mine[0]!.sessionId)!;
    expect((await api('POST', `/api/console/escalations/${e.id}/resolve`, { handBack: 'none' })).status).toBe(200);
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
});
