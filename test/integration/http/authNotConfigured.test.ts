import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, hashAdminToken } from '../../../src/http/auth.ts';
import { createApp } from '../../../src/http/createApp.ts';
import { defineRoute } from '../../../src/http/route.ts';
import { createAdminUserRepository } from '../../../src/store/mongo/adminRepository.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

// The contract the sign-in pages read: 401 AUTH_NOT_CONFIGURED while nobody could sign in at all
// (no ADMIN_TOKEN, no user ever created), UNAUTHORIZED for a wrong token once an account exists.
let stores: TestStores;
let server: Server;
let base: string;

beforeAll(async () => {
  stores = await openTestStores('authnotconfigured');
  const users = createAdminUserRepository(stores.mongo);
  const app = createApp({
    logger: stores.logger,
    readiness: { mongodb: async () => true, redis: async () => true },
    routes: [
      defineRoute({ method: 'get', path: '/private', auth: 'viewer', summary: 'private', handler: () => ({ ok: true }) }),
      defineRoute({ method: 'get', path: '/desk', auth: 'console', summary: 'console', handler: () => ({ ok: true }) }),
    ],
    auth: createAuth({ adminToken: () => undefined, users }),
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

async function codeOf(path: string, token?: string): Promise<[number, string]> {
  const res = await fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = (await res.json()) as { error?: { code: string } };
  return [res.status, body.error?.code ?? 'none'];
}

describe('sign-in answers without ADMIN_TOKEN', () => {
  it('say AUTH_NOT_CONFIGURED until an account exists, then UNAUTHORIZED for a wrong token', async () => {
    expect(await codeOf('/private', 'hf_anything-at-all-00000000000000')).toEqual([401, 'AUTH_NOT_CONFIGURED']);
    expect(await codeOf('/private')).toEqual([401, 'AUTH_NOT_CONFIGURED']);
    expect(await codeOf('/desk', 'hf_anything-at-all-00000000000000')).toEqual([401, 'AUTH_NOT_CONFIGURED']);

    await createAdminUserRepository(stores.mongo).create({ name: 'owner', role: 'admin', tokenHash: hashAdminToken('hf_the-real-one-0000000000000000'), createdBy: 'test' });
    expect(await codeOf('/private', 'hf_anything-at-all-00000000000000')).toEqual([401, 'UNAUTHORIZED']);
    expect(await codeOf('/desk', 'hf_anything-at-all-00000000000000')).toEqual([401, 'UNAUTHORIZED']);
    expect(await codeOf('/private', 'hf_the-real-one-0000000000000000')).toEqual([200, 'none']);
  });
});
