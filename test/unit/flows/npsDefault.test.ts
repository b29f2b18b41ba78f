import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFlow, loadFlowFile } from '../../../src/engine/index.ts';
import type { CompiledFlow } from '../../../src/engine/index.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';
import { Conversation, says } from '../engine/engineTestKit.ts';

let compiled: CompiledFlow;
beforeAll(async () => {
  const result = await loadFlowFile(fileURLToPath(new URL('../../../flows/nps-default.yaml', import.meta.url)));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  compiled = compileFlow(result.flow);
});

/** Answers the three CSAT menus by clicking (null: already answered). Scores of 3 and up: no follow-up. */
function rateTouchpoints(c: Conversation, scores: [number | null, number, number]): void {
  if (scores[0] !== null) c.send(says.click(`csat_booking__${scores[0]}`));
  c.send(says.click(`csat_advisor__${scores[1]}`));
  c.send(says.click(`csat_result__${scores[2]}`));
}

/** The awaited question as the analyser reads it, without the steps it may fill in passing. */
function shapeOf(awaiting: Conversation['last']['awaiting']) {
  if (awaiting === null) return null;
  const { passing: _passing, passingCatalog: _catalog, ...shape } = awaiting;
  return shape;
}

describe('nps-default', () => {
  it('walks a promoter through every question, one message per turn, and ends with the referral line', () => {
    const c = new Conversation(compiled, { nickname: '陈女士' });
    expect(c.text).toMatch(/^陈女士好！我是本店的回访小助手.*\n如果满分10分，您有多大可能把本店推荐给亲友/);
    c.send(says.score(10));
    expect(c.text).toBe('太感谢您的认可！这次服务中，您最满意的是哪一点？');
    c.send(says.text('顾问很耐心', { sentiment: { label: 'positive', confidence: 0.9 }, topics: ['顾问'] }));
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: expect.stringContaining('「预约流程」') });
    expect(shapeOf(c.last.awaiting)).toEqual({ stepId: 'csat_booking', question: 'csat', range: { min: 1, max: 5 } });
    // The reply may also answer the flow's fills not answered yet; their catalogue is carried once.
    expect(c.last.awaiting?.passing).toEqual([
      { stepId: 'intent', question: 'repurchase', range: { min: 0, max: 5 }, readsCatalog: true },
      { stepId: 'timing', question: 'timing', readsCatalog: true },
      { stepId: 'products', question: 'text', readsCatalog: true },
    ]);
    expect(c.last.awaiting?.passingCatalog).toEqual(compiled.flow.catalog);
    c.send(says.click('csat_booking__5', '5 非常满意'));
    expect(c.last.messages[0]).toMatchObject({ head: '收到，谢谢您！\n「顾问沟通」方面呢？' });
    c.send(says.click('csat_advisor__4'));
    c.send(says.click('csat_result__5'));
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '以后如果还有需要，您会再次选择本店吗？' });
    // Questions customers may name products in carry the clinic's catalogue to the analyser.
    expect(shapeOf(c.last.awaiting)).toEqual({ stepId: 'intent', question: 'repurchase', range: { min: 0, max: 5 }, catalog: compiled.flow.catalog });
    c.send(says.click('intent__4', '4 很可能会'));
    expect(c.text).toMatch(/大概什么时候会考虑再来/);
    expect(shapeOf(c.last.awaiting)).toEqual({ stepId: 'timing', question: 'timing', catalog: compiled.flow.catalog });
    c.send(says.text('下个月吧', { timing: { bucket: 'within_1_month', from: '2025-04-01', to: '2025-04-30' } }));
    expect(shapeOf(c.last.awaiting)).toEqual({ stepId: 'products', question: 'text', catalog: compiled.flow.catalog });
    c.send(says.text('想做个皮肤管理，有活动的话', { products: ['skin_care'], factors: ['price'] }));
    // A promoter is asked for a referral or a review (once per customer: the turn says so).
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: expect.stringContaining('推荐给身边的朋友') });
    expect(c.last.effects).toContainEqual({ type: 'asked.once', stepId: 'referral' });
    c.send(says.click('referral__review', '写个评价'));

    expect(c.last.status).toBe('completed');
    expect(c.text).toMatch(/^太感谢了！\n/);
    expect(c.text).toContain('感谢您的宝贵反馈！如果身边朋友有需要，欢迎把本店推荐给他们～祝您生活愉快！');
    expect(c.last.effects).toContainEqual({ type: 'completed', endStepId: 'thanks_promoter' });
    expect(c.turns.every((t) => t.messages.length === 1)).toBe(true);
    expect(c.turns.flatMap((t) => t.effects).filter((e) => e.type === 'escalate')).toEqual([]);
    expect(Object.keys(c.last.answers)).toEqual([
      'nps', 'reason_promoter', 'csat_booking', 'csat_advisor', 'csat_result', 'intent', 'timing', 'products', 'referral',
    ]);
    expect(c.last.answers.referral).toMatchObject({ kind: 'choice', value: 'review' });
    expect(c.last.answers.csat_advisor).toMatchObject({ value: 4, touchpoint: '顾问沟通' });
    expect(c.last.answers.timing?.extracted).toEqual({ timing: { bucket: 'within_1_month', from: '2025-04-01', to: '2025-04-30' }, products: [] });
    expect(c.last.answers.products?.extracted).toEqual({ products: ['skin_care'], factors: ['price'] });
  });

  it('keeps "都行" (open interest) with the products answer', () => {
    const c = new Conversation(compiled);
    c.send(says.score(9));
    c.send(says.text('环境好'));
    rateTouchpoints(c, [5, 5, 5]);
    c.send(says.click('intent__5'));
    c.send(says.text('随时'));
    c.send(says.text('都想试试', { openInterest: true }));
    expect(c.last.answers.products?.extracted).toEqual({ products: [], openInterest: true });
  });

  it('asks a passive what would make it a 10, without escalating', () => {
    for (const score of [7, 8]) {
      const c = new Conversation(compiled);
      c.send(says.score(score));
      expect(c.text).toBe('谢谢您的打分！要是想让您打10分，我们还需要在哪方面做得更好？');
      expect(c.last.effects.some((e) => e.type === 'escalate')).toBe(false);
    }
  });

  it('apologises to a detractor, flags an advisor, keeps surveying and ends without the referral line', () => {
    const c = new Conversation(compiled);
    c.send(says.score(2, '2分，很差'));
    expect(c.text).toBe('很抱歉这次没让您满意。方便说说是哪里做得不好吗？我们一定认真改进。');
    expect(c.last.status).toBe('active');
    expect(c.last.effects).toContainEqual(expect.objectContaining({ type: 'escalate', trigger: 'detractor', stepId: 'nps' }));
    c.send(says.text('等了一个小时', { sentiment: { label: 'negative', confidence: 0.95 } }));
    expect(c.last.effects).toContainEqual(expect.objectContaining({ type: 'escalate', trigger: 'negative', stepId: 'reason_detractor' }));
    c.send(says.click('csat_booking__2'));
    c.send(says.text('电话一直打不通'));
    rateTouchpoints(c, [null, 3, 3]);
    c.send(says.click('intent__1'));
    expect(c.text).toBe('明白了。怎样做能让您改变主意呢？有什么想法都可以直接说。');
    expect(shapeOf(c.last.awaiting)).toEqual({ stepId: 'change_mind', question: 'reason', catalog: compiled.flow.catalog });
    c.send(says.text('准时一点'));
    expect(c.text).toBe('感谢您抽空反馈，我们会认真改进。祝您生活愉快！');
    expect(c.last.effects).toContainEqual({ type: 'completed', endStepId: 'thanks' });
  });

  it('answers a CSAT of 1–2 with an apology and asks what went wrong, instead of the upbeat ack', () => {
    const c = new Conversation(compiled);
    c.send(says.score(8));
    c.send(says.text('还行，环境不错', { topics: ['环境'] }));
    c.send(says.click('csat_booking__1', '1 非常不满意'));
    expect(c.text).toBe('很抱歉预约环节让您不满意。\n方便说说预约时哪里出了问题吗？我们一定改进。');
    expect(c.text).not.toContain('收到，谢谢您');
    // A free-text question carries the flow's catalogue, so products named in it are read too.
    expect(shapeOf(c.last.awaiting)).toEqual({ stepId: 'csat_booking_issue', question: 'reason', catalog: expect.arrayContaining([expect.objectContaining({ id: 'thermage' })]) });
    c.send(says.text('电话一直占线', { sentiment: { label: 'negative', confidence: 0.8 }, topics: ['预约'] }));
    expect(c.last.answers.csat_booking_issue).toMatchObject({ value: '电话一直占线', extracted: { topics: ['预约'] } });
    // The reason is acknowledged (its topic has no line of its own: the general one).
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '您说的情况我们记下了，非常抱歉。\n「顾问沟通」方面呢？' });
    c.send(says.click('csat_advisor__2'));
    expect(c.text).toBe('很抱歉顾问的沟通让您不满意。\n方便说说沟通中哪里出了问题吗？我们一定改进。');
    c.send(says.text('不耐烦'));
    c.send(says.click('csat_result__2'));
    expect(c.text).toBe('很抱歉服务效果没能让您满意。\n方便说说效果哪里不理想吗？我们一定改进。');
    c.send(says.text('没效果'));
    expect(c.last.awaiting?.stepId).toBe('intent');
    // A 3 is not low: the usual ack and straight on.
    const d = new Conversation(compiled);
    d.send(says.score(8));
    d.send(says.text('还行，环境不错', { topics: ['环境'] }));
    d.send(says.click('csat_booking__3'));
    expect(d.last.messages[0]).toMatchObject({ head: '收到，谢谢您！\n「顾问沟通」方面呢？' });
  });

  it('asks about timing from repurchase intent 3 up, and what would change their mind below', () => {
    const at = (intent: number): string => {
      const c = new Conversation(compiled);
      c.send(says.score(8));
      c.send(says.text('还行，环境不错', { topics: ['环境'] }));
      rateTouchpoints(c, [4, 4, 4]);
      c.send(says.score(intent));
      return c.last.awaiting?.stepId ?? '';
    };
    expect([0, 1, 2, 3, 4, 5].map(at)).toEqual(['change_mind', 'change_mind', 'change_mind', 'timing', 'timing', 'timing']);
  });

  it('takes "一般般吧", "看情况" and "不一定" as answers to the repurchase question, read by the real rules', () => {
    const rules = createRuleAnalyzer();
    const answer = (text: string) => {
      const c = new Conversation(compiled);
      c.send(says.score(8));
      c.send(says.text('还行，环境不错', { topics: ['环境'] }));
      rateTouchpoints(c, [4, 4, 4]);
      const analysis = rules.read({ question: 'repurchase', text, now: new Date('2025-03-01T10:00:00+08:00'), timeZone: 'Asia/Shanghai' }).analysis;
      c.send({ type: 'user.replied', text, analysis });
      return c;
    };
    for (const [text, value, next] of [['一般般吧', 2, 'change_mind'], ['看情况', 3, 'timing'], ['不一定', 3, 'timing']] as const) {
      const c = answer(text);
      expect(c.last.answers.intent, text).toMatchObject({ value, raw: text });
      expect(c.last.awaiting?.stepId, text).toBe(next);
      expect(c.turns.at(-1)?.effects, text).toContainEqual(expect.objectContaining({ type: 'answer.recorded', stepId: 'intent', analysis: expect.objectContaining({ timing: { bucket: 'undecided', from: null, to: null } }) }));
    }
  });

  it('still gives a promoter the referral line when they will not come back soon', () => {
    const c = new Conversation(compiled);
    c.send(says.score(9));
    c.send(says.text('环境好'));
    rateTouchpoints(c, [5, 5, 5]);
    c.send(says.click('intent__2'));
    c.send(says.text('搬家了'));
    expect(c.text).toMatch(/推荐给身边的朋友/);
    c.send(says.click('referral__later', '下次吧'));
    expect(c.text).toMatch(/欢迎把本店推荐给他们/);
  });

  it('asks a promoter for a referral only once: a customer asked in an earlier session goes straight to the thanks', () => {
    const c = new Conversation(compiled, { nickname: '陈女士' }, new Date('2025-03-01T02:00:00Z'), ['referral']);
    c.send(says.score(10));
    c.send(says.text('顾问很耐心'));
    rateTouchpoints(c, [5, 5, 5]);
    c.send(says.click('intent__2'));
    c.send(says.text('搬家了'));
    expect(c.last.status).toBe('completed');
    expect(c.text).toMatch(/欢迎把本店推荐给他们/);
    expect(c.text).not.toMatch(/推荐给身边的朋友/);
    expect(c.turns.flatMap((t) => t.effects).some((e) => e.type === 'asked.once')).toBe(false);
    expect(c.last.answers.referral).toBeUndefined();
  });

  it('answers the FAQ and asks the same question again in one message', () => {
    const c = new Conversation(compiled);
    c.send(says.intent('question', '要多长时间啊'));
    expect(c.last.messages).toHaveLength(1);
    expect(c.text).toBe('一共几道小题，大约两分钟。\n如果满分10分，您有多大可能把本店推荐给亲友？直接回复0-10的数字就好。');
    c.send(says.intent('question', '你们怎么有我微信号码的'));
    expect(c.text).toMatch(/^您之前在本店预约过服务/);
    c.send(says.intent('question', '会保密吗'));
    expect(c.text).toMatch(/不会对外公开/);
    c.send(says.intent('question', '你是机器人吗'));
    expect(c.text).toMatch(/^我是本店的回访小助手/);
  });

  it('keeps the NPS question as plain text, since 0–10 needs more than the 10 items a WeCom menu holds', () => {
    const c = new Conversation(compiled);
    expect(c.last.messages[0]?.kind).toBe('text');
    c.send(says.unclear('还可以吧'));
    expect(c.text).toBe('抱歉，没太看明白。请回复0-10之间的数字，10分表示非常愿意推荐。');
  });
});
