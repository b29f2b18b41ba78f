import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

type Operation = { summary?: string; 'x-access'?: string; 'x-required-role'?: string; security?: unknown[]; responses?: Record<string, unknown> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

let service: RunningService;
let document: Document;
beforeAll(async () => {
  service = await startTestService(isolatedEnv('openapi_document'));
  const res = await fetch(`${service.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  document = (await res.json()) as Document;
}, 120_000);
afterAll(async () => service?.stop());

/** Every method and path the app's Koa routers answer, read from the routers themselves. */
function mountedRoutes(): string[] {
  const routes = new Set<string>();
  for (const middleware of service.app.middleware as Array<{ router?: { stack: Array<{ methods: string[]; path: string | RegExp }> } }>) {
    for (const layer of middleware.router?.stack ?? []) {
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) routes.add(`${method} ${String(layer.path).replace(/[:*]([A-Za-z_]\w*)/g, '{$1}')}`);
    }
  }
  return [...routes].sort();
}

function documentedRoutes(): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('/api/openapi.json', () => {
  it('documents exactly the routes the app mounts, and nothing else', () => {
    const mounted = mountedRoutes();
    // The whole service: flows, users, sessions, campaigns, analytics, follow-up, privacy, console, WeCom, pages.
    expect(mounted.length).toBeGreaterThan(80);
    expect(documentedRoutes()).toEqual(mounted);
  });

  it('includes the advisor, console, dead-letter, customer and privacy routes', () => {
    for (const route of [
      'GET /api/advisors',
      'POST /api/advisors/{id}/token',
      'DELETE /api/advisors/{id}',
      'GET /api/console/me',
      'POST /api/console/escalations/{id}/reply',
      'GET /api/console/tasks/{id}',
      'GET /api/deadletters',
      'POST /api/deadletters/{id}/requeue',
      'DELETE /api/customers/{externalUserId}',
      'PUT /api/privacy/retention',
      'POST /api/events',
      'POST /wecom/callback',
      'GET /api/sessions/{id}',
    ]) {
      expect(documentedRoutes(), route).toContain(route);
    }
  });

  it('says who may call each route, and every operation has a summary and answers', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.summary, where).toBeTruthy();
        expect(Object.keys(operation.responses ?? {}).length, where).toBeGreaterThan(0);
        expect(['public', 'signed', 'console', 'viewer', 'editor', 'admin'], where).toContain(operation['x-access']);
        // Open routes say so (no bearer); the others name the role they need and answer 401 without it.
        if (operation['x-access'] === 'public' || operation['x-access'] === 'signed') expect(operation.security, where).toEqual([]);
        else expect(operation.responses, where).toHaveProperty('401');
      }
    }
    expect(document.paths['/api/advisors']!.get!['x-required-role']).toBe('admin');
    expect(document.paths['/api/console/escalations']!.get!['x-required-role']).toBe('advisor');
    expect(document.paths['/api/deadletters']!.get!['x-required-role']).toBe('admin');
    expect(document.paths['/api/flows/{id}/publish']!.post!['x-required-role']).toBe('admin');
    expect(document.paths['/api/events']!.post!['x-access']).toBe('signed');
  });

  it('describes inputs and answers with the same schemas the routes validate with', () => {
    const save = document.paths['/api/flows/{id}/versions']!.post! as Operation & { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } };
    expect(Object.keys(save.requestBody!.content['application/json']!.schema.properties!)).toEqual(['source', 'baseVersion', 'note']);
    expect(Object.keys(save.responses!)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '409', '413']));
    const list = document.paths['/api/sessions']!.get! as Operation & { parameters?: Array<{ name: string; in: string }> };
    expect(list.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['customer', 'flow', 'status', 'limit', 'before']));
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Error', 'ErrorWithDetails', 'Session', 'Campaign', 'AnalyticsSummary', 'FollowUpTask', 'Advisor', 'DeadLetter']));
  });
});
