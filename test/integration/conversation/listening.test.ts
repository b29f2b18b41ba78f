import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
let sim: WecomSimulator;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('listen'));
  sim = service.simulator!;
});
afterAll(async () => service?.stop());

interface SessionDetail {
  id: string;
  status: string;
  askedSteps: string[];
  answers: Record<string, { value: unknown; raw: string; inPassing?: boolean; missing?: boolean }>;
  analysis: Record<string, { score?: number | null; products?: string[]; timing?: { bucket: string } | null }>;
}

async function sessionOf(customerId: string): Promise<SessionDetail> {
  const list = await adminGet<{ items: Array<{ id: string }> }>(service, `/api/sessions?customer=${customerId}`);
  return (await adminGet<SessionDetail>(service, `/api/sessions/${list.body.items[0]!.id}`)).body;
}

describe('a conversation that takes every answer whenever it is given', () => {
  it('takes the score, intent, timing and product from one message, confirms them and never asks for them again', async () => {
    const c = customer(service, sim, 'wm_talkative');
    await c.says('你好');
    const next = (await c.says('9分，下个月还想来做水光')).join('\n');
    expect(next).toMatch(/记下了：.*水光针。/);
    expect(next).toMatch(/最满意的是哪一点/);
    await c.says('顾问很专业');
    await c.clicks(/^5/);
    await c.clicks(/^5/);
    // After the last touchpoint the repurchase, timing and products questions are passed by.
    const after = (await c.clicks(/^5/)).join('\n');
    expect(after).toMatch(/推荐给身边的朋友/);
    expect(c.all().join('\n')).not.toMatch(/什么时候|哪些项目|再次选择/);
    await c.clicks('推荐朋友');

    const session = await sessionOf('wm_talkative');
    expect(session.status).toBe('completed');
    expect(session.answers.nps).toMatchObject({ value: 9 });
    expect(session.answers.intent).toMatchObject({ value: 4, inPassing: true, raw: '9分，下个月还想来做水光' });
    expect(session.answers.timing).toMatchObject({ inPassing: true, raw: '9分，下个月还想来做水光' });
    expect(session.answers.products).toMatchObject({ inPassing: true });
    expect(session.analysis.products?.products).toEqual(['hydra']);
    expect(session.analysis.timing?.timing?.bucket).toEqual(expect.any(String));
    // What was really asked: the skipped questions are not in it.
    expect(session.askedSteps).toEqual(['nps', 'reason_promoter', 'csat_booking', 'csat_advisor', 'csat_result', 'referral']);
  });

  it('counts answers given out of order in analytics exactly as if asked', async () => {
    const res = await adminGet<{
      repurchase: { n: number; timing: Record<string, number>; products: Array<{ id: string; n: number }> };
      funnel: Array<{ stepId: string; reached: number; answered: number }>;
    }>(service, '/api/analytics/summary?flowId=nps-default');
    expect(res.status).toBe(200);
    expect(res.body.repurchase.n).toBe(1);
    expect(Object.values(res.body.repurchase.timing).reduce((a, b) => a + b, 0)).toBe(1);
    expect(res.body.repurchase.products.find((p) => p.id === 'hydra')?.n).toBe(1);
    const funnel = Object.fromEntries(res.body.funnel.map((f) => [f.stepId, f]));
    for (const step of ['intent', 'timing', 'products']) expect(funnel[step]).toMatchObject({ reached: 1, answered: 1 });
  });

  it('asks a terse customer every question, and probes a vague reason once', async () => {
    const c = customer(service, sim, 'wm_terse');
    await c.says('你好');
    await c.says('8');
    expect((await c.says('还行')).join()).toBe('是哪方面还差一点呢？环境、服务还是效果？');
    expect((await c.says('服务')).join()).toMatch(/预约流程/);
    await c.clicks(/^4/);
    await c.clicks(/^4/);
    expect((await c.clicks(/^4/)).join()).toMatch(/再次选择/);
    await c.clicks(/^4/);
    await c.says('下个月');
    await c.says('水光');
    const session = await sessionOf('wm_terse');
    expect(session.status).toBe('completed');
    expect(Object.values(session.answers).some((a) => a.inPassing)).toBe(false);
    // The vague reply and the answer to the probe make one reason.
    expect(session.answers.reason_passive).toMatchObject({ value: '还行；服务' });
    expect(session.askedSteps).toEqual(['nps', 'reason_passive', 'csat_booking', 'csat_advisor', 'csat_result', 'intent', 'timing', 'products']);
  });

  it('takes the reason an angry customer gives with the score and does not ask it again', async () => {
    const c = customer(service, sim, 'wm_angry');
    await c.says('你好');
    const next = (await c.says('2分，等了一个小时，太差了')).join('\n');
    // A detractor who said why is handed to a person at once (ESCALATION_REASON_WAIT_MINUTES waits only for the reason).
    expect(next).toMatch(/转接同事/);
    expect(next).not.toMatch(/哪里做得不好/);
    const session = await sessionOf('wm_angry');
    expect(session.answers.reason_detractor).toMatchObject({ raw: '2分，等了一个小时，太差了', inPassing: true });
    expect(session.askedSteps).not.toContain('reason_detractor');
  });

  it('answers a question mid-survey from the FAQ, then asks the same question again', async () => {
    const c = customer(service, sim, 'wm_asks');
    await c.says('你好');
    const answer = (await c.says('你是机器人吗？')).join('\n');
    expect(answer).toMatch(/回访小助手/);
    expect(answer).toMatch(/0-10/);
    // No FAQ entry: an honest "I can't answer that", and the survey goes on where it was.
    const unknown = (await c.says('你们周末营业吗？')).join('\n');
    expect(unknown).toMatch(/暂时回答不了/);
    expect(unknown).toMatch(/0-10/);
  });
});

