import { encrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/core/messages.ts';
import { startHarness, type Harness } from './wecomHarness.ts';

let h: Harness;
let failOnce = new Set<string>();

beforeAll(async () => {
  h = await startHarness({
    label: 'wecom_kf',
    onInbound: async (message, inbound) => {
      // Simulates the conversation layer failing to accept once (e.g. Mongo blip).
      if (message.kind === 'text' && failOnce.delete(message.text)) throw new Error('not accepted this time');
      inbound.push(message);
    },
  });
});
afterAll(async () => h.close());

const conv = (customerId: string) => ({ channel: 'wecom-kf', accountId: h.sim.openKfId, customerId });
const textsOf = (customerId: string) =>
  h.inbound.filter((m) => m.conversation.customerId === customerId && m.kind === 'text').map((m) => (m as Extract<InboundMessage, { kind: 'text' }>).text);
const countId = (id: string) => h.inbound.filter((m) => m.id === id).length;

describe('callback → queue → sync_msg → onInbound', () => {
  it('answers URL verification over HTTP with the bare plaintext', async () => {
    expect(await h.sim.verifyCallbackUrl()).toMatchObject({ status: 200, ok: true });
    // And by hand, like the WeCom console.
    const plain = '8923471029384756';
    const echostr = encrypt(h.sim.encodingAesKey, plain, h.sim.corpId);
    const url = new URL(h.callbackUrl);
    url.searchParams.set('msg_signature', getSignature(h.sim.token, '1700000000', '99', echostr));
    url.searchParams.set('timestamp', '1700000000');
    url.searchParams.set('nonce', '99');
    url.searchParams.set('echostr', echostr);
    const started = Date.now();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(plain);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('hands a customer text on as a typed InboundMessage', async () => {
    const { msgid, callbackStatus } = await h.sim.customerSays('cust_a', '你好');
    expect(callbackStatus).toBe(200);
    await h.idle();
    const message = h.inbound.find((m) => m.id === msgid);
    expect(message).toMatchObject({ kind: 'text', text: '你好', conversation: conv('cust_a') });
    expect(message?.sentAt).toBeInstanceOf(Date);
  });

  it('answers the callback fast, before any pulling happens', async () => {
    const started = Date.now();
    const { callbackStatus } = await h.sim.customerSays('cust_fast', 'quick');
    expect(callbackStatus).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    await h.idle();
  });

  it('a callback delivered three times is handled once', async () => {
    const { msgid } = await h.sim.customerSays('cust_b', 'three times');
    expect(await h.sim.redeliverLastCallback(2)).toEqual([200, 200]);
    await h.idle();
    expect(countId(msgid)).toBe(1);
  });

  it('a message served twice by sync_msg (re-read after a crash) is handled once', async () => {
    const state = h.instances[0]!;
    const cursorKey = h.stores.keys.wecomCursor(h.sim.openKfId);
    const before = await state.redis.get(cursorKey);
    const { msgid: first } = await h.sim.customerSays('cust_c', 'first');
    await h.idle();
    // Roll the cursor back as if the process died before saving it.
    await state.redis.set(cursorKey, before!);
    const { msgid: second } = await h.sim.customerSays('cust_c', 'second');
    await h.idle();
    expect(countId(first)).toBe(1);
    expect(countId(second)).toBe(1);
    expect(textsOf('cust_c')).toEqual(['first', 'second']);
  });

  it('a message the conversation layer refuses is retried, handed on once, and order holds', async () => {
    failOnce = new Set(['wobble']);
    await h.sim.customerSays('cust_d', 'before');
    await h.sim.customerSays('cust_d', 'wobble');
    await h.sim.customerSays('cust_d', 'after');
    await h.idle();
    expect(textsOf('cust_d')).toEqual(['before', 'wobble', 'after']);
  });

  it('types menu clicks, media, entries, servicer messages and session changes', async () => {
    const c = 'cust_e';
    const { welcomeCode } = await h.sim.customerEnters(c, { scene: 'receipt', sceneParam: 'order=42' });
    await h.sim.customerSays(c, '5 分', { menuId: 'csat_5' });
    await h.sim.customerSendsImage(c);
    await h.sim.customerSendsVoice(c);
    h.sim.setServiceState(c, 3, 'advisor1');
    await h.idle();
    await h.sim.servicerSays(c, 'advisor1', '我是顾问');
    await h.idle();
    const mine = h.inbound.filter((m) => m.conversation.customerId === c);
    expect(mine.map((m) => m.kind)).toEqual(['enter_session', 'text', 'media', 'media', 'session_status', 'servicer_text']);
    expect(mine[0]).toMatchObject({ kind: 'enter_session', scene: 'receipt', sceneParam: 'order=42', welcomeCode });
    expect(mine[1]).toMatchObject({ kind: 'text', text: '5 分', menuId: 'csat_5' });
    expect(mine[2]).toMatchObject({ kind: 'media', mediaType: 'image' });
    expect(mine[3]).toMatchObject({ kind: 'media', mediaType: 'voice' });
    expect(mine[4]).toMatchObject({ kind: 'session_status', newServicerId: 'advisor1' });
    expect(mine[5]).toMatchObject({ kind: 'servicer_text', servicerId: 'advisor1', text: '我是顾问' });
  });
});

describe('ChannelPort', () => {
  it('sends the welcome through the welcome code once; a reused code is blocked, not thrown', async () => {
    const { welcomeCode } = await h.sim.customerEnters('cust_w');
    expect(welcomeCode).not.toBe('');
    const menu = { kind: 'menu' as const, head: '欢迎！请为本次服务打分', items: [1, 2, 3, 4, 5].map((n) => ({ id: `s${n}`, label: `${n}` })) };
    expect(await h.channel.port.welcome(welcomeCode, menu)).toMatchObject({ status: 'sent' });
    expect(await h.channel.port.welcome(welcomeCode, menu)).toMatchObject({ status: 'blocked', reason: 'session' });
    expect(h.sim.messagesTo('cust_w').map((m) => m.msgtype)).toEqual(['msgmenu']);
  });

  it('splits long text; every part counts; the sixth send never reaches WeCom', async () => {
    const c = 'cust_budget';
    await h.sim.customerSays(c, '在吗');
    await h.idle();
    const long = await h.channel.port.send(conv(c), { kind: 'text', text: '好'.repeat(1000) });
    expect(long).toMatchObject({ status: 'sent' });
    expect(long.status === 'sent' && long.messageIds).toHaveLength(2);
    for (let i = 0; i < 3; i++) expect(await h.channel.port.send(conv(c), { kind: 'text', text: `第${i}条` })).toMatchObject({ status: 'sent' });
    const calls = h.sim.stats().sendCalls;
    expect(await h.channel.port.send(conv(c), { kind: 'text', text: 'sixth' })).toEqual({ status: 'blocked', reason: 'budget' });
    expect(h.sim.stats().sendCalls).toBe(calls);
    expect(h.sim.messagesTo(c)).toHaveLength(5);
    // A new customer message reopens the allowance.
    await h.sim.customerSays(c, '还有问题');
    await h.idle();
    expect(await h.channel.port.send(conv(c), { kind: 'text', text: 'again' })).toMatchObject({ status: 'sent' });
  });

  it('a send replayed with the same idempotency key delivers nothing twice and costs no budget', async () => {
    const c = 'cust_idem';
    await h.sim.customerSays(c, '你好');
    await h.idle();
    const first = await h.channel.port.send(conv(c), { kind: 'text', text: '问题一' }, { idempotencyKey: 'session-1-turn-1-0' });
    const again = await h.channel.port.send(conv(c), { kind: 'text', text: '问题一' }, { idempotencyKey: 'session-1-turn-1-0' });
    expect(first).toMatchObject({ status: 'sent' });
    expect(again).toEqual(first);
    expect(h.sim.messagesTo(c).map((m) => (m.body as { content?: string }).content)).toEqual(['问题一']);
    // The replay did not use the allowance: four more distinct sends still fit.
    for (let i = 0; i < 4; i++) {
      expect(await h.channel.port.send(conv(c), { kind: 'text', text: `m${i}` }, { idempotencyKey: `k${i}` })).toMatchObject({ status: 'sent' });
    }
    expect(h.sim.messagesTo(c)).toHaveLength(5);
  });

  it('a send that reached WeCom before a crash is recognised on replay by its msgid', async () => {
    const c = 'cust_crash';
    await h.sim.customerSays(c, '你好');
    await h.idle();
    const key = 'session-2-turn-1-0';
    await h.channel.port.send(conv(c), { kind: 'text', text: '只发一次' }, { idempotencyKey: key });
    // Forget that it was sent, as if the process died right after WeCom accepted it.
    const sentKeys = await h.instances[0]!.redis.keys(`${h.stores.prefix}*sent:hk*`);
    expect(sentKeys.length).toBeGreaterThan(0);
    await h.instances[0]!.redis.del(...sentKeys);
    const replay = await h.channel.port.send(conv(c), { kind: 'text', text: '只发一次' }, { idempotencyKey: key });
    expect(replay).toMatchObject({ status: 'sent' });
    expect(h.sim.messagesTo(c)).toHaveLength(1);
  });

  it('a welcome replayed after a crash is not delivered twice, not even through send_msg', async () => {
    const { welcomeCode } = await h.sim.customerEnters('cust_wreplay');
    const hello = { kind: 'text' as const, text: '欢迎光临，想听听您的感受' };
    expect(await h.channel.port.welcome(welcomeCode, hello, { idempotencyKey: 'start-wreplay' })).toMatchObject({ status: 'sent' });
    // Forget that it was sent, as if the process died right after WeCom accepted it.
    const sentKeys = await h.instances[0]!.redis.keys(`${h.stores.prefix}*sent:hk*`);
    await h.instances[0]!.redis.del(...sentKeys);
    // The used code is refused; WeCom does not say whether it was used by us or expired.
    expect(await h.channel.port.welcome(welcomeCode, hello, { idempotencyKey: 'start-wreplay' })).toMatchObject({ status: 'blocked' });
    // The outbox then sends it normally under the same key: WeCom refuses the msgid it already took.
    expect(await h.channel.port.send(conv('cust_wreplay'), hello, { idempotencyKey: 'start-wreplay' })).toMatchObject({ status: 'sent', unconfirmed: true });
    expect(h.sim.messagesTo('cust_wreplay')).toHaveLength(1);
  });

  it('a send WeCom refused for a reason it stated is not mistaken for delivered when sent again', async () => {
    const c = 'cust_refused';
    await h.sim.customerSays(c, '你好');
    await h.idle();
    await h.channel.port.transfer(conv(c), { state: 3, servicerId: 'advisor1' });
    expect(await h.channel.port.send(conv(c), { kind: 'text', text: '稍后再发' }, { idempotencyKey: 'refused-1' })).toMatchObject({ status: 'blocked', reason: 'human' });
    await h.channel.port.transfer(conv(c), { state: 4 });
    await h.sim.customerSays(c, '又来了');
    await h.idle();
    const again = await h.channel.port.send(conv(c), { kind: 'text', text: '稍后再发' }, { idempotencyKey: 'refused-1' });
    expect(again).toMatchObject({ status: 'sent' });
    expect(again).not.toHaveProperty('unconfirmed');
    expect(h.sim.messagesTo(c).map((m) => (m.body as { content?: string }).content)).toEqual(['稍后再发']);
  });

  it('a multi-part text that does not fit the rest of the budget is not sent at all', async () => {
    const c = 'cust_fit';
    await h.sim.customerSays(c, 'hi');
    await h.idle();
    for (let i = 0; i < 4; i++) await h.channel.port.send(conv(c), { kind: 'text', text: `m${i}` });
    expect(await h.channel.port.send(conv(c), { kind: 'text', text: 'x'.repeat(3000) })).toEqual({ status: 'blocked', reason: 'budget' });
    expect(h.sim.messagesTo(c)).toHaveLength(4);
  });

  it('a person holding the session (95018) blocks without using the budget', async () => {
    const c = 'cust_human';
    await h.sim.customerSays(c, 'hi');
    h.sim.setServiceState(c, 3, 'advisor2');
    await h.idle();
    expect(await h.channel.port.send(conv(c), { kind: 'text', text: 'bot here' })).toEqual({ status: 'blocked', reason: 'human', errcode: 95018 });
    expect(await h.instances[0]!.redis.hget(h.stores.keys.wecomBudget(`wecom-kf:${h.sim.openKfId}:${c}`), 'used')).toBe('0');
  });

  it('msg_send_fail stops further sends until the customer writes again', async () => {
    const c = 'cust_fail';
    await h.sim.customerSays(c, 'hi');
    await h.idle();
    const sent = await h.channel.port.send(conv(c), { kind: 'text', text: 'one' });
    const failed = sent.status === 'sent' ? sent.messageIds[0]! : '';
    await h.sim.customerDeliveryFails(c, failed, 10);
    await h.idle();
    expect(h.inbound.find((m) => m.kind === 'send_failed' && m.conversation.customerId === c)).toMatchObject({ failedMessageId: failed, failType: 10 });
    expect(await h.channel.port.send(conv(c), { kind: 'text', text: 'two' })).toEqual({ status: 'blocked', reason: 'budget' });
  });

  it('refreshes a token WeCom invalidated mid-run, transparently', async () => {
    const c = 'cust_token';
    const before = h.sim.stats().gettokenCalls;
    h.sim.invalidateTokens();
    const { msgid } = await h.sim.customerSays(c, 'after invalidation');
    await h.idle();
    expect(countId(msgid)).toBe(1);
    expect(await h.channel.port.send(conv(c), { kind: 'text', text: 'reply' })).toMatchObject({ status: 'sent' });
    expect(h.sim.stats().gettokenCalls - before).toBe(1);
  });

  it('reads and moves the session state, and reads the customer profile', async () => {
    const c = 'cust_state';
    await h.sim.customerEnters(c, { scene: 'shop', sceneParam: 'p1', nickname: '小王' });
    await h.sim.customerSays(c, 'hi', { nickname: '小王' });
    await h.idle();
    expect(await h.channel.port.serviceState(conv(c))).toMatchObject({ state: expect.any(Number) });
    const moved = await h.channel.port.transfer(conv(c), { state: 3, servicerId: 'advisor1' });
    expect(moved.msgCode).toEqual(expect.any(String));
    expect(await h.channel.port.serviceState(conv(c))).toEqual({ state: 3, servicerId: 'advisor1' });
    expect(h.sim.serviceState(c)).toEqual({ state: 3, servicerId: 'advisor1' });
    const profile = await h.channel.port.customerProfile?.(conv(c));
    expect(profile).toMatchObject({ nickname: '小王', sceneParam: 'p1' });
    await expect(h.channel.port.transfer(conv(c), { state: 3 })).rejects.toMatchObject({ code: 'WECOM_SERVICER_REQUIRED' });
  });

  it('refuses a 0–10 menu (11 items) before calling WeCom', async () => {
    const items = Array.from({ length: 11 }, (_, n) => ({ id: `n${n}`, label: String(n) }));
    await expect(h.channel.port.send(conv('cust_a'), { kind: 'menu', items })).rejects.toMatchObject({ code: 'WECOM_MESSAGE_INVALID' });
  });
});
