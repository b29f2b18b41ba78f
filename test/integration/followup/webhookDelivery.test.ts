import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';
import { api } from '../../support/escalationHarness.ts';
import { startWebhookReceiver } from '../../support/webhookReceiver.ts';

// Webhook delivery under failure, with the 24 h retry window shrunk to 3 s: a receiver that keeps
// failing is retried with backoff and then dead-lettered, its answers kept; an admin replays it;
// a receiver that is down while a survey completes neither slows nor breaks the survey and gets
// the message once it is back.

let service: RunningService;
let failing: Awaited<ReturnType<typeof startWebhookReceiver>>;
let flaky: Awaited<ReturnType<typeof startWebhookReceiver>>;
const secrets: Record<string, string> = {};

interface Delivery {
  id: string;
  status: string;
  type: string;
  replays: number;
  attempts: Array<{ status: number | null; error: string | null; body?: string | null; bodyBytes: number; at: string }>;
}

async function register(url: string, events: string[]): Promise<string> {
  const created = await api<{ id: string; secret: string }>(service, 'POST', '/api/webhooks', { url, events });
  expect(created.status).toBe(201);
  secrets[created.body.id] = created.body.secret;
  return created.body.id;
}

/** A promoter completes nps-default; resolves with the time each reply took. */
async function completeSurvey(id: string): Promise<number[]> {
  const c = customer(service, service.simulator!, id);
  const times: number[] = [];
  for (const text of ['你好', '10', '顾问很专业', '5', '5', '5', '5', '下个月', '面部护理', '推荐朋友']) {
    const t0 = performance.now();
    await c.says(text);
    times.push(performance.now() - t0);
  }
  expect(c.all().at(-1)).toContain('感谢您的宝贵反馈');
  return times;
}

let failingId: string;
let flakyId: string;

beforeAll(async () => {
  failing = await startWebhookReceiver({ secret: () => secrets[failingId] });
  failing.answer(500);
  flaky = await startWebhookReceiver({ secret: () => secrets[flakyId] });
  service = await startTestService(
    isolatedEnv('webhooks', { WEBHOOK_RETRY_WINDOW_SECONDS: '3', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_TIMEOUT_MS: '2000' }),
  );
  failingId = await register(failing.url(), ['survey.completed']);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await failing?.stop();
  await flaky?.stop();
});

