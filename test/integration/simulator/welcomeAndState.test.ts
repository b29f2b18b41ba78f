import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorRig, type SyncPage } from '../../support/simulatorHarness.ts';

type Rig = Awaited<ReturnType<typeof startSimulatorRig>>;
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ON_EVENT = '/cgi-bin/kf/send_msg_on_event';
const TRANS = '/cgi-bin/kf/service_state/trans';
const GET = '/cgi-bin/kf/service_state/get';

describe('simulator send_msg_on_event', () => {
  it('accepts a welcome_code once, with text or menu', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    const { welcomeCode, callbackStatus } = await sim.customerEnters('wmWelcome', { sceneParam: 'nps-default' });
    expect(callbackStatus).toBe(200);
    expect(welcomeCode).not.toBe('');
    const first = await api(ON_EVENT, {
      code: welcomeCode,
      msgtype: 'msgmenu',
      msgmenu: { head_content: '欢迎', list: [{ type: 'click', click: { id: 'start', content: '开始' } }] },
    });
    expect(first.errcode).toBe(0);
    const second = await api(ON_EVENT, { code: welcomeCode, msgtype: 'text', text: { content: '再次欢迎' } });
    expect(second.errcode).toBe(95007);
    expect(sim.messagesTo('wmWelcome').map((m) => m.msgtype)).toEqual(['msgmenu']);
  });

  it('expires the welcome_code after 20 s', async () => {
    rig = await startSimulatorRig();
    const { sim, api, clock } = rig;
    const a = await sim.customerEnters('wmLate1');
    const b = await sim.customerEnters('wmLate2');
    clock.advance(19_500);
    expect((await api(ON_EVENT, { code: a.welcomeCode, msgtype: 'text', text: { content: 'in time' } })).errcode).toBe(0);
    clock.advance(1_000);
    expect((await api(ON_EVENT, { code: b.welcomeCode, msgtype: 'text', text: { content: 'late' } })).errcode).toBe(95007);
    expect((await api(ON_EVENT, { code: 'never-issued', msgtype: 'text', text: { content: 'x' } })).errcode).toBe(95007);
  });

  it('offers no welcome_code when the customer wrote within 48 h', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    await sim.customerSays('wmRegular', 'hi');
    const { welcomeCode } = await sim.customerEnters('wmRegular');
    expect(welcomeCode).toBe('');
    const page = await api<SyncPage>('/cgi-bin/kf/sync_msg', {});
    expect(page.msg_list[1]?.event).not.toHaveProperty('welcome_code');
  });

  it('does not count the welcome against the 5-message allowance, and rejects msgtypes the code does not allow', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    const { welcomeCode } = await sim.customerEnters('wmTypes');
    expect((await api(ON_EVENT, { code: welcomeCode, msgtype: 'image', image: { media_id: 'm' } })).errcode).toBe(40008);
    expect((await api(ON_EVENT, { code: welcomeCode, msgtype: 'text', text: { content: 'ok' } })).errcode).toBe(0);
    await sim.customerSays('wmTypes', 'hello');
    for (let i = 0; i < 5; i++) {
      const r = await api('/cgi-bin/kf/send_msg', { touser: 'wmTypes', open_kfid: sim.openKfId, msgtype: 'text', text: { content: `${i}` } });
      expect(r.errcode).toBe(0);
    }
  });
});

