import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKfClient, type KfClient } from '../../../src/channels/wecom/kfClient.ts';
import { WecomApiError, WecomUnavailableError } from '../../../src/channels/wecom/wecomErrors.ts';
import { createRedisWecomState } from '../../../src/store/redis/redisWecomState.ts';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

// A scripted stand-in for WeCom: each test queues the answers the next calls get.
type Answer = { status?: number; json?: unknown; raw?: string; hang?: boolean };
let script: Answer[] = [];
const seen: { path: string; token: string | null; body: string }[] = [];
let stub: Server;
let stubBase: string;
let stores: TestStores;
let sim: WecomSimulator;

beforeAll(async () => {
  stores = await openTestStores('wecom_client');
  stub = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      seen.push({ path: url.pathname, token: url.searchParams.get('access_token'), body: Buffer.concat(chunks).toString('utf8') });
      if (url.pathname === '/cgi-bin/gettoken') {
        res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: `tok${seen.filter((s) => s.path === '/cgi-bin/gettoken').length}`, expires_in: 7200 }));
        return;
      }
      const answer = script.shift() ?? { json: { errcode: 0, errmsg: 'ok' } };
      if (answer.hang) return; // never answers: the client's timeout must fire
      res.statusCode = answer.status ?? 200;
      res.end(answer.raw ?? JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  stubBase = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  sim = createWecomSimulator();
  await sim.listen();
});

afterAll(async () => {
  stub.closeAllConnections();
  await new Promise((r) => stub.close(r));
  await sim.close();
  await stores.close();
});

let counter = 0;
function stubClient(options: { timeoutMs?: number; retries?: number } = {}): KfClient {
  // A fresh corp id per client, so each test starts without a cached token.
  return createKfClient({
    corpId: `wwstub${++counter}`,
    secret: 's',
    apiBase: stubBase,
    tokens: createRedisWecomState(stores.redis, stores.keys).tokens,
    logger: stores.logger,
    retryDelayMs: 5,
    ...options,
  });
}

beforeEach(() => {
  script = [];
  seen.length = 0;
});

