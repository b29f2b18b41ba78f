import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';
import { dumpStores, holding } from '../../support/storeDump.ts';
import { startWebhookReceiver } from '../../support/webhookReceiver.ts';

// Erasure on request and access requests (issue 15), over real HTTP against FerretDB and Redis:
// a detractor hands over with a complaint (escalation, task, tags), a promoter completes with
// reasons. The export shows everything; after DELETE the stores hold none of their words and
// not their id, the export is empty, analytics counts the same, and the customer starts afresh.

let service: RunningService;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let secret: string | undefined;

const call = async <T>(method: string, path: string, token = ADMIN_TOKEN): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${service.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
};

interface Export {
  externalUserId: string;
  customers: unknown[];
  sessions: Array<{ id: string; transcript: Array<{ text: string }>; answers: Record<string, { raw: string }> }>;
  escalations: Array<{ customerWords?: string }>;
  tasks: unknown[];
  tags: Array<{ tags: unknown[] }>;
  invitations: unknown[];
  consents: unknown[];
}

const complaint = '太贵了，服务态度也差，王医生把我脸弄伤了';
const praise = '顾问很专业，耐心解释';

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: () => secret });
  service = await startTestService(isolatedEnv('privacy-erase', { ESCALATION_REASON_WAIT_MINUTES: '10' }));
  // A webhook endpoint, so deliveries (which keep the exact body sent) hold the customer's words too.
  const registered = await fetch(`${service.url}/api/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url(), events: ['survey.completed', 'survey.escalated', 'customer.opted_out'] }),
  });
  secret = ((await registered.json()) as { secret: string }).secret;
  const sim = service.simulator!;
  sim.addExternalContact({ externalUserId: 'wm_erase_me', userId: 'advisor1' });
  const d = customer(service, sim, 'wm_erase_me');
  await d.says('你好');
  await d.says('3');
  await d.says(complaint);
  const p = customer(service, sim, 'wm_stays');
  await p.says('你好');
  await p.says('九分吧');
  await p.says(praise);
  await service.followUp.whenIdle({ timeoutMs: 20_000 });
  await service.escalation.whenIdle({ timeoutMs: 20_000 });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await receiver?.stop();
});

describe('GET /api/customers/:externalUserId/export', () => {
  it('answers everything held about the customer: sessions with answers and transcript, escalation, task, tags', async () => {
    const res = await call<Export>('GET', '/api/customers/wm_erase_me/export');
    expect(res.status).toBe(200);
    expect(res.body.externalUserId).toBe('wm_erase_me');
    expect(res.body.customers).toHaveLength(1);
    expect(res.body.sessions).toHaveLength(1);
    expect(res.body.sessions[0]!.transcript.map((t) => t.text)).toContain(complaint);
    expect(Object.values(res.body.sessions[0]!.answers).map((a) => a.raw)).toContain(complaint);
    expect(res.body.escalations).toHaveLength(1);
    expect(res.body.tasks.length).toBeGreaterThanOrEqual(1);
    expect(res.body.tags[0]!.tags.length).toBeGreaterThan(0);
    // Nobody else's data.
    expect(JSON.stringify(res.body)).not.toContain(praise);
  });

  it('is admin only and refuses a malformed id', async () => {
    expect((await call('GET', '/api/customers/wm_erase_me/export', 'not-a-valid-token-at-all')).status).toBe(401);
    const res = await fetch(`${service.url}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'editor-privacy', role: 'editor' }),
    });
    const { token } = (await res.json()) as { token: string };
    expect((await call('GET', '/api/customers/wm_erase_me/export', token)).status).toBe(403);
    expect((await call('DELETE', '/api/customers/wm_erase_me', token)).status).toBe(403);
    expect((await call('GET', '/api/privacy/retention', token)).status).toBe(403);
    expect((await call<{ error: { code: string } }>('GET', '/api/customers/a%20b/export')).body.error.code).toBe('CUSTOMER_ID_INVALID');
  });
});

