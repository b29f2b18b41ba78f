import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { createUser } from '../../support/adminApi.ts';
import { eventually } from '../../support/escalationHarness.ts';
import { ADMIN_TOKEN, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// Issue 15, roles: who may call which /api route, who sees a customer's words in full, and that
// every full-transcript read leaves an audit entry. One detractor, over real HTTP, real FerretDB
// and Redis, gives everything: an answer with an email address (a verbatim), an escalation whose
// transcript holds it, and a follow-up task.

// An email: a phone number in a reason reads as "call me", a request for a person, and no callback task is filed.
const PHONE = 'zhangsan@example.com';
const MASKED = 'z***@example.com';

let service: RunningService;
const tokens: Record<'viewer' | 'editor' | 'admin' | 'adminUser' | 'advisorA' | 'advisorB', string> = {
  viewer: '',
  editor: '',
  admin: ADMIN_TOKEN,
  adminUser: '',
  advisorA: '',
  advisorB: '',
};
let sessionId: string;
let escalationId: string;
let taskId: string;

type Who = keyof typeof tokens | 'nobody';

async function call<T = Record<string, unknown>>(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(who === 'nobody' ? {} : { authorization: `Bearer ${tokens[who]}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as T) : (undefined as T);
  return { status: res.status, body: json, text };
}

beforeAll(async () => {
  service = await startTestService(isolatedEnv('privacyroles', { ESCALATION_REASON_WAIT_MINUTES: '10' }));
  tokens.viewer = await createUser(service, 'viewer-zhao', 'viewer');
  tokens.editor = await createUser(service, 'editor-qian', 'editor');
  tokens.adminUser = await createUser(service, 'admin-sun', 'admin');
  tokens.advisorA = (await call<{ token: string }>('admin', 'POST', '/api/advisors', { id: 'li', name: '李顾问' })).body.token;
  tokens.advisorB = (await call<{ token: string }>('admin', 'POST', '/api/advisors', { id: 'zhou', name: '周顾问' })).body.token;

  // nps-default hands detractors to the WeCom queue once they said why, and files a callback task.
  const c = customer(service, service.simulator!, 'wm_privacy');
  await c.says('你好');
  await c.says('3');
  await c.says(`太贵了，服务态度也差，邮箱 ${PHONE}`);
  await service.followUp.whenIdle({ timeoutMs: 20_000 });
  const escalations = await call<{ items: Array<{ id: string; sessionId: string; customerId: string }> }>('admin', 'GET', '/api/console/escalations');
  const e = escalations.body.items.find((i) => i.customerId === 'wm_privacy')!;
  escalationId = e.id;
  sessionId = e.sessionId;
  taskId = await eventually(async () => {
    const tasks = await call<{ items: Array<{ id: string; sessionId: string }> }>('admin', 'GET', '/api/tasks?status=open');
    return tasks.body.items.find((t) => t.sessionId === sessionId)?.id;
  }, 20_000, 'the callback task');
}, 90_000);

afterAll(async () => {
  await service?.stop();
});

describe('masked or full text, by role', () => {
  it('masks verbatims for every role: full words are in the transcript, for admins', async () => {
    const path = '/api/analytics/verbatims?flowId=nps-default';
    const viewer = await eventually(async () => {
      const res = await call<{ items: Array<{ sessionId: string; text: string }> }>('viewer', 'GET', path);
      return res.body.items.some((i) => i.sessionId === sessionId) ? res : undefined;
    }, 10_000, 'the verbatim');
    expect(viewer.text).not.toContain(PHONE);
    expect(viewer.body.items.find((i) => i.sessionId === sessionId)!.text).toBe(`太贵了，服务态度也差，邮箱 ${MASKED}`);
    expect((await call('editor', 'GET', path)).text).not.toContain(PHONE);
    expect((await call('admin', 'GET', path)).text).not.toContain(PHONE);
    expect((await call('admin', 'GET', `/api/sessions/${sessionId}`)).text).toContain(PHONE);
  });

  it('shows an unclaimed escalation and task to advisors masked, and in full once they are theirs', async () => {
    for (const who of ['advisorA', 'advisorB'] as const) {
      const list = await call<{ items: Array<{ id: string; masked: boolean }> }>(who, 'GET', '/api/console/escalations');
      expect(list.body.items.find((i) => i.id === escalationId)).toMatchObject({ masked: true });
      expect(list.text).not.toContain(PHONE);
      const detail = await call<{ masked: boolean; maskedBecause: string; session: { transcript: Array<{ text: string }> } }>(who, 'GET', `/api/console/escalations/${escalationId}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ masked: true, maskedBecause: 'not_yours' });
      expect(detail.text).not.toContain(PHONE);
      expect(detail.body.session.transcript.map((t) => t.text)).toContain(`太贵了，服务态度也差，邮箱 ${MASKED}`);
      const task = await call<{ masked: boolean }>(who, 'GET', `/api/console/tasks/${taskId}`);
      expect(task.body.masked).toBe(true);
      expect(task.text).not.toContain(PHONE);
    }
    // Replying, resolving, noting and closing need a claim first.
    expect((await call<{ error: { code: string } }>('advisorA', 'POST', `/api/console/escalations/${escalationId}/reply`, { text: '您好', clientId: 'client-0001' })).body.error.code).toBe('ESCALATION_NOT_CLAIMED');
    expect((await call<{ error: { code: string } }>('advisorA', 'POST', `/api/console/tasks/${taskId}/close`, { outcome: 'called_back' })).body.error.code).toBe('TASK_NOT_CLAIMED');

    expect((await call('advisorA', 'POST', `/api/console/escalations/${escalationId}/claim`, {})).status).toBe(200);
    expect((await call('advisorA', 'POST', `/api/console/tasks/${taskId}/claim`, {})).status).toBe(200);

    const mine = await call<{ masked: boolean; customerWords: string; session: { transcript: Array<{ text: string }> } }>('advisorA', 'GET', `/api/console/escalations/${escalationId}`);
    expect(mine.body.masked).toBe(false);
    expect(mine.body.session.transcript.map((t) => t.text)).toContain(`太贵了，服务态度也差，邮箱 ${PHONE}`);
    const myTask = await call<{ masked: boolean; transcript: Array<{ text: string }> }>('advisorA', 'GET', `/api/console/tasks/${taskId}`);
    expect(myTask.body.masked).toBe(false);
    expect(myTask.text).toContain(PHONE);

    // Now it is li's: zhou no longer sees it at all.
    const other = await call<{ items: Array<{ id: string }> }>('advisorB', 'GET', '/api/console/escalations');
    expect(other.body.items.map((i) => i.id)).not.toContain(escalationId);
    expect((await call<{ error: { code: string } }>('advisorB', 'GET', `/api/console/escalations/${escalationId}`)).body.error.code).toBe('ESCALATION_NOT_YOURS');
    expect((await call<{ error: { code: string } }>('advisorB', 'POST', `/api/console/escalations/${escalationId}/claim`, {})).body.error.code).toBe('ESCALATION_NOT_YOURS');
    expect((await call<{ error: { code: string } }>('advisorB', 'GET', `/api/console/tasks/${taskId}`)).body.error.code).toBe('TASK_NOT_YOURS');
    expect((await call<{ items: Array<{ id: string }> }>('advisorB', 'GET', '/api/console/tasks?status=open')).body.items.map((t) => t.id)).not.toContain(taskId);

    // Admins, by ADMIN_TOKEN or their own admin token, see it in full.
    for (const who of ['admin', 'adminUser'] as const) {
      const admin = await call<{ masked: boolean }>(who, 'GET', `/api/console/escalations/${escalationId}`);
      expect(admin.body.masked).toBe(false);
      expect(admin.text).toContain(PHONE);
    }
  });
});