describe('webhook deliveries', () => {
  it('retries a failing receiver with backoff, then dead-letters the delivery with every answer kept; a replay delivers it', { timeout: 60_000 }, async () => {
    await completeSurvey('wm_hook_fail');
    // The promoter was asked for a referral: remembered with the customer, so it is asked once.
    const stored = await service.stores.mongo.collection('customers').findOne({ _id: `wecom-kf:${service.simulator!.openKfId}:wm_hook_fail` as never });
    expect(stored?.askedOnce).toEqual(['nps-default:referral']);
    await expect
      .poll(async () => (await api<{ items: Delivery[] }>(service, 'GET', `/api/webhooks/${failingId}/deliveries?status=failed`)).body.items.length, { timeout: 20_000, interval: 250 })
      .toBe(1);
    const [dead] = (await api<{ items: Delivery[] }>(service, 'GET', `/api/webhooks/${failingId}/deliveries`)).body.items;
    expect(dead!.type).toBe('survey.completed');
    expect(dead!.attempts.length).toBeGreaterThanOrEqual(4);
    // The list gives each answer as status and length; opening the delivery shows the answers.
    expect(dead!.attempts.every((a) => a.status === 500 && a.bodyBytes === 'receiver says 500'.length && !('body' in a))).toBe(true);
    const opened = (await api<Delivery>(service, 'GET', `/api/webhooks/deliveries/${dead!.id}`)).body;
    expect(opened.attempts.length).toBe(dead!.attempts.length);
    expect(opened.attempts.every((a) => a.status === 500 && a.body === 'receiver says 500')).toBe(true);
    // Backoff: each gap at least its delay (100 ms doubling, capped at 400 ms, less 20 % jitter);
    // a loaded machine may only make gaps longer.
    const gaps = dead!.attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(dead!.attempts[i]!.at));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(0.8 * Math.min(100 * 2 ** i, 400) - 5));
    expect(failing.received).toHaveLength(0);

    // Replay once the receiver is fixed: same webhook-id and body, a fresh valid signature.
    failing.answer(200);
    const replayed = await api<Delivery>(service, 'POST', `/api/webhooks/deliveries/${dead!.id}/replay`);
    expect(replayed.status).toBe(202);
    await expect.poll(() => failing.received.length, { timeout: 10_000 }).toBe(1);
    expect(failing.received[0]).toMatchObject({ id: dead!.id, type: 'survey.completed', verified: true });
    await expect.poll(async () => (await api<Delivery>(service, 'GET', `/api/webhooks/deliveries/${dead!.id}`)).body.status, { timeout: 5_000 }).toBe('delivered');
    const after = (await api<Delivery>(service, 'GET', `/api/webhooks/deliveries/${dead!.id}`)).body;
    expect(after.replays).toBe(1);
    expect(after.attempts.at(-1)).toMatchObject({ status: 200 });
    expect((await api(service, 'POST', '/api/webhooks/deliveries/msg_000000000000000000000000/replay')).status).toBe(404);
  });

  it('keeps the survey going while the receiver is down, and delivers once it is back', { timeout: 90_000 }, async () => {
    await api(service, 'POST', `/api/webhooks/${failingId}/disable`);
    await flaky.stop();
    flakyId = await register(flaky.url(), ['survey.completed']);
    const times = await completeSurvey('wm_hook_down');
    // Every reply came as fast as without webhooks: no turn waited for the dead receiver.
    expect(Math.max(...times)).toBeLessThan(5_000);
    await expect.poll(async () => (await api<{ items: Delivery[] }>(service, 'GET', `/api/webhooks/${flakyId}/deliveries`)).body.items[0]?.attempts.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    const pending = (await api<{ items: Delivery[] }>(service, 'GET', `/api/webhooks/${flakyId}/deliveries`)).body.items[0]!;
    expect(pending.status).toBe('pending');
    expect(pending.attempts[0]!.error).toMatch(/fetch failed|ECONNREFUSED|connect/i);
    // A delivery still being retried cannot be replayed on top of its retries.
    expect((await api<{ error: { code: string } }>(service, 'POST', `/api/webhooks/deliveries/${pending.id}/replay`)).body.error.code).toBe('DELIVERY_PENDING');

    await flaky.start();
    await expect.poll(() => flaky.received.length, { timeout: 10_000 }).toBe(1);
    expect(flaky.received[0]).toMatchObject({ id: pending.id, type: 'survey.completed', verified: true });
    expect((flaky.received[0]!.json.data.customer as { id: string }).id).toBe('wm_hook_down');
    // The disabled endpoint heard nothing of this survey.
    expect(failing.received).toHaveLength(1);
  });

  it('documents the follow-up API in /api/openapi.json, for admins only', async () => {
    const doc = (await fetch(`${service.url}/api/openapi.json`).then((r) => r.json())) as { paths: Record<string, Record<string, { 'x-required-role'?: string }>> };
    for (const path of ['/api/webhooks', '/api/webhooks/{id}/deliveries', '/api/webhooks/deliveries/{id}/replay', '/api/tasks']) expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths['/api/tasks']!.get!['x-required-role']).toBe('admin');
    expect((await fetch(`${service.url}/api/tasks?status=open`)).status).toBe(401);
    expect((await api(service, 'POST', '/api/webhooks', { url: 'ftp://example.com/x', events: ['survey.completed'] })).status).toBe(400);
    expect((await api(service, 'POST', '/api/webhooks', { url: 'https://user:pw@example.com/x', events: ['survey.completed'] })).status).toBe(400);
  });
});