describe('DELETE /api/customers/:externalUserId', () => {
  it('removes every copy of the words and the id from MongoDB and Redis, keeps analytics, and audits counts only', async () => {
    const summary = async () => {
      const { generatedAt: _at, ...numbers } = (await adminGet<Record<string, unknown>>(service, '/api/analytics/summary?flowId=nps-default')).body;
      return numbers;
    };
    const verbatims = async () => JSON.stringify((await adminGet(service, '/api/analytics/verbatims?flowId=nps-default&limit=50')).body);
    const summaryBefore = await summary();
    expect(summaryBefore).toMatchObject({ nps: { responses: 2, detractors: 1 } });
    expect(await verbatims()).toContain('太贵了');
    // An advisor alert still waiting in the robot outbox (as while WeCom refuses it) quotes the customer.
    const exported = await call<{ escalations: Array<{ id: string }> }>('GET', '/api/customers/wm_erase_me/export');
    await service.stores.redis.rpush(service.stores.keys.escalationRobotOutbox, JSON.stringify({ escalationId: exported.body.escalations[0]!.id, round: 2, section: `顾客说：${complaint}` }));
    const before = await dumpStores(service);
    expect(holding(before, [complaint]).length).toBeGreaterThan(0);
    expect(holding(before, [complaint]).some((where) => where.includes('escalation:robot:outbox'))).toBe(true);
    expect(holding(before, [complaint]).some((where) => where.includes('webhookdeliveries/'))).toBe(true);

    const res = await call<{ subject: string; counts: Record<string, number>; optedOutKept: boolean }>('DELETE', '/api/customers/wm_erase_me');
    expect(res.status).toBe(200);
    expect(res.body.subject).toMatch(/^[0-9a-f]{16}$/);
    expect(res.body.counts).toMatchObject({ sessions: 1, escalations: 1, customers: 1, tags: 1 });
    expect(res.body.counts.transcriptChunks).toBeGreaterThan(0);
    expect(res.body.counts.tasks).toBeGreaterThanOrEqual(1);
    expect(res.body.counts.webhookDeliveries).toBeGreaterThanOrEqual(1);
    expect(res.body.optedOutKept).toBe(false);

    const after = await dumpStores(service);
    expect(holding(after, [complaint, '太贵了', 'wm_erase_me'])).toEqual([]);
    // The other customer is untouched.
    expect(holding(after, [praise]).length).toBeGreaterThan(0);

    expect(await summary()).toEqual(summaryBefore);
    expect(await verbatims()).not.toContain('太贵了');
    expect(await verbatims()).toContain(praise);

    const audit = await adminGet<{ items: Array<{ action: string; actor: string; note?: string; details?: { counts?: Record<string, number> } }> }>(service, '/api/audit?limit=20');
    const entry = audit.body.items.find((e) => e.action === 'customer.erased')!;
    expect(entry).toMatchObject({ actor: 'admin', note: res.body.subject });
    expect(entry.details?.counts?.sessions).toBe(1);
  });

  it('leaves an export with nothing identifying, and repeating the erasure finds nothing more', async () => {
    const res = await call<Export>('GET', '/api/customers/wm_erase_me/export');
    expect(res.status).toBe(200);
    expect({ ...res.body, exportedAt: undefined }).toEqual({
      externalUserId: 'wm_erase_me',
      exportedAt: undefined,
      customers: [],
      sessions: [],
      escalations: [],
      tasks: [],
      tags: [],
      invitations: [],
      consents: [],
    });
    const again = await call<{ counts: Record<string, number> }>('DELETE', '/api/customers/wm_erase_me');
    expect(again.body.counts).toEqual({ redisKeys: 0 });
  });

  it('treats the customer as new afterwards: a survey half-way starts again from the first question', async () => {
    const c = customer(service, service.simulator!, 'wm_midway');
    await c.says('你好');
    expect((await c.says('十分')).join()).toMatch(/最满意/);
    expect((await call('DELETE', '/api/customers/wm_midway')).status).toBe(200);
    expect((await c.says('你好')).join()).toMatch(/0-10/);
    const res = await call<Export>('GET', '/api/customers/wm_midway/export');
    expect(res.body.sessions).toHaveLength(1);
    expect(res.body.sessions[0]!.transcript.map((t) => t.text)).toEqual(expect.arrayContaining(['你好']));
    expect(res.body.sessions[0]!.transcript.map((t) => t.text)).not.toContain('十分');
  });

  it('keeps an opt-out the customer asked for', async () => {
    const c = customer(service, service.simulator!, 'wm_optout');
    await c.says('你好');
    await c.says('不要再发了');
    const res = await call<{ optedOutKept: boolean }>('DELETE', '/api/customers/wm_optout');
    expect(res.body.optedOutKept).toBe(true);
    expect(await c.says('你好')).toEqual([]);
    const exported = await call<Export>('GET', '/api/customers/wm_optout/export');
    expect(exported.body.sessions).toEqual([]);
  });
});

describe('the admin page and the API document', () => {
  it('offer erasure behind a Chinese confirm dialog and document the privacy routes', async () => {
    const page = await (await fetch(`${service.url}/admin`)).text();
    expect(page).toContain('href="#/privacy"');
    const script = await (await fetch(`${service.url}/admin/static/privacy.js`)).text();
    expect(script).toMatch(/window\.confirm\(`确定要删除顾客/);
    expect(script).toContain("del(`/api/customers/${encodeURIComponent(id)}`)");
    const doc = (await (await fetch(`${service.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/customers/{externalUserId}']!)).toEqual(['delete']);
    expect(Object.keys(doc.paths['/api/customers/{externalUserId}/export']!)).toEqual(['get']);
    expect(doc.paths['/api/privacy/retention']).toHaveProperty('get');
    expect(doc.paths['/api/privacy/retention/sweep']).toHaveProperty('post');
  });
});
