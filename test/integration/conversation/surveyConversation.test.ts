import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { adminGet, botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
let sim: WecomSimulator;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('conv'));
  sim = service.simulator!;
});
afterAll(async () => service?.stop());

interface SessionDetail {
  id: string;
  status: string;
  flowId: string;
  flowVersion: number;
  answers: Record<string, { value: unknown; raw: string; missing?: boolean; inPassing?: boolean; extracted?: Record<string, unknown> }>;
  analysis: Record<string, { sentiment?: { label: string } | null; products?: string[]; factors?: string[]; openInterest?: boolean }>;
  transcript: Array<{ direction: string; author: string; text: string; delivery?: string }>;
  escalation: { trigger: string } | null;
}

async function sessionOf(customerId: string): Promise<SessionDetail> {
  const list = await adminGet<{ items: Array<{ id: string }> }>(service, `/api/sessions?customer=${customerId}`);
  expect(list.status).toBe(200);
  const first = list.body.items[0];
  expect(first).toBeDefined();
  return (await adminGet<SessionDetail>(service, `/api/sessions/${first!.id}`)).body;
}

describe('a whole NPS survey through the WeCom simulator', () => {
  it('greets, asks NPS, follows up per group, three CSATs, repurchase, timing and thanks', async () => {
    const c = customer(service, sim, 'wm_promoter');
    const hello = await c.says('你好');
    expect(hello).toHaveLength(1);
    expect(hello[0]).toMatch(/回访小助手/);
    expect(hello[0]).toMatch(/0-10/);

    expect((await c.says('九分吧')).join()).toMatch(/最满意的是哪一点/);
    expect((await c.says('顾问很专业，耐心解释')).join()).toMatch(/预约流程/);
    expect((await c.clicks('5')).join()).toMatch(/顾问沟通/);
    expect((await c.says('满意')).join()).toMatch(/服务效果/);
    const repurchase = await c.clicks(/4/);
    expect(repurchase.join()).toMatch(/再次|回购|购买|再来/);
    await c.clicks(/5/);
    const last = await c.says('下个月吧');
    // Promoters are asked for a referral or a review (once per customer), then thanked.
    expect((await c.says('面部护理套餐')).join()).toMatch(/推荐给身边的朋友/);
    expect((await c.clicks('推荐朋友')).join()).toMatch(/太感谢了/);
    const all = c.all();
    expect(all.at(-1)).toMatch(/谢谢|感谢/);
    expect(all.join('\n')).toMatch(/推荐|分享|朋友/); // promoters get the referral line
    expect(last.length).toBeLessThanOrEqual(3);

    const session = await sessionOf('wm_promoter');
    expect(session.status).toBe('completed');
    expect(session.answers.nps?.value).toBe(9);
    expect(session.answers.csat_booking?.value).toBe(5);
    expect(session.answers.csat_advisor?.value).toBe(4);
    expect(session.transcript.filter((t) => t.direction === 'in').map((t) => t.text)).toContain('下个月吧');
    expect(session.transcript.every((t) => t.direction === 'in' || t.delivery === 'sent')).toBe(true);
  });

  it('stores the catalogue items a customer names: in the repurchase answer, the timing and the products question', async () => {
    const c = customer(service, sim, 'wm_products');
    await c.says('你好');
    await c.says('10');
    await c.says('医生很专业');
    await c.clicks('5');
    await c.clicks('5');
    await c.clicks('5');
    // Typed instead of clicked: the repurchase score and a product in one reply, which also
    // answers the products question in passing (confirmed, then not asked).
    const timing = (await c.says('会的，下次还想做熱瑪吉')).join();
    expect(timing).toMatch(/记下了：热玛吉。/);
    expect(timing).toMatch(/什么时候/);
    expect((await c.says('下个月做水光吧')).join()).toMatch(/推荐给身边的朋友/);
    expect((await c.says('下次吧')).join()).toMatch(/感谢/);

    const session = await sessionOf('wm_products');
    expect(session.status).toBe('completed');
    expect(session.answers.intent?.value).toBe(5);
    expect(session.analysis.intent).toMatchObject({ products: ['thermage'], openInterest: false });
    // The bucket of 下个月 depends on today's date (the service's real clock); the product does not.
    expect(session.analysis.timing).toMatchObject({ products: ['hydra'], timing: { from: expect.any(String) } });
    expect(session.analysis.products).toMatchObject({ products: ['thermage'] });
    expect(session.analysis.reason_promoter).toMatchObject({ products: [], factors: ['advisor'] });
    expect(session.answers.products).toMatchObject({ raw: '会的，下次还想做熱瑪吉', inPassing: true, extracted: { products: ['thermage'] } });
  });

  it('after a finished survey, a thank-you gets one closing line and does not start it again', async () => {
    const c = customer(service, sim, 'wm_promoter');
    const closing = await c.says('谢谢');
    expect(closing).toHaveLength(1);
    expect(closing[0]).toMatch(/回访已经完成/);
    expect(await c.says('好的')).toEqual([]);
    const list = await adminGet<{ items: Array<{ status: string }> }>(service, '/api/sessions?customer=wm_promoter');
    expect(list.body.items.map((s) => s.status)).toEqual(['completed']);
  });

  it('re-asks with a hint when the answer cannot be read, and a detractor is escalated', async () => {
    const c = customer(service, sim, 'wm_reask');
    await c.says('在吗');
    const reask = await c.says('嗯嗯');
    expect(reask).toHaveLength(1);
    expect(reask[0]).toMatch(/0.{0,2}10/);
    expect((await c.says('3分')).join()).toMatch(/抱歉/);
    const session = await sessionOf('wm_reask');
    expect(session.answers.nps?.value).toBe(3);
    expect(session.escalation?.trigger).toBe('detractor');
  });

  it('pauses on "later" and resumes where the customer was', async () => {
    const c = customer(service, sim, 'wm_later');
    await c.says('你好');
    await c.says('8');
    const ack = await c.says('我在开车，晚点说');
    expect(ack).toHaveLength(1);
    expect((await sessionOf('wm_later')).status).toBe('paused');
    expect((await c.says('物流太慢了')).join()).toMatch(/预约流程/);
    const session = await sessionOf('wm_later');
    expect(session.status).toBe('active');
    expect(session.answers.reason_passive?.raw).toBe('物流太慢了');
  });

  it('goes back to the previous question on "上一题"', async () => {
    const c = customer(service, sim, 'wm_back');
    await c.says('你好');
    await c.says('6');
    const back = await c.says('上一题');
    expect(back.join()).toMatch(/0-10|0到10|推荐/);
    expect((await c.says('10')).join()).toMatch(/最满意/);
    expect((await sessionOf('wm_back')).answers.nps?.value).toBe(10);
  });

  it('opt-out is confirmed once and remembered: no flow starts again until they opt back in', async () => {
    const c = customer(service, sim, 'wm_optout');
    await c.says('你好');
    const confirm = await c.says('不要再发了');
    expect(confirm).toHaveLength(1);
    expect((await sessionOf('wm_optout')).status).toBe('opted_out');
    expect(await c.says('你好')).toEqual([]);
    expect(await c.says('在吗？')).toEqual([]);
    const back = await c.says('恢复消息');
    expect(back).toHaveLength(1);
    expect(back[0]).toMatch(/恢复/);
  });

  it('hands "转人工" to a person: the customer is told, the bot then stays silent', async () => {
    const c = customer(service, sim, 'wm_human');
    await c.says('你好');
    const handed = await c.says('转人工');
    expect(handed.join()).toMatch(/同事|专人|人工/);
    expect((await sessionOf('wm_human')).status).toBe('escalated');
    expect(await c.says('还在吗')).toEqual([]);
    const session = await sessionOf('wm_human');
    expect(session.transcript.at(-1)).toMatchObject({ direction: 'in', text: '还在吗' });
  });

  it('answers a question from the FAQ and asks again', async () => {
    const c = customer(service, sim, 'wm_faq');
    await c.says('你好');
    const answer = await c.says('要多久？');
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatch(/两分钟/);
    expect(answer[0]).toMatch(/0-10|推荐/);
  });

  it('acknowledges a picture for the advisor and asks the question again, in one message', async () => {
    const c = customer(service, sim, 'wm_image');
    await c.says('你好');
    const before = sim.messagesTo('wm_image').length;
    await sim.customerSendsImage('wm_image');
    await service.idle();
    const replies = botTexts(sim, 'wm_image').slice(before);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/收到图片，我会转给顾问看看/);
    expect(replies[0]).toMatch(/0-10/);
  });

  it('without a speech endpoint, asks kindly for a typed answer to a voice note and keeps the note', async () => {
    const c = customer(service, sim, 'wm_voice_typed');
    await c.says('你好');
    const before = sim.messagesTo('wm_voice_typed').length;
    await sim.customerSendsVoice('wm_voice_typed');
    await service.idle();
    const replies = botTexts(sim, 'wm_voice_typed').slice(before);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/语音.*打字/);
    expect(replies[0]).toMatch(/0-10/);
    const kept = (await sessionOf('wm_voice_typed')).transcript.find((t) => t.text === '[语音]') as { media?: { type: string; fileId?: string } } | undefined;
    expect(kept?.media).toMatchObject({ type: 'voice' });
    expect(kept?.media?.fileId).toBeTruthy();
    await c.says('7');
    expect((await sessionOf('wm_voice_typed')).answers.nps?.value).toBe(7);
  });

  it('starts the flow named by the entry link with the welcome code', async () => {
    const { welcomeCode } = await sim.customerEnters('wm_link', { sceneParam: 'csat-after-service:winter' });
    expect(welcomeCode).not.toBe('');
    await service.idle();
    expect(sim.messagesTo('wm_link')).toHaveLength(1);
    const session = await sessionOf('wm_link');
    expect(session.flowId).toBe('csat-after-service');
  });

  it('a callback WeCom delivers three times produces one reply', async () => {
    const c = customer(service, sim, 'wm_dup');
    await c.says('你好');
    await sim.customerSays('wm_dup', '7');
    await sim.redeliverLastCallback(2);
    await service.idle();
    const session = await sessionOf('wm_dup');
    expect(session.transcript.filter((t) => t.direction === 'in' && t.text === '7')).toHaveLength(1);
    expect(sim.messagesTo('wm_dup')).toHaveLength(2);
  });

  it('refuses the sessions API without the admin token', async () => {
    expect((await fetch(`${service.url}/api/sessions`)).status).toBe(401);
    expect((await adminGet(service, '/api/sessions/000000000000000000000000')).status).toBe(404);
    expect((await adminGet(service, '/api/sessions?status=bogus')).status).toBe(400);
  });
});
