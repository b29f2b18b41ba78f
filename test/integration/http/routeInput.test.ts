import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// Input is checked by each route's definition (src/http/mountRoutes.ts): these are the answers the
// routes gave when each checked its own input, and must keep giving.

let service: RunningService;
beforeAll(async () => {
  service = await startTestService(isolatedEnv('route_input'));
}, 120_000);
afterAll(async () => service?.stop());

async function call(method: string, path: string, options: { body?: string; token?: string | null } = {}) {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body,
  });
  const text = await res.text();
  return { status: res.status, error: (text ? JSON.parse(text) : {}) as { error?: { code: string; message: string; problems?: Array<{ path: string }> } } };
}

describe('route input', () => {
  it.each([
    ['GET', '/api/flows/Not_A_Flow', 400, 'FLOW_ID_INVALID'],
    ['GET', '/api/flows/nps-default/versions/newest', 400, 'VERSION_INVALID'],
    ['GET', '/api/flows/nps-default/diff?from=1', 400, 'QUERY_INVALID'],
    ['GET', '/api/sessions?limit=0', 400, 'QUERY_INVALID'],
    ['GET', '/api/deadletters?status=lost', 400, 'QUERY_INVALID'],
    ['GET', '/api/campaigns/NOT-AN-ID', 400, 'QUERY_INVALID'],
    ['GET', '/api/analytics/summary?flowId=nps-default&from=2026-02-30', 400, 'QUERY_INVALID'],
    ['GET', '/api/privacy/retention?dryRun=maybe', 400, 'QUERY_INVALID'],
    ['GET', '/api/customers/a%20b/export', 400, 'CUSTOMER_ID_INVALID'],
    ['GET', '/api/console/tasks/not-a-task', 404, 'TASK_NOT_FOUND'],
    ['GET', '/api/console/escalations/not-an-escalation', 404, 'ESCALATION_NOT_FOUND'],
    ['POST', '/api/webhooks/we_nope/disable', 404, 'WEBHOOK_NOT_FOUND'],
    ['GET', '/api/webhooks/deliveries/msg_nope', 404, 'DELIVERY_NOT_FOUND'],
    ['POST', '/api/advisors/Not An Advisor/token', 404, 'ADVISOR_NOT_FOUND'],
  ])('%s %s answers %i %s', async (method, path, status, code) => {
    const answer = await call(method, path);
    expect(answer.status).toBe(status);
    expect(answer.error.error?.code).toBe(code);
  });

  it('checks the caller before the input: a bad id without a token is 401', async () => {
    expect((await call('GET', '/api/flows/Not_A_Flow', { token: null })).status).toBe(401);
    expect((await call('GET', '/api/console/tasks/not-a-task', { token: null })).status).toBe(401);
    expect((await call('POST', '/api/webhooks/we_nope/disable', { token: 'wrong-token-0123456789' })).status).toBe(401);
  });

  it('reads JSON bodies the same way on every route: 400 BODY_NOT_JSON, 400 BODY_INVALID with problems, 413 over 256 KB', async () => {
    for (const path of ['/api/webhooks', '/api/users', '/api/advisors', '/api/campaigns']) {
      expect((await call('POST', path, { body: '{not json' })).error.error?.code, path).toBe('BODY_NOT_JSON');
      const invalid = await call('POST', path, { body: '{"unexpected": true}' });
      expect(invalid.status, path).toBe(400);
      expect(invalid.error.error?.code, path).toBe('BODY_INVALID');
      expect(invalid.error.error?.problems?.length, path).toBeGreaterThan(0);
      const huge = await call('POST', path, { body: JSON.stringify({ text: 'x'.repeat(300 * 1024) }) });
      expect(huge.status, path).toBe(413);
      expect(huge.error.error).toMatchObject({ code: 'BODY_TOO_LARGE', message: expect.stringContaining('256 KB') });
    }
  });
});
