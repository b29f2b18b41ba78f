import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorRig } from '../../support/simulatorHarness.ts';

type Rig = Awaited<ReturnType<typeof startSimulatorRig>>;
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('simulator group robot webhook', () => {
  it('stores bodies and allows 20 per minute per key, then 45009', async () => {
    rig = await startSimulatorRig();
    const { sim, client, clock } = rig;
    const send = (key: string, content: string) => client.post('/cgi-bin/webhook/send', { msgtype: 'text', text: { content, mentioned_list: ['advisor1'] } }, { key });
    for (let i = 0; i < 20; i++) expect((await send('robot-a', `alert ${i}`)).errcode).toBe(0);
    expect((await send('robot-a', 'alert 20')).errcode).toBe(45009);
    expect((await send('robot-b', 'other robot')).errcode).toBe(0);
    expect(sim.robotMessages()).toHaveLength(21);
    expect(sim.robotMessages()[0]).toEqual({ msgtype: 'text', text: { content: 'alert 0', mentioned_list: ['advisor1'] } });
    clock.advance(60_001);
    expect((await send('robot-a', 'next minute')).errcode).toBe(0);
  });

  it('rejects a missing key (93000), unknown msgtype (40008) and oversize markdown', async () => {
    rig = await startSimulatorRig();
    const { client } = rig;
    expect((await client.post('/cgi-bin/webhook/send', { msgtype: 'text', text: { content: 'x' } })).errcode).toBe(93000);
    expect((await client.post('/cgi-bin/webhook/send', { msgtype: 'fax' }, { key: 'k' })).errcode).toBe(40008);
    expect((await client.post('/cgi-bin/webhook/send', { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } }, { key: 'k' })).errcode).toBe(40058);
    expect((await client.post('/cgi-bin/webhook/send', { msgtype: 'markdown', markdown: { content: '**低分预警**' } }, { key: 'k' })).errcode).toBe(0);
  });
});

describe('simulator app message/send', () => {
  it('stores bodies, reports unknown users in invaliduser and fails with 81013 when nobody is valid', async () => {
    rig = await startSimulatorRig();
    const { sim, client } = rig;
    const tok = await client.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.appSecret });
    const send = (body: unknown) => client.post('/cgi-bin/message/send', body, { access_token: String(tok.access_token) });
    const r = await send({ touser: 'advisor1|ghost', msgtype: 'text', agentid: 1000002, text: { content: '客户 wmX 给了 3 分' } });
    expect(r).toMatchObject({ errcode: 0, errmsg: 'ok', invaliduser: 'ghost' });
    expect((await send({ touser: 'ghost', msgtype: 'text', agentid: 1000002, text: { content: 'x' } })).errcode).toBe(81013);
    expect((await send({ touser: 'advisor1', msgtype: 'text', text: { content: 'x' } })).errcode).toBe(40058);
    expect(sim.appMessages()).toEqual([{ touser: 'advisor1|ghost', msgtype: 'text', agentid: 1000002, text: { content: '客户 wmX 给了 3 分' } }]);
    expect((await client.post('/cgi-bin/message/send', {}, {})).errcode).toBe(41001);
  });
});
