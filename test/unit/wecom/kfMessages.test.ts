import { describe, expect, it } from 'vitest';
import { convertKfItem, renderKfMessage } from '../../../src/channels/wecom/kfMessages.ts';
import { utf8Length } from '../../../src/channels/wecom/splitUtf8.ts';

const conversation = { channel: 'wecom-kf', accountId: 'wkACCOUNT', customerId: 'wmCUSTOMER' };
const sentAt = new Date(1_700_000_000_000);
const top = { open_kfid: 'wkACCOUNT', external_userid: 'wmCUSTOMER', send_time: 1_700_000_000 };

describe('convertKfItem', () => {
  it('customer text (origin 3) reopens the budget', () => {
    expect(convertKfItem({ msgid: 'm1', ...top, origin: 3, msgtype: 'text', text: { content: '9分' } })).toEqual({
      kind: 'message',
      fromCustomer: true,
      sendFailed: false,
      message: { id: 'm1', conversation, sentAt, kind: 'text', text: '9分' },
    });
  });

  it('menu click keeps menu_id', () => {
    const out = convertKfItem({ msgid: 'm2', ...top, origin: 3, msgtype: 'text', text: { content: '满意', menu_id: 'q1_4' } });
    expect(out.kind === 'message' && out.message).toMatchObject({ kind: 'text', text: '满意', menuId: 'q1_4' });
  });

  it('voice notes and pictures are media messages with their media id', () => {
    for (const msgtype of ['image', 'voice'] as const) {
      const out = convertKfItem({ msgid: `m-${msgtype}`, ...top, origin: 3, msgtype, [msgtype]: { media_id: 'MEDIA1' } });
      expect(out).toMatchObject({ kind: 'message', fromCustomer: true, message: { kind: 'media', mediaType: msgtype, mediaId: 'MEDIA1' } });
    }
  });

  it('other kinds are unsupported, still from the customer', () => {
    for (const msgtype of ['video', 'file', 'location', 'link', 'miniprogram', 'business_card', 'channels_shop_product']) {
      const out = convertKfItem({ msgid: `m-${msgtype}`, ...top, origin: 3, msgtype, [msgtype]: { media_id: 'x' } });
      expect(out).toMatchObject({ kind: 'message', fromCustomer: true, message: { kind: 'unsupported', msgType: msgtype } });
    }
  });

  it('enter_session reads scene, scene_param and welcome_code from inside event', () => {
    const raw = {
      msgid: 'e1',
      send_time: 1_700_000_000,
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'enter_session', open_kfid: 'wkACCOUNT', external_userid: 'wmCUSTOMER', scene: 'store', scene_param: 'order%3D42', welcome_code: 'WC1' },
    };
    expect(convertKfItem(raw)).toEqual({
      kind: 'message',
      fromCustomer: false,
      sendFailed: false,
      message: { id: 'e1', conversation, sentAt, kind: 'enter_session', scene: 'store', sceneParam: 'order%3D42', welcomeCode: 'WC1' },
    });
  });

  it('servicer text (origin 5) carries the servicer id; servicer media is skipped', () => {
    const out = convertKfItem({ msgid: 's1', ...top, origin: 5, servicer_userid: 'zhangsan', msgtype: 'text', text: { content: '您好' } });
    expect(out).toMatchObject({ kind: 'message', fromCustomer: false, message: { kind: 'servicer_text', servicerId: 'zhangsan', text: '您好' } });
    expect(convertKfItem({ msgid: 's2', ...top, origin: 5, msgtype: 'image', image: {} }).kind).toBe('skip');
  });

  it('msg_send_fail marks a stop', () => {
    const raw = {
      msgid: 'f1',
      send_time: 1_700_000_000,
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'msg_send_fail', open_kfid: 'wkACCOUNT', external_userid: 'wmCUSTOMER', fail_msgid: 'hf123', fail_type: 6 },
    };
    expect(convertKfItem(raw)).toMatchObject({ kind: 'message', sendFailed: true, message: { kind: 'send_failed', failedMessageId: 'hf123', failType: 6 } });
  });

  it('session_status_change keeps servicers and msg_code', () => {
    const raw = {
      msgid: 'c1',
      send_time: 1_700_000_000,
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'session_status_change', open_kfid: 'wkACCOUNT', external_userid: 'wmCUSTOMER', change_type: 3, old_servicer_userid: 'li', msg_code: 'MC' },
    };
    expect(convertKfItem(raw)).toMatchObject({
      kind: 'message',
      message: { kind: 'session_status', changeType: 3, oldServicerId: 'li', msgCode: 'MC' },
    });
  });

  it('skips unknown events, events without ids, and malformed items', () => {
    expect(convertKfItem({ msgid: 'x', send_time: 1, origin: 4, msgtype: 'event', event: { event_type: 'servicer_status_change', servicer_userid: 'a', status: 1 } }).kind).toBe('skip');
    expect(convertKfItem({ msgid: 'x', send_time: 1, origin: 4, msgtype: 'event', event: { event_type: 'enter_session' } }).kind).toBe('skip');
    expect(convertKfItem({ msgid: 'x', origin: 3 })).toMatchObject({ kind: 'skip', msgId: 'x' });
    expect(convertKfItem(null).kind).toBe('skip');
    expect(convertKfItem({ msgid: 'x', ...top, origin: 4, msgtype: 'text', text: { content: 'system' } }).kind).toBe('skip');
  });
});

