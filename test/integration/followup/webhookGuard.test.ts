import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { startService, type RunningService } from '../../../src/main.ts';
import { isolatedEnv } from '../../support/serviceHarness.ts';
import { startWebhookReceiver } from '../../support/webhookReceiver.ts';
import { api as adminCall } from '../../support/escalationHarness.ts';

// Webhooks must not reach inside (issue 25): URLs that lead to loopback, private or link-local
// addresses or special names are refused at registration with a 400 that keeps the URL out of the
// logs; a redirect is an answer, never followed; what a receiver answers is kept short and shown
// only when an admin opens one delivery. The receivers here listen on 127.0.0.3, the one address
// WEBHOOK_ALLOW_HOSTS allows, so every 127.0.0.1 form below stays refused.

const RECEIVER_HOST = '127.0.0.3';
let service: RunningService;
const logLines: string[] = [];
let redirecting: Awaited<ReturnType<typeof startWebhookReceiver>>;
let target: Awaited<ReturnType<typeof startWebhookReceiver>>;
let chatty: Awaited<ReturnType<typeof startWebhookReceiver>>;
let inside: Awaited<ReturnType<typeof startWebhookReceiver>>;

const api = <T>(method: string, path: string, body?: unknown) => adminCall<T>(service, method, path, body);

interface Attempt {
  status: number | null;
  bodyBytes: number;
  body?: string | null;
  error: string | null;
}
interface Delivery {
  id: string;
  status: string;
  attempts: Attempt[];
  lastAttempt: Attempt | null;
  payload?: string;
}

beforeAll(async () => {
  redirecting = await startWebhookReceiver({ host: RECEIVER_HOST });
  target = await startWebhookReceiver({ host: RECEIVER_HOST });
  chatty = await startWebhookReceiver({ host: RECEIVER_HOST });
  inside = await startWebhookReceiver();
  const config = loadConfig(isolatedEnv('webhookguard', { WEBHOOK_ALLOW_HOSTS: RECEIVER_HOST, LOG_LEVEL: 'info', WEBHOOK_TIMEOUT_MS: '2000' }));
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  service = await startService(config, { logger: createLogger({ level: 'info', destination }) });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  for (const r of [redirecting, target, chatty, inside]) await r?.stop();
});

const redisPort = new URL(inject('redisUrl')).port;

describe('registering a webhook', () => {
  it.each([
    `http://127.0.0.1:${redisPort}/`,
    'http://localhost/hooks',
    'http://app.localhost/hooks',
    'http://[::1]/hooks',
    'http://[::ffff:127.0.0.1]/hooks',
    'http://[::ffff:7f00:1]/hooks',
    'http://2130706433/hooks',
    'http://0x7f000001/hooks',
    'http://0177.0.0.1/hooks',
    'http://127.1/hooks',
    'http://0.0.0.0/hooks',
    'http://[::]/hooks',
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://10.0.0.1/hooks',
    'http://192.168.1.1/hooks',
    'http://100.64.0.1/hooks',
    'http://[fd00::1]/hooks',
    'http://[fe80::1]/hooks',
    'http://224.0.0.1/hooks',
  ])('refuses %s with 400 WEBHOOK_URL_REFUSED', async (url) => {
    const answer = await api<{ error: { code: string; message: string } }>('POST', '/api/webhooks', { url: `${url}?token=tok-${url.length}`, events: ['survey.completed'] });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('WEBHOOK_URL_REFUSED');
    expect(answer.body.error.message).toContain('WEBHOOK_ALLOW_HOSTS');
  });

  it('answers text that is no URL with a 400, and logs neither it nor any refused URL', async () => {
    const answer = await api<{ error: { code: string; message: string } }>('POST', '/api/webhooks', { url: 'not a url', events: ['survey.completed'] });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BODY_INVALID');
    expect(answer.body.error.message).toContain('http(s)');
    const logs = logLines.join('');
    expect(logs).not.toContain('not a url');
    expect(logs).not.toMatch(/tok-\d+/);
    expect(logs).not.toContain('"level":50');
    // Each refusal was logged, by its code.
    expect(logs).toContain('WEBHOOK_URL_REFUSED');
    expect((await api<{ items: unknown[] }>('GET', '/api/webhooks')).body.items).toHaveLength(0);
  });
});

