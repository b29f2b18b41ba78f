import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { createRedisInbox } from '../../../src/store/redis/redisInbox.ts';
import { api, escalationFlowsDir, escalationOf, eventually, robotContents } from '../../support/escalationHarness.ts';
import { startFaultyProxy, type FaultyProxy } from '../../support/faultyProxy.ts';
import { botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The service talks to a WeCom stand-in through a proxy that can refuse or cut chosen calls, so
// the faults are real HTTP failures between two processes' worth of code.
let service: RunningService;
let sim: WecomSimulator;
let proxy: FaultyProxy;

const SEND = /\/cgi-bin\/kf\/send_msg$/;
const SEND_ON_EVENT = /\/cgi-bin\/kf\/send_msg_on_event$/;

beforeAll(async () => {
  sim = createWecomSimulator({ retryCallbacks: true });
  const base = await sim.listen();
  proxy = await startFaultyProxy(base);
  service = await startTestService(
    isolatedEnv('faultrecovery', {
      FLOWS_DIR: await escalationFlowsDir(),
      DEFAULT_FLOW_ID: 'nps-advisors',
      WECOM_CORP_ID: sim.corpId,
      WECOM_TOKEN: sim.token,
      WECOM_ENCODING_AES_KEY: sim.encodingAesKey,
      WECOM_KF_SECRET: sim.kfSecret,
      WECOM_API_BASE: proxy.url,
      WECOM_ROBOT_WEBHOOK: `${base}/cgi-bin/webhook/send?key=sim`,
      ESCALATION_REASON_WAIT_MINUTES: '0',
    }),
  );
  sim.setCallbackUrl(`${service.url}/wecom/callback`);
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await proxy?.close();
  await sim?.close();
});

interface SessionDetail {
  id: string;
  status: string;
  answers: Record<string, { value: unknown }>;
  transcript: Array<{ author: string; text: string; delivery: string | null }>;
}

async function sessionOf(customerId: string): Promise<SessionDetail> {
  const list = await api<{ items: Array<{ id: string }> }>(service, 'GET', `/api/sessions?customer=${customerId}`);
  return (await api<SessionDetail>(service, 'GET', `/api/sessions/${list.body.items[0]!.id}`)).body;
}

describe('answers and escalations survive what else a message does', () => {
  it('keeps the score of a detractor who complains in the same message, and the advisor sees it', async () => {
    const c = customer(service, sim, 'wm_angry');
    await c.says('你好');
    const handed = await c.says('2分，太差了，我要投诉');
    expect(handed.join()).toMatch(/同事/);
    expect((await sessionOf('wm_angry')).answers.nps?.value).toBe(2);
    const e = await eventually(() => escalationOf(service, 'wm_angry'), 10_000, 'escalation');
    expect(e.score).toBe(2);
    expect(e.trigger).toBe('intent');
  });

  it('records and notifies an escalation while WeCom refuses every send, and tells the customer exactly once', async () => {
    const c = customer(service, sim, 'wm_down');
    await c.says('你好');
    proxy.add({ path: SEND, kind: 'unavailable' });
    await sim.customerSays('wm_down', '转人工');
    // The escalation is there and advisors are told although nothing could be sent by send_msg.
    const e = await eventually(async () => {
      const found = await escalationOf(service, 'wm_down');
      return found && found.notifiedRounds > 0 ? found : undefined;
    }, 15_000, 'escalation while sends fail');
    expect(e.trigger).toBe('intent');
    await eventually(() => robotContents(sim.robotMessages()).find((m) => m.includes('wm＿down') || m.includes('转人工')), 10_000, 'robot alert');
    proxy.clear();
    await service.idle(60_000);
    // The notice reached the customer once: through the transfer's one-message code, and the
    // outbox's own send (retried later) was refused because a person holds the chat.
    const notices = botTexts(sim, 'wm_down').filter((t) => /同事/.test(t));
    expect(notices).toHaveLength(1);
  }, 90_000);
});

describe('sends whose outcome was not known', () => {
  it('a reply WeCom took but whose answer was lost is not sent again, whatever errcode the repeat gets', async () => {
    const c = customer(service, sim, 'wm_lost');
    await c.says('你好');
    // The answer to the next send is lost; WeCom refuses the repeat of its msgid with an errcode
    // we have never seen (nothing may depend on the simulator's 40058).
    proxy.add({ path: SEND, kind: 'lose-answer', times: 1 });
    proxy.add({ path: SEND, kind: 'errcode', from: 40058, to: 93017, times: 1 });
    await c.says('10');
    proxy.clear();
    const texts = botTexts(sim, 'wm_lost');
    expect(texts).toHaveLength(2);
    expect(new Set(texts).size).toBe(2);
    const session = await sessionOf('wm_lost');
    expect(session.transcript.filter((t) => t.author === 'bot').map((t) => t.delivery)).toEqual(['sent', 'unconfirmed']);
  });

  it('a welcome whose first try got no answer and whose code then lapsed reaches the customer through send_msg', async () => {
    // WeCom does not answer the welcome (down), then says the code is invalid (expired meanwhile).
    proxy.add({ path: SEND_ON_EVENT, kind: 'unavailable', times: 3 });
    proxy.add({ path: SEND_ON_EVENT, kind: 'refuse', errcode: 95007, times: 1 });
    const { welcomeCode } = await sim.customerEnters('wm_welcome');
    expect(welcomeCode).not.toBe('');
    // The customer writes while the welcome is being retried, which opens send_msg's window.
    await sim.customerSays('wm_welcome', '你好');
    await service.idle(30_000);
    proxy.clear();
    const texts = botTexts(sim, 'wm_welcome');
    expect(texts[0]).toMatch(/推荐/);
    expect(texts.filter((t) => /推荐/.test(t) && /好！/.test(t))).toHaveLength(1);
  }, 60_000);
});

describe('work that would otherwise wait forever', () => {
  it('a message whose turn job was lost is found and handled without the customer writing again', async () => {
    const c = customer(service, sim, 'wm_stranded');
    await c.says('你好');
    // A message accepted into the inbox whose job is gone (e.g. it used up its retries).
    const key = `wecom-kf:${sim.openKfId}:wm_stranded`;
    const inbox = createRedisInbox(service.stores.redis, service.stores.keys);
    await inbox.push(key, JSON.stringify({ id: 'stranded-1', conversation: { channel: 'wecom-kf', accountId: sim.openKfId, customerId: 'wm_stranded' }, sentAt: new Date().toISOString(), kind: 'text', text: '9' }));
    await service.stores.redis.zadd(service.stores.keys.inboxWaiting, Date.now() - 120_000, key);
    expect(await service.conversation.resumeStranded()).toBeGreaterThanOrEqual(1);
    await service.idle();
    expect((await sessionOf('wm_stranded')).answers.nps?.value).toBe(9);
  });

  it('an unreadable inbox item is set aside for admins and the conversation goes on', async () => {
    const c = customer(service, sim, 'wm_poison');
    await c.says('你好');
    const key = `wecom-kf:${sim.openKfId}:wm_poison`;
    await service.stores.redis.rpush(service.stores.keys.inbox(key), '{"not": "a message"');
    await service.conversation.drain(key);
    const letters = await api<{ items: Array<{ id: string; conversationKey: string; error: { code: string }; status: string }> }>(service, 'GET', '/api/deadletters');
    expect(letters.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ conversationKey: key, status: 'open', error: expect.objectContaining({ code: 'INBOX_ITEM_UNREADABLE' }) })]));
    expect((await c.says('8')).join()).toMatch(/谢谢|10分/);
  });

  it('a session the engine can no longer read is closed after three tries, and the customer hears their message arrived', async () => {
    const c = customer(service, sim, 'wm_corrupt');
    await c.says('你好');
    const session = await sessionOf('wm_corrupt');
    await service.stores.mongo.collection('surveysessions').updateOne({ _id: new (await import('mongoose')).Types.ObjectId(session.id) }, { $set: { snapshot: '{"broken":' } });
    // Broken behind the service's back, so its revision ledger is dropped too: otherwise the process
    // rightly takes the revision it saved itself instead of reading the document.
    await service.stores.redis.del(service.stores.keys.sessionRev(session.id));
    const said = await c.says('9');
    await eventually(async () => ((await sessionOf('wm_corrupt')).status === 'expired' ? true : undefined), 15_000, 'session closed');
    await service.idle();
    expect([...said, ...botTexts(sim, 'wm_corrupt')].join()).toContain('收到，谢谢您！');
    const letters = await api<{ items: Array<{ conversationKey: string; error: { code: string }; attempts: number }> }>(service, 'GET', '/api/deadletters');
    expect(letters.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ conversationKey: `wecom-kf:${sim.openKfId}:wm_corrupt`, attempts: 3, error: expect.objectContaining({ code: 'SESSION_UNUSABLE' }) })]));
  });
});
