import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { createApp } from '../../../src/http/createApp.ts';
import { defineRoute } from '../../../src/http/route.ts';
import { startService, type RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, isolatedEnv } from '../../support/serviceHarness.ts';

// Token guessing is braked (issue 25): failed sign-ins are counted in Redis per client address and
// per token prefix; after AUTH_FAILURE_LIMIT (10) failures from one address, requests with
// credentials from it get 429 AUTH_RATE_LIMITED with Retry-After, their token unchecked, while
// other addresses sign in as usual. Clients here really come from different loopback addresses
// (127.0.0.2, .3, …): the service reads the socket's address, not a header anyone could forge.

let service: RunningService;
let env: Record<string, string>;
const logLines: string[] = [];
const agents: Agent[] = [];

function from(address: string): Agent {
  const agent = new Agent({ localAddress: address });
  agents.push(agent);
  return agent;
}

async function call(agent: Agent, path: string, token: string): Promise<{ status: number; retryAfter?: string; code?: string }> {
  const response = await request(`${service.url}${path}`, { dispatcher: agent, headers: { authorization: `Bearer ${token}` } });
  const body = (await response.body.json()) as { error?: { code: string } };
  const retryAfter = response.headers['retry-after'];
  return { status: response.statusCode, ...(typeof retryAfter === 'string' ? { retryAfter } : {}), ...(body.error ? { code: body.error.code } : {}) };
}

const wrongToken = () => `guess-${randomBytes(12).toString('base64url')}`;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  env = isolatedEnv('signin', { LOG_LEVEL: 'info', AUTH_FAILURE_LIMIT: '10', AUTH_FAILURE_WINDOW_SECONDS: '60' });
  service = await startService(loadConfig(env), { logger: createLogger({ level: 'info', destination }) });
}, 60_000);

afterAll(async () => {
  for (const agent of agents) await agent.close();
  await service?.stop();
});

describe('the sign-in brake', () => {
  it('answers 429 with Retry-After after 10 wrong tokens from one address, and lets a right token in from another', { timeout: 60_000 }, async () => {
    const guesser = from('127.0.0.2');
    const answers: Array<Awaited<ReturnType<typeof call>>> = [];
    const tokens: string[] = [];
    for (let i = 0; i < 200; i++) {
      tokens.push(wrongToken());
      answers.push(await call(guesser, '/api/flows', tokens.at(-1)!));
    }
    expect(answers.slice(0, 10).every((a) => a.status === 401)).toBe(true);
    expect(answers.slice(10).every((a) => a.status === 429 && a.code === 'AUTH_RATE_LIMITED')).toBe(true);
    const waits = answers.slice(10).map((a) => Number(a.retryAfter));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...waits)).toBeLessThanOrEqual(60);

    // The braked address is refused even with the right token; another address is not.
    expect((await call(guesser, '/api/flows', ADMIN_TOKEN)).status).toBe(429);
    expect((await call(from('127.0.0.3'), '/api/flows', ADMIN_TOKEN)).status).toBe(200);

    // Each failure was logged as a warning with the address, never the token.
    const failures = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'sign-in failed');
    expect(failures).toHaveLength(10);
    expect(failures.every((l) => l.address === '127.0.0.2' && l.level === 40 && l.path === '/api/flows')).toBe(true);
    const logs = logLines.join('');
    for (const token of tokens) expect(logs).not.toContain(token);
    expect(logs).not.toContain(ADMIN_TOKEN);
  });

  it('holds against 200 guesses sent all at once', { timeout: 60_000 }, async () => {
    const guesser = new Agent({ localAddress: '127.0.0.10', connections: 200 });
    agents.push(guesser);
    const statuses = await Promise.all(Array.from({ length: 200 }, async () => (await call(guesser, '/api/flows', wrongToken())).status));
    // Guesses checked before the 10th failure was counted each reach the token check; on this
    // machine 11-12 do. The rest are braked.
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(40);
    expect(statuses.filter((s) => s === 429).length + statuses.filter((s) => s === 401).length).toBe(200);
  });

  it('counts the console and the dashboard too, and requests without credentials not at all', { timeout: 60_000 }, async () => {
    const guesser = from('127.0.0.4');
    for (let i = 0; i < 200; i++) expect((await request(`${service.url}/api/flows`, { dispatcher: guesser })).statusCode).toBe(401);
    const statuses: number[] = [];
    for (const path of ['/api/console/me', '/api/analytics/summary?flowId=nps-default', '/api/console/me', '/api/webhooks', '/api/console/me']) {
      for (let i = 0; i < 2; i++) statuses.push((await call(guesser, path, wrongToken())).status);
    }
    expect(statuses).toEqual(Array(10).fill(401));
    expect((await call(guesser, '/api/console/me', ADMIN_TOKEN)).status).toBe(429);
  });

  it('brakes one advisor token prefix guessed from many addresses, and nobody else', { timeout: 60_000 }, async () => {
    // 4 addresses × 8 failures stay under the per-address limit; 32 reach the prefix's 30.
    for (const address of ['127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8']) {
      const guesser = from(address);
      for (let i = 0; i < 8; i++) await call(guesser, '/api/console/me', `hfa.alice.${randomBytes(24).toString('base64url')}`);
    }
    const fresh = from('127.0.0.9');
    const braked = await call(fresh, '/api/console/me', `hfa.alice.${randomBytes(24).toString('base64url')}`);
    expect(braked).toMatchObject({ status: 429, code: 'AUTH_RATE_LIMITED' });
    expect((await call(fresh, '/api/console/me', `hfa.bob.${randomBytes(24).toString('base64url')}`)).status).toBe(401);
    expect((await call(fresh, '/api/console/me', ADMIN_TOKEN)).status).toBe(200);
  });

  it('keeps counting across processes: a second service on the same Redis sees the brake', { timeout: 60_000 }, async () => {
    const second = await startService(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { logger: createLogger({ level: 'silent' }) });
    try {
      const guesser = from('127.0.0.2');
      const response = await request(`${second.url}/api/flows`, { dispatcher: guesser, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      await response.body.dump();
      expect(response.statusCode).toBe(429);
    } finally {
      await second.stop();
    }
  });
});

describe('TRUST_PROXY', () => {
  let server: Server;
  let base = '';
  const start = async (trustProxy: number) => {
    const routes = [defineRoute({ method: 'get', path: '/ip', auth: 'public', summary: 'The client address', handler: ({ ip }) => ({ ip }) })];
    server = createApp({ logger: createLogger({ level: 'silent' }), readiness: {}, routes, trustProxy }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };
  const ipWith = async (forwarded: string) => ((await (await fetch(`${base}/ip`, { headers: { 'x-forwarded-for': forwarded } })).json()) as { ip: string }).ip;
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('ignores X-Forwarded-For by default, and with one proxy reads only the address it appended', async () => {
    await start(0);
    expect(await ipWith('203.0.113.9')).toMatch(/127\.0\.0\.1$/);
    await new Promise<void>((r) => server.close(() => r()));
    await start(1);
    // A client may send its own X-Forwarded-For; the proxy appends the address it saw, last.
    expect(await ipWith('203.0.113.9, 198.51.100.7')).toBe('198.51.100.7');
  });
});