describe('KfClient retry and error rules', () => {
  it('retries -1, 45009 and 45033 with backoff, then succeeds', async () => {
    script = [{ json: { errcode: -1, errmsg: 'system busy' } }, { json: { errcode: 45033, errmsg: 'concurrent' } }, { json: { errcode: 0, errmsg: 'ok', service_state: 1 } }];
    const client = stubClient();
    await expect(client.getServiceState({ openKfId: 'wk1', externalUserId: 'wm1' })).resolves.toEqual({ state: 1, servicerId: undefined });
    expect(seen.filter((s) => s.path === '/cgi-bin/kf/service_state/get')).toHaveLength(3);
  });

  it('gives up after the bounded retries with a typed error', async () => {
    script = Array.from({ length: 5 }, () => ({ json: { errcode: 45009, errmsg: 'api freq out of limit' } }));
    const client = stubClient({ retries: 2 });
    const error = await client.getServiceState({ openKfId: 'wk1', externalUserId: 'wm1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WecomApiError);
    expect(error).toMatchObject({ code: 'WECOM_API_ERROR', errcode: 45009, errmsg: 'api freq out of limit', path: '/cgi-bin/kf/service_state/get' });
    expect(seen.filter((s) => s.path === '/cgi-bin/kf/service_state/get')).toHaveLength(3);
  });

  it('does not retry other errcodes', async () => {
    script = [{ json: { errcode: 95000, errmsg: 'invalid open_kfid' } }];
    const client = stubClient();
    await expect(client.getServiceState({ openKfId: 'bad', externalUserId: 'wm1' })).rejects.toMatchObject({ errcode: 95000 });
    expect(seen.filter((s) => s.path === '/cgi-bin/kf/service_state/get')).toHaveLength(1);
  });

  it('times out a hanging call, retries HTTP 5xx and non-JSON, then reports WECOM_UNAVAILABLE', async () => {
    script = [{ hang: true }, { status: 502, raw: 'bad gateway' }, { raw: '<html>' }];
    const client = stubClient({ timeoutMs: 200, retries: 2 });
    const started = Date.now();
    const error = await client.getServiceState({ openKfId: 'wk1', externalUserId: 'wm1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WecomUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refreshes the token once on 40014/42001 and retries the call', async () => {
    script = [{ json: { errcode: 42001, errmsg: 'access_token expired' } }, { json: { errcode: 0, errmsg: 'ok', msg_code: 'MC' } }];
    const client = stubClient();
    await expect(client.transferServiceState({ openKfId: 'wk1', externalUserId: 'wm1', state: 4 })).resolves.toEqual({ msgCode: 'MC' });
    const calls = seen.filter((s) => s.path === '/cgi-bin/kf/service_state/trans');
    expect(calls.map((c) => c.token)).toEqual(['tok1', 'tok2']);
  });

  it('refreshes only once: a second 40014 is a typed error', async () => {
    script = [{ json: { errcode: 40014, errmsg: 'invalid access_token' } }, { json: { errcode: 40014, errmsg: 'invalid access_token' } }];
    const client = stubClient();
    await expect(client.getServiceState({ openKfId: 'wk1', externalUserId: 'wm1' })).rejects.toMatchObject({ errcode: 40014 });
  });

  it('rejects a success answer of the wrong shape (zod at the boundary)', async () => {
    script = [{ json: { errcode: 0, errmsg: 'ok', service_state: 'three' } }];
    await expect(stubClient().getServiceState({ openKfId: 'wk1', externalUserId: 'wm1' })).rejects.toBeInstanceOf(WecomUnavailableError);
  });
});

describe('KfClient against the simulator', () => {
  function simClient(secret = sim.kfSecret): KfClient {
    return createKfClient({
      corpId: sim.corpId,
      secret,
      apiBase: sim.apiBase,
      tokens: createRedisWecomState(stores.redis, stores.keys).tokens,
      logger: stores.logger,
    });
  }

  it('fetches a voice note through media/get as bytes with its type; an unknown id is a typed 40007', async () => {
    const amr = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(64, 0x3c)]);
    await sim.customerSendsVoice('wmMediaGet', { data: amr, contentType: 'audio/amr' });
    const page = await simClient().syncMessages({});
    const item = page.items.find((i) => (i as { external_userid?: string }).external_userid === 'wmMediaGet') as { voice: { media_id: string } };
    const file = await simClient().getMedia(item.voice.media_id);
    expect(file.contentType).toBe('audio/amr');
    expect(file.data.equals(amr)).toBe(true);
    await expect(simClient().getMedia('no-such-media')).rejects.toMatchObject({ errcode: 40007, path: '/cgi-bin/media/get' });
  });

  it('a wrong secret is a typed 40001', async () => {
    await expect(simClient('wrong').getAccessToken()).rejects.toMatchObject({ errcode: 40001, path: '/cgi-bin/gettoken' });
  });

  it('sends app messages with the app secret and robot messages by webhook key', async () => {
    const app = simClient(sim.appSecret);
    const result = await app.sendAppMessage({ touser: 'advisor1', msgtype: 'text', agentid: 1000002, text: { content: '新的差评' } });
    expect(result.invalidUser).toBeUndefined();
    expect(sim.appMessages()).toHaveLength(1);
    await app.sendWebhook({ key: 'robot-1' }, { msgtype: 'text', text: { content: '今日 NPS 汇总' } });
    await app.sendWebhook({ url: `${sim.apiBase}/cgi-bin/webhook/send?key=robot-1` }, { msgtype: 'markdown', markdown: { content: '**x**' } });
    expect(sim.robotMessages()).toHaveLength(2);
    await expect(app.sendWebhook({ key: '' }, { msgtype: 'text', text: { content: 'x' } })).rejects.toMatchObject({ errcode: 93000 });
  });

  it('shares one cached token between clients of the same secret', async () => {
    const before = sim.stats().gettokenCalls;
    const a = simClient();
    const b = simClient();
    await Promise.all([a.getAccessToken(), b.getAccessToken(), a.getAccessToken()]);
    expect(sim.stats().gettokenCalls - before).toBeLessThanOrEqual(1);
  });
});
