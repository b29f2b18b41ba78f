import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorRig } from '../../support/simulatorHarness.ts';

type Rig = Awaited<ReturnType<typeof startSimulatorRig>>;
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const SEND = '/cgi-bin/kf/send_msg';

async function chatting(customerId: string, options: Parameters<typeof startSimulatorRig>[0] = {}) {
  rig = await startSimulatorRig(options);
  await rig.sim.customerSays(customerId, '你好');
  const r = rig;
  const text = (content: string, extra: Record<string, unknown> = {}) =>
    r.api(SEND, { touser: customerId, open_kfid: r.sim.openKfId, msgtype: 'text', text: { content }, ...extra });
  return { ...r, text };
}

function menu(items: number) {
  return {
    head_content: '您对本次服务满意吗？',
    list: Array.from({ length: items }, (_, i) => ({ type: 'click', click: { id: `s${i}`, content: `${i} 分` } })),
    tail_content: '感谢反馈',
  };
}

describe('simulator send_msg', () => {
  it('sends and records text, returning the msgid', async () => {
    const { sim, text } = await chatting('wmSend');
    const r = await text('感谢您的回复', { msgid: 'reply_001' });
    expect(r).toEqual({ errcode: 0, errmsg: 'ok', msgid: 'reply_001' });
    const generated = await text('第二条');
    expect(generated.errcode).toBe(0);
    expect(String(generated.msgid)).toMatch(/^[0-9a-zA-Z_-]{1,32}$/);
    expect(sim.messagesTo('wmSend').map((m) => [m.direction, m.origin, m.msgtype, m.body])).toEqual([
      ['out', 0, 'text', { content: '感谢您的回复' }],
      ['out', 0, 'text', { content: '第二条' }],
    ]);
    expect(sim.transcript('wmSend').map((m) => m.direction)).toEqual(['in', 'out', 'out']);
    expect(sim.stats().sendCalls).toBe(2);
  });

  it('allows 5 messages per customer message; the 6th gets 95001 until the customer writes again', async () => {
    const { sim, text } = await chatting('wmBudget');
    for (let i = 1; i <= 5; i++) expect((await text(`part ${i}`)).errcode).toBe(0);
    expect((await text('part 6')).errcode).toBe(95001);
    expect(sim.messagesTo('wmBudget')).toHaveLength(5);
    await sim.customerSays('wmBudget', '继续');
    expect((await text('part 6 again')).errcode).toBe(0);
  });

  it('answers 95018 while a person holds the session (state 2 or 3), 95013 once ended', async () => {
    const { sim, text } = await chatting('wmHuman');
    sim.setServiceState('wmHuman', 3, 'advisor1');
    expect((await text('bot here')).errcode).toBe(95018);
    sim.setServiceState('wmHuman', 2);
    expect((await text('bot here')).errcode).toBe(95018);
    sim.setServiceState('wmHuman', 4);
    expect((await text('bot here')).errcode).toBe(95013);
    expect(sim.messagesTo('wmHuman')).toEqual([]);
  });

  it('enforces the 48 h window after the last customer message (95002)', async () => {
    const { sim, clock, text, api } = await chatting('wmWindow');
    clock.advance(48 * 3600_000 - 1000);
    expect((await text('still in time')).errcode).toBe(0);
    clock.advance(2000);
    expect((await text('too late')).errcode).toBe(95002);
    await sim.customerEnters('wmNeverWrote');
    const r = await api(SEND, { touser: 'wmNeverWrote', open_kfid: sim.openKfId, msgtype: 'text', text: { content: 'hi' } });
    expect(r.errcode).toBe(95002);
  });

  it('limits text to 2048 UTF-8 bytes and rejects empty content', async () => {
    const { text } = await chatting('wmBytes');
    const exactly2048 = `${'满'.repeat(682)}ab`;
    expect(Buffer.byteLength(exactly2048)).toBe(2048);
    expect((await text(exactly2048)).errcode).toBe(0);
    expect((await text(`${exactly2048}c`)).errcode).toBe(40058);
    expect((await text('满'.repeat(683))).errcode).toBe(40058);
    expect((await text('')).errcode).toBe(44004);
  });

  it('limits menus to 10 items (95008) and known item types (95009)', async () => {
    const { sim, api } = await chatting('wmMenu');
    const send = (msgmenu: unknown) => api(SEND, { touser: 'wmMenu', open_kfid: sim.openKfId, msgtype: 'msgmenu', msgmenu });
    expect((await send(menu(11))).errcode).toBe(95008);
    expect((await send({ list: [{ type: 'button', click: { id: 'x', content: 'x' } }] })).errcode).toBe(95009);
    expect((await send({ list: [{ type: 'click', click: { id: '', content: 'x' } }] })).errcode).toBe(40058);
    expect((await send({ list: [{ type: 'click', click: { id: 'x'.repeat(65), content: 'x' } }] })).errcode).toBe(40058);
    expect((await send(menu(10))).errcode).toBe(0);
    const [sent] = sim.messagesTo('wmMenu');
    expect(sent?.msgtype).toBe('msgmenu');
    expect((sent?.body as { list: unknown[] }).list).toHaveLength(10);
  });

  it('rejects duplicate and malformed client msgids with 40058', async () => {
    const { text } = await chatting('wmDup');
    expect((await text('one', { msgid: 'same_id' })).errcode).toBe(0);
    expect((await text('two', { msgid: 'same_id' })).errcode).toBe(40058);
    expect((await text('three', { msgid: 'has space' })).errcode).toBe(40058);
    expect((await text('four', { msgid: 'x'.repeat(33) })).errcode).toBe(40058);
  });

  it('checks open_kfid (95000 malformed, 95004 unknown), touser (40096) and msgtype (40008)', async () => {
    const { sim, api } = await chatting('wmIds');
    const base = { touser: 'wmIds', open_kfid: sim.openKfId, msgtype: 'text', text: { content: 'x' } };
    expect((await api(SEND, { ...base, open_kfid: 'bogus' })).errcode).toBe(95000);
    expect((await api(SEND, { ...base, open_kfid: 'wkNotOurs0001' })).errcode).toBe(95004);
    expect((await api(SEND, { ...base, touser: 'wmStranger' })).errcode).toBe(40096);
    expect((await api(SEND, { ...base, msgtype: 'sticker' })).errcode).toBe(40008);
    expect((await api(SEND, { touser: 'wmIds', open_kfid: sim.openKfId, msgtype: 'text' })).errcode).toBe(40058);
    expect((await api(SEND, { touser: 'wmIds', msgtype: 'text', text: { content: 'x' } })).errcode).toBe(40058);
  });
});