describe('sending deliveries', () => {
  it('treats a redirect as a failed attempt and does not follow it', { timeout: 30_000 }, async () => {
    redirecting.redirect(target.url());
    const created = await api<{ id: string }>('POST', '/api/webhooks', { url: redirecting.url(), events: ['survey.completed'] });
    expect(created.status).toBe(201);
    await service.followUp.webhooks.publish({ type: 'survey.completed', eventKey: 'guard-redirect', at: new Date(), data: { note: 'redirect' } });
    await expect.poll(() => redirecting.requests(), { timeout: 10_000 }).toBeGreaterThan(0);
    const items = async () => (await api<{ items: Delivery[] }>('GET', `/api/webhooks/${created.body.id}/deliveries`)).body.items;
    await expect.poll(async () => (await items())[0]?.attempts.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    const [delivery] = await items();
    expect(delivery!.status).not.toBe('delivered');
    expect(delivery!.attempts[0]!.status).toBe(302);
    expect(target.requests()).toBe(0);
    await api('POST', `/api/webhooks/${created.body.id}/disable`);
  });

  it('refuses at send time an endpoint stored before the guard existed, without a byte reaching it', { timeout: 30_000 }, async () => {
    // As an endpoint registered by an earlier version (or with an allow list since shortened) is stored.
    const id = 'we_0123456789abcdef01234567';
    await service.stores.mongo
      .collection('webhookendpoints')
      .insertOne({ _id: id as never, id, url: inside.url(), events: ['survey.completed'], active: true, createdAt: new Date(), createdBy: 'admin', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    await service.followUp.webhooks.publish({ type: 'survey.completed', eventKey: 'guard-stored', at: new Date(), data: { note: 'stored' } });
    const list = async () => (await api<{ items: Delivery[] }>('GET', `/api/webhooks/${id}/deliveries`)).body.items;
    await expect.poll(async () => (await list())[0]?.attempts.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    const [delivery] = await list();
    expect(delivery!.attempts[0]).toMatchObject({ status: null });
    expect(delivery!.attempts[0]!.error).toMatch(/^WEBHOOK_URL_REFUSED: .*loopback/);
    expect(inside.requests()).toBe(0);
    await api('POST', `/api/webhooks/${id}/disable`);
  });

  it('keeps the start of a long answer, and lists answers as status and length only', { timeout: 30_000 }, async () => {
    const long = `<html>${'内部错误 '.repeat(400)}</html>`;
    chatty.answer(500, long);
    const created = await api<{ id: string }>('POST', '/api/webhooks', { url: chatty.url(), events: ['survey.completed'] });
    await service.followUp.webhooks.publish({ type: 'survey.completed', eventKey: 'guard-long', at: new Date(), data: { note: 'long' } });
    const list = async () => (await api<{ items: Delivery[] }>('GET', `/api/webhooks/${created.body.id}/deliveries`)).body.items;
    await expect.poll(async () => (await list())[0]?.attempts.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    const [listed] = await list();
    expect(listed!.attempts[0]).toMatchObject({ status: 500, bodyBytes: Buffer.byteLength(long) });
    expect(listed!.attempts[0]).not.toHaveProperty('body');
    expect(listed!.lastAttempt).not.toHaveProperty('body');
    expect(listed).not.toHaveProperty('payload');
    const opened = (await api<Delivery>('GET', `/api/webhooks/deliveries/${listed!.id}`)).body;
    expect(opened.attempts[0]!.body).toBe(long.slice(0, 300));
    expect(opened.attempts[0]!.bodyBytes).toBe(Buffer.byteLength(long));
    expect(JSON.parse(opened.payload!)).toMatchObject({ type: 'survey.completed' });
    // What is stored is the cut answer, not the 2 KB one.
    const stored = await service.stores.mongo.collection('webhookdeliveries').findOne({ _id: listed!.id as never });
    expect((stored?.attempts as Array<{ body: string }>)[0]!.body).toHaveLength(300);
    await api('POST', `/api/webhooks/${created.body.id}/disable`);
  });
});