describe('simulator service_state', () => {
  it('follows WeCom transitions and returns msg_code entering 2, 3 and 4', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    await sim.customerSays('wmFlow', 'hi');
    const ids = { open_kfid: sim.openKfId, external_userid: 'wmFlow' };
    expect(await api(GET, ids)).toEqual({ errcode: 0, errmsg: 'ok', service_state: 0, servicer_userid: '' });

    const toBot = await api(TRANS, { ...ids, service_state: 1 });
    expect(toBot).toEqual({ errcode: 0, errmsg: 'ok' });
    const toQueue = await api(TRANS, { ...ids, service_state: 2 });
    expect(toQueue.msg_code).toEqual(expect.any(String));
    expect((await api(TRANS, { ...ids, service_state: 1 })).errcode).toBe(95016);
    expect((await api(TRANS, { ...ids, service_state: 3 })).errcode).toBe(40058);
    expect((await api(TRANS, { ...ids, service_state: 3, servicer_userid: 'stranger' })).errcode).toBe(95014);
    const toPerson = await api(TRANS, { ...ids, service_state: 3, servicer_userid: 'advisor1' });
    expect(toPerson.msg_code).toEqual(expect.any(String));
    expect(await api(GET, ids)).toMatchObject({ service_state: 3, servicer_userid: 'advisor1' });
    expect((await api(TRANS, { ...ids, service_state: 2 })).errcode).toBe(95016);
    const ended = await api(TRANS, { ...ids, service_state: 4 });
    expect(ended.msg_code).toEqual(expect.any(String));
    expect((await api(TRANS, { ...ids, service_state: 1 })).errcode).toBe(95013);
    expect((await api(TRANS, { ...ids, service_state: 7 })).errcode).toBe(40058);

    // A new customer message re-opens an ended session as state 0.
    await sim.customerSays('wmFlow', 'again');
    expect(sim.serviceState('wmFlow')).toEqual({ state: 0 });
    expect((await api(TRANS, { open_kfid: sim.openKfId, external_userid: 'wmNobody', service_state: 1 })).errcode).toBe(40096);
  });

  it('emits session_status_change (origin 4) into sync_msg on moving to 3 and 4', async () => {
    rig = await startSimulatorRig();
    const { sim, api, receiver } = rig;
    await sim.customerSays('wmEvents', 'hi');
    const start = await api<SyncPage>('/cgi-bin/kf/sync_msg', {});
    const ids = { open_kfid: sim.openKfId, external_userid: 'wmEvents' };
    await api(TRANS, { ...ids, service_state: 2 });
    const picked = await api(TRANS, { ...ids, service_state: 3, servicer_userid: 'advisor2' });
    const ended = await api(TRANS, { ...ids, service_state: 4 });
    const page = await api<SyncPage>('/cgi-bin/kf/sync_msg', { cursor: start.next_cursor });
    expect(page.msg_list.map((m) => [m.origin, m.event])).toEqual([
      [4, { event_type: 'session_status_change', open_kfid: sim.openKfId, external_userid: 'wmEvents', change_type: 1, new_servicer_userid: 'advisor2', msg_code: picked.msg_code }],
      [4, { event_type: 'session_status_change', open_kfid: sim.openKfId, external_userid: 'wmEvents', change_type: 3, old_servicer_userid: 'advisor2', msg_code: ended.msg_code }],
    ]);
    // WeCom notifies the callback about the new events too.
    await receiver.waitFor(3);
  });

  it('lets a state msg_code be used once while the session stays in that state', async () => {
    rig = await startSimulatorRig();
    const { sim, api, clock } = rig;
    await sim.customerSays('wmCodes', 'hi');
    const ids = { open_kfid: sim.openKfId, external_userid: 'wmCodes' };
    const queued = await api(TRANS, { ...ids, service_state: 2 });
    expect((await api(ON_EVENT, { code: queued.msg_code, msgtype: 'msgmenu', msgmenu: { head_content: 'x', list: [] } })).errcode).toBe(40008);
    clock.advance(3600_000);
    expect((await api(ON_EVENT, { code: queued.msg_code, msgtype: 'text', text: { content: '请稍候，顾问马上来' } })).errcode).toBe(0);
    expect((await api(ON_EVENT, { code: queued.msg_code, msgtype: 'text', text: { content: 'again' } })).errcode).toBe(95007);

    const picked = await api(TRANS, { ...ids, service_state: 3, servicer_userid: 'advisor1' });
    await api(TRANS, { ...ids, service_state: 4 });
    expect((await api(ON_EVENT, { code: picked.msg_code, msgtype: 'text', text: { content: 'stale' } })).errcode).toBe(95018);
  });

  it('customer/batchget returns profiles, the entry context and invalid ids', async () => {
    rig = await startSimulatorRig();
    const { sim, api } = rig;
    await sim.customerEnters('wmProfile', { scene: 'survey', sceneParam: 'order-123', nickname: '张三' });
    const r = await api('/cgi-bin/kf/customer/batchget', { external_userid_list: ['wmProfile', 'wmGhost'], need_enter_session_context: 1 });
    expect(r.errcode).toBe(0);
    expect(r.invalid_external_userid).toEqual(['wmGhost']);
    expect(r.customer_list).toEqual([
      {
        external_userid: 'wmProfile',
        nickname: '张三',
        avatar: expect.stringMatching(/^https:\/\//),
        gender: 0,
        enter_session_context: { scene: 'survey', scene_param: 'order-123' },
      },
    ]);
    expect((await api('/cgi-bin/kf/customer/batchget', { external_userid_list: [] })).errcode).toBe(40058);
  });
});