describe('renderKfMessage', () => {
  it('splits long text into 2048-byte text messages', () => {
    const parts = renderKfMessage({ kind: 'text', text: '好'.repeat(1500) });
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.msgtype).toBe('text');
      if (part.msgtype === 'text') expect(utf8Length(part.text.content)).toBeLessThanOrEqual(2048);
    }
  });

  it('renders a 1–5 scale as one menu with click items', () => {
    const items = [1, 2, 3, 4, 5].map((n) => ({ id: `csat_${n}`, label: `${n} 分` }));
    expect(renderKfMessage({ kind: 'menu', head: '请打分', items, tail: '也可直接回复数字' })).toEqual([
      {
        msgtype: 'msgmenu',
        msgmenu: {
          head_content: '请打分',
          list: items.map((i) => ({ type: 'click', click: { id: i.id, content: i.label } })),
          tail_content: '也可直接回复数字',
        },
      },
    ]);
  });

  it('refuses more than 10 items (a 0–10 scale must be sent as text) and bad ids', () => {
    const eleven = Array.from({ length: 11 }, (_, n) => ({ id: `n${n}`, label: String(n) }));
    expect(() => renderKfMessage({ kind: 'menu', items: eleven })).toThrow(RangeError);
    expect(() => renderKfMessage({ kind: 'menu', items: [] })).toThrow(RangeError);
    expect(() => renderKfMessage({ kind: 'menu', items: [{ id: 'has space', label: 'x' }] })).toThrow(RangeError);
    expect(() => renderKfMessage({ kind: 'menu', items: [{ id: 'x'.repeat(65), label: 'x' }] })).toThrow(RangeError);
  });

  it('sends an over-long menu head as text first and truncates long labels', () => {
    const parts = renderKfMessage({ kind: 'menu', head: '说'.repeat(400), items: [{ id: 'a', label: '长'.repeat(60) }] });
    expect(parts.map((p) => p.msgtype)).toEqual(['text', 'msgmenu']);
    const menu = parts[1];
    if (menu?.msgtype !== 'msgmenu') throw new Error('expected a menu');
    expect(menu.msgmenu.head_content).toBeUndefined();
    const entry = menu.msgmenu.list[0];
    expect(entry?.type === 'click' && utf8Length(entry.click.content)).toBeLessThanOrEqual(128);
  });
});
