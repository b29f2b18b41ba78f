import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorRig } from '../../support/simulatorHarness.ts';

type Rig = Awaited<ReturnType<typeof startSimulatorRig>>;
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const STATE_GET = '/cgi-bin/kf/service_state/get';

describe('simulator gettoken and access tokens', () => {
  it('returns the same token while valid and 40001/40013 for wrong credentials', async () => {
    rig = await startSimulatorRig({ tokenTtlSeconds: 7200 });
    const { sim, client, accessToken, clock } = rig;
    clock.advance(1000 * 1000);
    const again = await client.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.kfSecret });
    expect(again).toEqual({ errcode: 0, errmsg: 'ok', access_token: accessToken, expires_in: 6200 });
    expect((await client.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: 'wrong' })).errcode).toBe(40001);
    expect((await client.get('/cgi-bin/gettoken', { corpid: 'wwother', corpsecret: sim.kfSecret })).errcode).toBe(40013);
    const app = await client.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.appSecret });
    expect(app.errcode).toBe(0);
    expect(app.access_token).not.toBe(accessToken);
    expect(sim.stats().gettokenCalls).toBe(5);
  });

  it('answers 41001 without a token and 40014 for an unknown one', async () => {
    rig = await startSimulatorRig();
    const { client } = rig;
    expect((await client.post(STATE_GET, {})).errcode).toBe(41001);
    expect((await client.post(STATE_GET, {}, { access_token: 'made-up' })).errcode).toBe(40014);
  });

  it('expires tokens after tokenTtlSeconds (42001) and then issues a new one', async () => {
    rig = await startSimulatorRig({ tokenTtlSeconds: 60 });
    const { sim, client, clock, accessToken } = rig;
    await sim.customerSays('wmTtl', 'hi');
    const body = { open_kfid: sim.openKfId, external_userid: 'wmTtl' };
    expect((await client.post(STATE_GET, body, { access_token: accessToken })).errcode).toBe(0);
    clock.advance(60_000);
    expect((await client.post(STATE_GET, body, { access_token: accessToken })).errcode).toBe(42001);
    const fresh = await client.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.kfSecret });
    expect(fresh.access_token).not.toBe(accessToken);
    expect((await client.post(STATE_GET, body, { access_token: String(fresh.access_token) })).errcode).toBe(0);
  });

  it('invalidateTokens makes old tokens fail with 40014 and gettoken hand out a new one', async () => {
    rig = await startSimulatorRig();
    const { sim, client, accessToken } = rig;
    await sim.customerSays('wmInv', 'hi');
    sim.invalidateTokens();
    expect((await client.post('/cgi-bin/kf/sync_msg', {}, { access_token: accessToken })).errcode).toBe(40014);
    const fresh = await client.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.kfSecret });
    expect(fresh.access_token).not.toBe(accessToken);
    expect((await client.post('/cgi-bin/kf/sync_msg', {}, { access_token: String(fresh.access_token) })).errcode).toBe(0);
  });
});

describe('simulator HTTP edges', () => {
  it('answers malformed JSON with errcode 47001 and HTTP 200', async () => {
    rig = await startSimulatorRig();
    const res = await rig.client.postRaw('/cgi-bin/kf/send_msg', '{"touser": "wm', { access_token: rig.accessToken });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ errcode: 47001, errmsg: 'data format error' });
    const empty = await rig.client.postRaw('/cgi-bin/kf/sync_msg', '', { access_token: rig.accessToken });
    expect(((await empty.json()) as { errcode: number }).errcode).toBe(47001);
  });

  it('answers 40058 for JSON of the wrong shape', async () => {
    rig = await startSimulatorRig();
    const r = await rig.api('/cgi-bin/kf/service_state/trans', { open_kfid: rig.sim.openKfId, external_userid: 42, service_state: 'one' });
    expect(r.errcode).toBe(40058);
    expect(r.errmsg).toMatch(/external_userid/);
    expect((await rig.api('/cgi-bin/kf/sync_msg', [1, 2])).errcode).toBe(40058);
  });

  it('requires the right method (43001 / 43002) and 404s unknown paths', async () => {
    rig = await startSimulatorRig();
    const { client, accessToken, sim } = rig;
    expect((await client.get('/cgi-bin/kf/sync_msg', { access_token: accessToken })).errcode).toBe(43002);
    const postToken = await client.post('/cgi-bin/gettoken', {}, { corpid: sim.corpId, corpsecret: sim.kfSecret });
    expect(postToken.errcode).toBe(43001);
    const res = await client.getRaw('/cgi-bin/kf/does_not_exist', { access_token: accessToken });
    expect(res.status).toBe(404);
    const outside = await fetch(`${sim.apiBase}/elsewhere`);
    expect(outside.status).toBe(404);
  });
});
