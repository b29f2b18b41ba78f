import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { createEscalationRepository } from '../../../src/store/mongo/escalationRepository.ts';
import { createSessionRepository } from '../../../src/store/mongo/sessionRepository.ts';
import { api, escalationFlowsDir, escalationOf, eventually, robotContents, type EscalationView } from '../../support/escalationHarness.ts';
import { botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
let sim: WecomSimulator;

beforeAll(async () => {
  service = await startTestService(
    isolatedEnv('esc', { FLOWS_DIR: await escalationFlowsDir(), DEFAULT_FLOW_ID: 'nps-advisors', ESCALATION_RENOTIFY_MINUTES: '60' }),
  );
  sim = service.simulator!;
});
afterAll(async () => service?.stop());

async function settled(customerId: string): Promise<EscalationView> {
  await service.idle();
  return eventually(async () => {
    const e = await escalationOf(service, customerId);
    return e && e.handover !== 'pending' && e.notifiedRounds > 0 ? e : undefined;
  }, 10_000, `escalation of ${customerId}`);
}

describe('hand-over to a person', () => {
  it('a detractor says why, then lands with advisor1 in state 3; the robot has score and reason; the bot stays silent', async () => {
    const c = customer(service, sim, 'wm_detractor');
    await c.says('你好');
    const why = await c.says('3分');
    expect(why.join()).toMatch(/抱歉.*哪里做得不好/);
    // The detractor is asked why first; nobody has the chat yet.
    expect(sim.serviceState('wm_detractor').state).not.toBe(3);

    const handed = await c.says('等了两个小时都没人理，太差了');
    expect(handed).toHaveLength(1);
    expect(handed[0]).toMatch(/同事/);
    const e = await settled('wm_detractor');
    expect(sim.serviceState('wm_detractor')).toEqual({ state: 3, servicerId: 'advisor1' });
    expect(e).toMatchObject({ trigger: 'detractor', status: 'assigned', handover: 'person', servicerId: 'advisor1', score: 3 });
    expect(e.customerWords).toContain('等了两个小时都没人理');

    const robot = await eventually(() => {
      const found = robotContents(sim.robotMessages()).find((m) => m.includes('wm＿detractor') || m.includes('微信用户'));
      return found;
    }, 10_000, 'robot message');
    expect(robot).toContain('3 分');
    expect(robot).toContain('等了两个小时都没人理');
    expect(robot).toContain('<@advisor1>');
    expect(robot).toMatch(/\/console#\/escalations\/[0-9a-f]{24}/);
    expect(robot.split('\n').filter((l) => l.startsWith('> 摘要：'))).toHaveLength(2);
    // The app message goes to the chosen advisor only.
    expect(sim.appMessages()).toEqual(expect.arrayContaining([expect.objectContaining({ touser: 'advisor1', msgtype: 'markdown' })]));

    // From now on the bot says nothing, yet every message is kept.
    expect(await c.says('人呢？')).toEqual([]);
    const detail = (await escalationOf(service, 'wm_detractor'))!;
    expect(detail.session?.status).toBe('escalated');
    expect(detail.session?.transcript.at(-1)).toMatchObject({ direction: 'in', author: 'customer', text: '人呢？' });
    // Nothing the customer answered is lost.
    expect(detail.session?.answers.nps?.value).toBe(3);
    expect(detail.session?.answers.reason_detractor?.raw).toBe('等了两个小时都没人理，太差了');
  });

  it('"转人工" at the first question hands over at once, round-robin to advisor2', async () => {
    const c = customer(service, sim, 'wm_human');
    const first = await c.says('你好');
    expect(first.join()).toMatch(/0-10/);
    const handed = await c.says('转人工');
    expect(handed.join()).toMatch(/同事/);
    const e = await settled('wm_human');
    expect(sim.serviceState('wm_human')).toEqual({ state: 3, servicerId: 'advisor2' });
    expect(e).toMatchObject({ trigger: 'intent', handover: 'person', servicerId: 'advisor2', score: null });
    expect(robotContents(sim.robotMessages()).some((m) => m.includes('客户要求人工') && m.includes('转人工'))).toBe(true);
    expect(await c.says('快点')).toEqual([]);
    // Asking again does not open a second escalation.
    const list = await api<{ items: Array<{ customerId: string }> }>(service, 'GET', '/api/console/escalations');
    expect(list.body.items.filter((i) => i.customerId === 'wm_human')).toHaveLength(1);
  });

  it('records advisor replies from the WeCom client (origin 5) in the transcript, with the first-reply time', async () => {
    await sim.servicerSays('wm_human', 'advisor2', '您好，我是顾问小李，请问有什么可以帮您？');
    await service.idle();
    await sim.customerSays('wm_human', '上次的订单有问题');
    await service.idle();
    const e = await eventually(async () => {
      const found = await escalationOf(service, 'wm_human');
      return found?.firstReplyAt ? found : undefined;
    }, 10_000, 'first reply');
    expect(e.firstReplyBy).toBe('wecom:advisor2');
    expect(e.firstReplySeconds).toBeGreaterThanOrEqual(0);
    const texts = e.session!.transcript.map((t) => `${t.author}:${t.text}`);
    expect(texts).toContain('advisor:您好，我是顾问小李，请问有什么可以帮您？');
    expect(texts.at(-1)).toBe('customer:上次的订单有问题');
    expect(botTexts(sim, 'wm_human').at(-1)).toMatch(/同事/); // still nothing from the bot
    // While advisor2 holds the chat the API cannot send; the console still has the transfer's one message.
    expect(e.reply.mode).toBe('event_code');
  });

  it('resolves and hands back to the bot, which resumes the survey where it stopped', async () => {
    const e = (await escalationOf(service, 'wm_human'))!;
    const before = botTexts(sim, 'wm_human').length;
    const resolved = await api<{ status: string; handBack: string }>(service, 'POST', `/api/console/escalations/${e.id}/resolve`, { handBack: 'resume', note: '已处理订单问题' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', handBack: 'resume' });
    await service.idle();
    // A chat held by a person can only be ended; its one-message code carries the bot's line.
    expect(sim.serviceState('wm_human').state).toBe(4);
    const back = botTexts(sim, 'wm_human').slice(before);
    expect(back).toHaveLength(1);
    expect(back[0]).toMatch(/继续/);
    expect(back[0]).toMatch(/0-10|推荐/);
    // The customer's next message reopens the chat for the bot.
    const c = customer(service, sim, 'wm_human');
    expect((await c.says('9分')).join()).toMatch(/最满意/);
    const done = (await escalationOf(service, 'wm_human', 'resolved'))!;
    expect(done.session?.status).toBe('active');
    expect(done.session?.answers.nps?.value).toBe(9);
    expect(done.actions.map((a) => a.action)).toEqual(expect.arrayContaining(['opened', 'handed_over', 'notified', 'first_reply', 'resolved']));
    expect(done.actions.find((a) => a.action === 'resolved')).toMatchObject({ by: 'admin', detail: expect.stringContaining('已处理订单问题') });
  });

  it('resolves with "finish": the bot thanks the customer and the session completes with its answers', async () => {
    const e = (await escalationOf(service, 'wm_detractor'))!;
    const before = botTexts(sim, 'wm_detractor').length;
    const resolved = await api(service, 'POST', `/api/console/escalations/${e.id}/resolve`, { handBack: 'finish' });
    expect(resolved.status).toBe(200);
    await service.idle();
    expect(botTexts(sim, 'wm_detractor').slice(before)).toEqual([expect.stringMatching(/感谢/)]);
    const done = (await escalationOf(service, 'wm_detractor', 'resolved'))!;
    expect(done.session?.status).toBe('completed');
    expect(done.session?.answers.nps?.value).toBe(3);
    // Resolving twice is refused.
    expect((await api(service, 'POST', `/api/console/escalations/${e.id}/resolve`, { handBack: 'none' })).status).toBe(409);
  });

  it('goes to the WeCom queue (state 2) when the flow has no advisors; the console gets exactly one message through the transfer code', async () => {
    await sim.customerEnters('wm_queue', { sceneParam: 'nps-queue' });
    await service.idle();
    const c = customer(service, sim, 'wm_queue');
    expect((await c.says('我要投诉，找你们经理')).join()).toMatch(/同事/);
    const e = await settled('wm_queue');
    expect(sim.serviceState('wm_queue').state).toBe(2);
    expect(e).toMatchObject({ handover: 'queue', status: 'open', servicerId: null });
    expect(e.reply).toMatchObject({ mode: 'event_code', canReply: true });

    const first = await api<{ path: string }>(service, 'POST', `/api/console/escalations/${e.id}/reply`, { text: '您好，顾问马上联系您', clientId: 'reply-000001' });
    expect(first.status).toBe(200);
    expect(first.body.path).toBe('event_code');
    expect(botTexts(sim, 'wm_queue').at(-1)).toBe('您好，顾问马上联系您');
    const second = await api<{ error: { code: string; message: string } }>(service, 'POST', `/api/console/escalations/${e.id}/reply`, { text: '还在吗', clientId: 'reply-000002' });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/企业微信/);

    const after = (await escalationOf(service, 'wm_queue'))!;
    expect(after).toMatchObject({ status: 'assigned', assignedTo: 'admin', firstReplyBy: 'admin' });
    expect(after.session?.transcript.at(-1)).toMatchObject({ author: 'advisor', text: '您好，顾问马上联系您', advisorId: 'admin' });
    // Someone picks the chat up from the queue in the WeCom client.
    sim.setServiceState('wm_queue', 3, 'advisor1');
    await service.idle();
    const picked = await eventually(async () => {
      const found = await escalationOf(service, 'wm_queue');
      return found?.servicerId === 'advisor1' ? found : undefined;
    }, 10_000, 'queue pick-up');
    expect(picked.reply.mode).toBe('wecom_client');
  });

  it('replies through kf/send_msg when no servicer holds the chat, and resolving without hand-back ends the survey quietly', async () => {
    const c = customer(service, sim, 'wm_console');
    await c.says('你好');
    await c.says('转人工');
    const e = await settled('wm_console');
    // The WeCom session ends (48 h pass, or the servicer closes it) and the customer writes again.
    sim.setServiceState('wm_console', 4);
    await service.idle();
    expect(await c.says('还有人吗')).toEqual([]);
    expect(sim.serviceState('wm_console').state).toBe(0);
    const detail = (await escalationOf(service, 'wm_console'))!;
    expect(detail.reply.mode).toBe('api');
    const sent = await api<{ path: string }>(service, 'POST', `/api/console/escalations/${e.id}/reply`, { text: '在的，请讲', clientId: 'reply-000003' });
    expect(sent.status).toBe(200);
    expect(sent.body.path).toBe('api');
    expect(botTexts(sim, 'wm_console').at(-1)).toBe('在的，请讲');

    const before = botTexts(sim, 'wm_console').length;
    expect((await api(service, 'POST', `/api/console/escalations/${e.id}/resolve`, { handBack: 'none' })).status).toBe(200);
    await service.idle();
    expect(botTexts(sim, 'wm_console')).toHaveLength(before);
    const done = (await escalationOf(service, 'wm_console', 'resolved'))!;
    expect(done.session?.status).toBe('completed');
  });

  it('a complaint in the last answer: the survey completes, the chat is queued, the customer is told through the transfer code, advisor messages are still recorded', async () => {
    await sim.customerEnters('wm_last', { sceneParam: 'csat-after-service' });
    await service.idle();
    const c = customer(service, sim, 'wm_last');
    expect((await c.says('2')).join()).toMatch(/哪里可以做得更好/);
    expect((await c.says('服务态度太差了，很生气')).join()).toMatch(/感谢/);
    const e = await settled('wm_last');
    expect(e).toMatchObject({ trigger: 'negative', handover: 'queue' });
    expect(e.session?.status).toBe('completed');
    expect(sim.serviceState('wm_last').state).toBe(2);
    // Sent with send_msg_on_event after the transfer: the API could no longer use send_msg.
    const last = sim.messagesTo('wm_last').at(-1)!;
    expect(JSON.stringify(last.body)).toMatch(/同事/);
    expect(e.actions.find((a) => a.action === 'notice')?.detail).toMatch(/转接消息码/);
    expect(e.reply.mode).toBe('queue'); // the code is spent

    sim.setServiceState('wm_last', 3, 'advisor2');
    await service.idle();
    await sim.servicerSays('wm_last', 'advisor2', '非常抱歉，我来跟进');
    await service.idle();
    const after = await eventually(async () => {
      const found = await escalationOf(service, 'wm_last');
      return found?.firstReplyAt ? found : undefined;
    }, 10_000, 'first reply after completion');
    expect(after.session?.transcript.at(-1)).toMatchObject({ author: 'advisor', text: '非常抱歉，我来跟进' });
    expect(after).toMatchObject({ status: 'assigned', servicerId: 'advisor2' });
  });

  it('opens one escalation per session however often (and however concurrently) it is raised', async () => {
    const c = customer(service, sim, 'wm_twice');
    await c.says('你好');
    await c.says('转人工');
    const first = await settled('wm_twice');
    const session = (await createSessionRepository(service.stores.mongo).findById(first.sessionId))!;
    const raise = (trigger: string) =>
      service.escalation.hooks.afterTurn({ session, escalations: [{ session, trigger, reason: `again: ${trigger}`, stepId: 'nps', advisors: ['advisor1'] }], handedOver: false });
    await Promise.all([raise('intent'), raise('intent'), raise('negative')]);
    await service.idle();
    const items = (await api<{ items: Array<{ customerId: string }> }>(service, 'GET', '/api/console/escalations')).body.items;
    expect(items.filter((i) => i.customerId === 'wm_twice')).toHaveLength(1);
    expect((await escalationOf(service, 'wm_twice'))!.actions.filter((a) => a.action === 'trigger')).toHaveLength(3);

    // Racing first opens: the unique open key lets exactly one through.
    const repo = createEscalationRepository(service.stores.mongo);
    const input = { sessionId: 'race-session', conversation: { channel: 'wecom-kf', accountId: 'wk', customerId: 'wm_race' }, conversationKey: 'wecom-kf:wk:wm_race', flowId: 'f', trigger: 'intent', reason: 'r', handover: 'pending' as const, advisors: [] };
    const results = await Promise.all(Array.from({ length: 5 }, () => repo.openOnce(input, { at: new Date(), by: 'test', action: 'opened' })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
    await repo.update(results[0]!.record.id, { status: 'resolved' });
    expect((await repo.openOnce(input, { at: new Date(), by: 'test', action: 'opened' })).created).toBe(true);
  });

  it('a hand-over job that died after placing the chat and before telling the advisors tells them when it runs again, once', async () => {
    // The state such a run leaves: the chat placed in WeCom, no notice queued, nobody told.
    const repo = createEscalationRepository(service.stores.mongo);
    const conversation = { channel: 'wecom-kf', accountId: 'wk', customerId: 'wm_placed' };
    const { record } = await repo.openOnce(
      { sessionId: 'placed-session', conversation, conversationKey: 'wecom-kf:wk:wm_placed', flowId: 'nps-advisors', trigger: 'intent', reason: '转人工', handover: 'pending', advisors: [] },
      { at: new Date(), by: 'system', action: 'opened', detail: '客户要求人工｜转人工' },
    );
    await repo.update(record.id, { handover: 'queue', wecomState: 2, handedOverAt: new Date() });
    const mentions = () => robotContents(sim.robotMessages()).filter((m) => m.includes(record.id)).length;
    expect(mentions()).toBe(0);

    for (let run = 0; run < 2; run++) await service.escalation.service.runJob({ kind: 'handover', escalationId: record.id });
    await service.escalation.whenIdle({ timeoutMs: 10_000 });
    await eventually(async () => ((await repo.findById(record.id))!.notifiedRounds > 0 ? true : undefined), 10_000, 'advisors notified');
    await eventually(() => (mentions() > 0 ? true : undefined), 10_000, 'robot message');
    expect(mentions()).toBe(1);
    expect((await repo.findById(record.id))!.handover).toBe('queue');
  });

  it('refuses console calls without a valid token', async () => {
    expect((await api(service, 'GET', '/api/console/escalations', undefined, 'nope')).status).toBe(401);
    expect((await api(service, 'GET', '/api/console/escalations', undefined, 'hfa.someone.AAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    expect((await api(service, 'GET', '/api/console/escalations/0123456789abcdef01234567')).status).toBe(404);
  });
});