describe('role × route', () => {
  it('answers each route as the access table in the README says', async () => {
    const routes: Array<[string, string, Record<Exclude<Who, 'adminUser'>, number>]> = [
      // path                                            nobody viewer editor admin advisorA advisorB
      ['GET', '/api/analytics/summary?flowId=nps-default', { nobody: 401, viewer: 200, editor: 200, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/analytics/trend?flowId=nps-default', { nobody: 401, viewer: 200, editor: 200, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/analytics/verbatims?flowId=nps-default', { nobody: 401, viewer: 200, editor: 200, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/analytics/filters?flowId=nps-default', { nobody: 401, viewer: 200, editor: 200, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/analytics/export.csv?flowId=nps-default', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/sessions', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', `/api/sessions/${sessionId}`, { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/tasks', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/webhooks', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/deadletters', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/users', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/advisors', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/audit', { nobody: 401, viewer: 200, editor: 200, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/flows', { nobody: 401, viewer: 200, editor: 200, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/campaigns', { nobody: 401, viewer: 200, editor: 200, admin: 200, advisorA: 401, advisorB: 401 }],
      ['GET', '/api/console/escalations', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 200, advisorB: 200 }],
      ['GET', `/api/console/escalations/${escalationId}`, { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 200, advisorB: 403 }],
      ['GET', '/api/console/tasks', { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 200, advisorB: 200 }],
      ['GET', `/api/console/tasks/${taskId}`, { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 200, advisorB: 403 }],
      ['POST', `/api/console/tasks/${taskId}/note`, { nobody: 401, viewer: 403, editor: 403, admin: 200, advisorA: 200, advisorB: 403 }],
    ];
    const expected: Record<string, Record<string, number>> = {};
    const actual: Record<string, Record<string, number>> = {};
    for (const [method, path, statuses] of routes) {
      const key = `${method} ${path}`;
      expected[key] = statuses;
      actual[key] = {};
      for (const who of Object.keys(statuses) as Array<keyof typeof statuses>) {
        actual[key][who] = (await call(who, method, path, method === 'POST' ? { text: '已回电' } : undefined)).status;
      }
    }
    expect(actual).toEqual(expected);
  }, 60_000);

  it('says why with a stable code', async () => {
    expect((await call<{ error: { code: string } }>('viewer', 'GET', `/api/sessions/${sessionId}`)).body.error.code).toBe('FORBIDDEN');
    expect((await call<{ error: { code: string } }>('viewer', 'GET', '/api/console/escalations')).body.error.code).toBe('CONSOLE_FORBIDDEN');
    expect((await call<{ error: { code: string } }>('nobody', 'GET', '/api/console/escalations')).body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('transcript reads in the audit log', () => {
  it('records who read which transcript through the API and the console, never the text, for admins only', async () => {
    const before = await call<{ items: unknown[] }>('admin', 'GET', '/api/audit?action=transcript.read&limit=200');
    expect((await call('adminUser', 'GET', `/api/sessions/${sessionId}`)).status).toBe(200);
    expect((await call('advisorA', 'GET', `/api/console/escalations/${escalationId}`)).status).toBe(200);

    const log = await call<{ items: Array<{ actor: string; actorRole: string; action: string; details: Record<string, string> }> }>('admin', 'GET', '/api/audit?action=transcript.read&limit=200');
    expect(log.body.items.every((e) => e.action === 'transcript.read')).toBe(true);
    expect(log.body.items.length).toBeGreaterThan(before.body.items.length);
    const seen = log.body.items.map((e) => `${e.actor}/${e.actorRole}/${e.details.via}/${e.details.sessionId}/${e.details.escalationId ?? e.details.taskId ?? '-'}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        `admin-sun/admin/api/${sessionId}/-`,
        `admin/admin/api/${sessionId}/-`,
        `li/advisor/console/${sessionId}/${escalationId}`,
        `li/advisor/console/${sessionId}/${taskId}`,
        `admin-sun/admin/console/${sessionId}/${escalationId}`,
      ]),
    );
    // Masked views are not full reads: zhou only ever saw masked text.
    expect(seen.some((s) => s.startsWith('zhou/'))).toBe(false);
    expect(log.text).not.toContain(PHONE);
    expect(log.text).not.toContain('太贵了');

    // Viewers and editors see the flow history only.
    for (const who of ['viewer', 'editor'] as const) {
      const theirs = await call<{ items: Array<{ action: string }> }>(who, 'GET', '/api/audit?action=transcript.read');
      expect(theirs.body.items).toEqual([]);
      const all = await call<{ items: Array<{ action: string }> }>(who, 'GET', '/api/audit?limit=200');
      expect(all.body.items.length).toBeGreaterThan(0);
      expect(all.body.items.every((e) => e.action.startsWith('flow.'))).toBe(true);
    }
  });
});
