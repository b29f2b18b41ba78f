import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorRig, type SyncPage } from '../../support/simulatorHarness.ts';

type Rig = Awaited<ReturnType<typeof startSimulatorRig>>;
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const SYNC = '/cgi-bin/kf/sync_msg';

describe('simulator sync_msg', () => {
  it('pages in order with limit and cursor, has_more, and next_cursor', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    for (let i = 1; i <= 5; i++) await sim.customerSays(i % 2 ? 'wmOdd' : 'wmEven', `m${i}`);

    const p1 = await api<SyncPage>(SYNC, { limit: 2 });
    expect(p1.errcode).toBe(0);
    expect(p1.msg_list.map((m) => m.text?.content)).toEqual(['m1', 'm2']);
    expect(p1.has_more).toBe(1);
    const p2 = await api<SyncPage>(SYNC, { cursor: p1.next_cursor, limit: 2 });
    expect(p2.msg_list.map((m) => m.text?.content)).toEqual(['m3', 'm4']);
    expect(p2.has_more).toBe(1);
    const p3 = await api<SyncPage>(SYNC, { cursor: p2.next_cursor, limit: 2 });
    expect(p3.msg_list.map((m) => m.text?.content)).toEqual(['m5']);
    expect(p3.has_more).toBe(0);
    const p4 = await api<SyncPage>(SYNC, { cursor: p3.next_cursor });
    expect(p4.msg_list).toEqual([]);
    expect(p4.has_more).toBe(0);
    expect(p4.next_cursor).toBe(p3.next_cursor);

    await sim.customerSays('wmOdd', 'm6');
    const p5 = await api<SyncPage>(SYNC, { cursor: p4.next_cursor });
    expect(p5.msg_list.map((m) => m.text?.content)).toEqual(['m6']);
    expect(sim.stats().syncCalls).toBe(5);
  });

  it('shapes customer text, image and menu clicks like WeCom', async () => {
    rig = await startSimulatorRig();
    const { sim, api, clock } = rig;
    const { msgid } = await sim.customerSays('wmShape', '9', { menuId: 'score_9' });
    await sim.customerSendsImage('wmShape');
    const page = await api<SyncPage>(SYNC, {});
    const [click, image] = page.msg_list;
    expect(click).toEqual({
      msgid,
      open_kfid: sim.openKfId,
      external_userid: 'wmShape',
      send_time: Math.floor(clock.t / 1000),
      origin: 3,
      msgtype: 'text',
      text: { content: '9', menu_id: 'score_9' },
    });
    expect(image?.msgtype).toBe('image');
    expect(image?.image?.media_id).toMatch(/\S+/);
    const media = await rig.client.getRaw('/cgi-bin/media/get', { access_token: rig.accessToken, media_id: image?.image?.media_id ?? '' });
    expect(media.headers.get('content-type')).toBe('image/png');
  });

  it('shapes voice notes like WeCom (AMR) and serves an uploaded file back through media/get', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    await sim.customerSendsVoice('wmVoice');
    // The chat page's upload: base64 over /api/voice.
    const upload = Buffer.from('#!AMR\nnot really audio');
    const posted = await fetch(`${sim.apiBase}/api/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'wmVoice', dataBase64: upload.toString('base64'), contentType: 'audio/amr' }),
    });
    expect(posted.status).toBe(200);
    const page = await api<SyncPage>(SYNC, {});
    const [sample, uploaded] = page.msg_list;
    expect(sample?.msgtype).toBe('voice');
    const sampleFile = await rig.client.getRaw('/cgi-bin/media/get', { access_token: rig.accessToken, media_id: sample?.voice?.media_id ?? '' });
    expect(sampleFile.headers.get('content-type')).toBe('audio/amr');
    expect(Buffer.from(await sampleFile.arrayBuffer()).subarray(0, 6).toString('latin1')).toBe('#!AMR\n');
    const uploadedFile = await rig.client.getRaw('/cgi-bin/media/get', { access_token: rig.accessToken, media_id: uploaded?.voice?.media_id ?? '' });
    expect(Buffer.from(await uploadedFile.arrayBuffer()).equals(upload)).toBe(true);
  });

  it('puts ids of event items only inside `event`', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    const { welcomeCode } = await sim.customerEnters('wmEvent', { scene: 'survey', sceneParam: 'nps-default' });
    const page = await api<SyncPage>(SYNC, {});
    const [ev] = page.msg_list;
    expect(ev?.origin).toBe(4);
    expect(ev?.msgtype).toBe('event');
    expect(ev).not.toHaveProperty('open_kfid');
    expect(ev).not.toHaveProperty('external_userid');
    expect(ev?.event).toEqual({
      event_type: 'enter_session',
      open_kfid: sim.openKfId,
      external_userid: 'wmEvent',
      scene: 'survey',
      scene_param: 'nps-default',
      welcome_code: welcomeCode,
    });
  });

  it('returns servicer messages (origin 5) and send-fail events, but not what the bot sent', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    await sim.customerSays('wmMix', '有人吗');
    const first = await api<SyncPage>(SYNC, {});
    const sent = await api('/cgi-bin/kf/send_msg', { touser: 'wmMix', open_kfid: sim.openKfId, msgtype: 'text', text: { content: '在的' } });
    expect(sent.errcode).toBe(0);
    await sim.customerDeliveryFails('wmMix', String(sent.msgid), 4);
    sim.setServiceState('wmMix', 3, 'advisor1');
    await sim.servicerSays('wmMix', 'advisor1', '我是顾问');
    const next = await api<SyncPage>(SYNC, { cursor: first.next_cursor });
    expect(next.msg_list.map((m) => [m.origin, m.msgtype, m.event?.event_type ?? m.text?.content])).toEqual([
      [4, 'event', 'msg_send_fail'],
      [4, 'event', 'session_status_change'],
      [5, 'text', '我是顾问'],
    ]);
    expect(next.msg_list[0]?.event).toMatchObject({ fail_msgid: sent.msgid, fail_type: 4 });
    expect(next.msg_list[2]?.servicer_userid).toBe('advisor1');
    await expect(sim.servicerSays('wmMix', 'advisor2', 'not mine')).rejects.toThrow(/does not hold/);
  });

  it('accepts the callback Token for 10 minutes, then answers 95007; no token is fine', async () => {
    rig = await startSimulatorRig();
    const { sim, api, clock, receiver } = rig;
    await sim.customerSays('wmTok', 'hi');
    const [cb] = await receiver.waitFor(1);
    const token = cb?.inner.Token;
    clock.advance(9 * 60_000);
    expect((await api(SYNC, { token })).errcode).toBe(0);
    clock.advance(61_000);
    expect((await api(SYNC, { token })).errcode).toBe(95007);
    expect((await api(SYNC, { token: 'forged' })).errcode).toBe(95007);
    expect((await api(SYNC, {})).errcode).toBe(0);
  });

  it('rejects bad cursors, limits and foreign open_kfids', async () => {
    rig = await startSimulatorRig();
    const { api } = rig;
    expect((await api(SYNC, { cursor: 'garbage' })).errcode).toBe(40058);
    expect((await api(SYNC, { limit: 1001 })).errcode).toBe(40058);
    expect((await api(SYNC, { limit: 0 })).errcode).toBe(40058);
    expect((await api(SYNC, { limit: '10' })).errcode).toBe(40058);
    expect((await api(SYNC, { open_kfid: 'wkSomebodyElse' })).errcode).toBe(95004);
    expect((await api(SYNC, { open_kfid: 'nope' })).errcode).toBe(95000);
  });

  it('can serve an empty page with has_more=1 that clients must page through', async () => {
    rig = await startSimulatorRig({ emptyPageEvery: 2 });
    const { sim, api } = rig;
    await sim.customerSays('wmEmpty', 'a');
    await sim.customerSays('wmEmpty', 'b');
    const p1 = await api<SyncPage>(SYNC, { limit: 1 });
    expect(p1.msg_list).toHaveLength(1);
    const p2 = await api<SyncPage>(SYNC, { cursor: p1.next_cursor, limit: 1 });
    expect(p2.msg_list).toEqual([]);
    expect(p2.has_more).toBe(1);
    const p3 = await api<SyncPage>(SYNC, { cursor: p2.next_cursor, limit: 1 });
    expect(p3.msg_list.map((m) => m.text?.content)).toEqual(['b']);
    expect(p3.has_more).toBe(0);
  });

  it('without a cursor only replays the last 3 days', async () => {
    rig = await startSimulatorRig();
    const { sim, api, clock } = rig;
    await sim.customerSays('wmOld', 'four days ago');
    clock.advance(4 * 24 * 3600_000);
    await sim.customerSays('wmOld', 'today');
    const page = await api<SyncPage>(SYNC, {});
    expect(page.msg_list.map((m) => m.text?.content)).toEqual(['today']);
  });
});
