import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuth } from '../../../src/http/auth.ts';
import { createApp } from '../../../src/http/createApp.ts';
import { readJsonBody } from '../../../src/http/readBody.ts';
import { defineRoute } from '../../../src/http/route.ts';
import { NotFoundError } from '../../../src/core/errors.ts';
import { createAdminUserRepository } from '../../../src/store/mongo/adminRepository.ts';
import { pingMongo } from '../../../src/store/mongo/connectMongo.ts';
import { pingRedis } from '../../../src/store/redis/connectRedis.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

let stores: TestStores;
let server: Server;
let base: string;
let redisUp = true;

beforeAll(async () => {
  stores = await openTestStores('http');
  const routes = [
    // A handler may read its body itself with another cap.
    defineRoute({ method: 'post', path: '/echo', auth: 'public', summary: 'echo', handler: ({ stream }) => readJsonBody(stream, z.object({ name: z.string().min(1) }), { limit: '1kb' }) }),
    defineRoute({
      method: 'get',
      path: '/missing',
      auth: 'public',
      summary: 'missing',
      handler: () => {
        throw new NotFoundError('THING_NOT_FOUND', 'No such thing');
      },
    }),
    defineRoute({
      method: 'get',
      path: '/crash',
      auth: 'public',
      summary: 'crash',
      handler: () => {
        throw new Error('secret internal detail');
      },
    }),
    defineRoute({ method: 'get', path: '/private', auth: 'admin', summary: 'private', handler: () => ({ ok: true }) }),
  ];
  const app = createApp({
    logger: stores.logger,
    readiness: { mongodb: () => pingMongo(stores.mongo), redis: async () => redisUp && pingRedis(stores.redis) },
    routes,
    auth: createAuth({ adminToken: () => 'a-long-admin-token-123', users: createAdminUserRepository(stores.mongo) }),
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await stores.close();
});

describe('HTTP app', () => {
  it('answers /healthz and /readyz with the checks of real MongoDB and Redis', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { mongodb: true, redis: true } });
  });

  it('answers /readyz 503 naming the dependency that is down', async () => {
    redisUp = false;
    try {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ down: ['redis'] });
    } finally {
      redisUp = true;
    }
  });

  it('gives typed errors a status and stable code, and hides internal messages', async () => {
    const missing = await fetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'THING_NOT_FOUND', message: 'No such thing' } });
    const crash = await fetch(`${base}/crash`);
    expect(crash.status).toBe(500);
    const body = await crash.text();
    expect(body).not.toContain('secret internal detail');
    expect(JSON.parse(body)).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } });
  });

  it('sets a request id, echoing a well-formed incoming one', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    const fresh = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('limits, parses and validates JSON bodies', async () => {
    const post = (body: string) => fetch(`${base}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(await (await post('{"name":"回访"}')).json()).toEqual({ name: '回访' });
    const bad = await post('{not json');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BODY_NOT_JSON');
    const invalid = await post('{"name":""}');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('BODY_INVALID');
    const huge = await post(JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE');
    // The server is unharmed afterwards.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('refuses requests without the right bearer token', async () => {
    expect((await fetch(`${base}/private`)).status).toBe(401);
    expect((await fetch(`${base}/private`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${base}/private`, { headers: { authorization: 'Bearer a-long-admin-token-123' } });
    expect(ok.status).toBe(200);
  });
});
