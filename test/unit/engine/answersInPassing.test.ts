import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/core/analysis.ts';
import type { EngineEvent } from '../../../src/engine/index.ts';
import { analysis, compileYaml, Conversation, says } from './engineTestKit.ts';

const flowYaml = (extra = '') => `
schemaVersion: 1
id: passing-test
version: 1
title: 顺带回答
catalog:
  - { id: hydra, name: 水光针 }
fills:
  - { step: nps, from: score }
  - { step: advisor, from: score, topics: [专业度] }
  - { step: intent, from: score }
  - { step: timing, from: timing }
  - { step: products, from: products }
steps:
  - { id: nps, kind: nps, text: 推荐几分？, branch: [{ when: { step: nps, gte: 9 }, goto: why_high }], default: why_low }
  - { id: why_high, kind: text, question: reason, text: 最满意哪一点？, next: advisor }
  - { id: why_low, kind: text, question: reason, text: 哪里不好？, next: advisor }
  - { id: advisor, kind: csat, touchpoint: 顾问沟通, text: 顾问沟通满意吗？ }
  - { id: intent, kind: repurchase, text: 还会再来吗？, branch: [{ when: { step: intent, gte: 3 }, goto: timing }], default: bye }
  - { id: timing, kind: text, question: timing, extract: [timing, products], text: 大概什么时候再来？${extra} }
  - { id: products, kind: text, extract: [products], text: 对哪些项目感兴趣？, next: bye }
  - { id: bye, kind: end, text: 谢谢！ }
`;
const compiled = compileYaml(flowYaml());

/** A reply with its main reading and its readings for other steps. */
function replyWith(text: string, main: Partial<Analysis>, passing: Record<string, Partial<Analysis>>): EngineEvent {
  return { type: 'user.replied', text, analysis: analysis(main), passing: Object.fromEntries(Object.entries(passing).map(([k, v]) => [k, analysis(v)])) };
}

const nextMonth = { bucket: '1_3_months' as const, from: '2025-04-01', to: '2025-04-30' };

describe('answers given in passing', () => {
  it('asks the analyser about every open fill target besides the awaited question', () => {
    const c = new Conversation(compiled);
    expect(c.last.awaiting?.passing?.map((p) => p.stepId)).toEqual(['advisor', 'intent', 'timing', 'products']);
    expect(c.last.awaiting?.passing?.find((p) => p.stepId === 'products')).toEqual({ stepId: 'products', question: 'text', readsCatalog: true });
    // The catalogue travels once, not per step.
    expect(c.last.awaiting?.passingCatalog).toEqual([{ id: 'hydra', name: '水光针' }]);
  });

  it('records each answer under its step, marked in passing, skips those steps and confirms them before the next question', () => {
    const c = new Conversation(compiled);
    c.send(
      replyWith(
        '9分，下个月还想来做水光',
        { score: 9 },
        { intent: { score: 4 }, timing: { timing: nextMonth, products: ['hydra'] }, products: { products: ['hydra'] }, advisor: { score: 5, topics: [] } },
      ),
    );
    const { answers } = c.last;
    expect(answers.nps).toMatchObject({ value: 9 });
    expect(answers.nps?.inPassing).toBeUndefined();
    expect(answers.intent).toMatchObject({ value: 4, inPassing: true, raw: '9分，下个月还想来做水光' });
    expect(answers.timing).toMatchObject({ value: '9分，下个月还想来做水光', inPassing: true, extracted: { timing: nextMonth } });
    expect(answers.products).toMatchObject({ inPassing: true, extracted: { products: ['hydra'] } });
    // The advisor's CSAT needs the reply to talk about the advisor (topics).
    expect(answers.advisor).toBeUndefined();
    const recorded = c.last.effects.filter((e) => e.type === 'answer.recorded');
    expect(recorded.map((e) => [e.stepId, 'inPassing' in e ? e.inPassing : undefined])).toEqual([
      ['nps', undefined],
      ['intent', true],
      ['timing', true],
      ['products', true],
    ]);
    expect(c.text).toBe('记下了：很可能会、4月、水光针。\n最满意哪一点？');
    expect(c.last.awaiting?.passing?.map((p) => p.stepId)).toEqual(['advisor']);

    c.send(says.text('顾问很耐心'));
    c.send(says.score(5));
    // intent, timing and products were answered: straight to the end.
    expect(c.last.status).toBe('completed');
    expect(c.text).toBe('谢谢！');
  });

  it('fills a touchpoint only when the reply talks about it, and routes on answers taken in passing', () => {
    const c = new Conversation(compiled);
    c.send(replyWith('3分，顾问不专业，不会再来了', { score: 3 }, { advisor: { score: 1, topics: ['专业度'] }, intent: { score: 0 } }));
    expect(c.last.answers.advisor).toMatchObject({ value: 1, inPassing: true });
    expect(c.text).toBe('记下了：「顾问沟通」1分、肯定不会。\n哪里不好？');
    c.send(says.text('等太久'));
    // advisor and intent are answered; intent 0 branches past timing to the end.
    expect(c.last.status).toBe('completed');
  });

  it('still asks a step marked alwaysAsk, and a reading that is not an answer fills nothing', () => {
    const always = compileYaml(flowYaml('\n    alwaysAsk: true').replace('大概什么时候再来？\n    alwaysAsk: true }', '大概什么时候再来？, alwaysAsk: true }'));
    const c = new Conversation(always);
    c.send(replyWith('10分，下个月再来', { score: 10 }, { timing: { timing: nextMonth }, intent: { intent: 'unclear' } }));
    expect(c.last.answers.timing).toMatchObject({ inPassing: true });
    expect(c.last.answers.intent).toBeUndefined();
    c.send(says.text('都挺好'));
    c.send(says.score(5));
    expect(c.last.awaiting?.stepId).toBe('intent');
    c.send(says.score(5));
    // Asked although answered; its new answer replaces the one taken in passing.
    expect(c.last.awaiting?.stepId).toBe('timing');
    c.send(says.text('明年', { timing: { bucket: '6_12_months', from: null, to: null } }));
    expect(c.last.answers.timing).toMatchObject({ value: '明年' });
    expect(c.last.answers.timing?.inPassing).toBeUndefined();
  });

  it('keeps a skipped step off the trail, so 上一题 goes to the question really asked before', () => {
    const c = new Conversation(compiled);
    c.send(says.score(9));
    c.send(says.text('都好'));
    c.send(replyWith('5分，下个月会再来', { score: 5 }, { intent: { score: 4 }, timing: { timing: nextMonth } }));
    expect(c.last.awaiting?.stepId).toBe('products');
    c.send(says.intent('back', '上一题'));
    expect(c.last.awaiting?.stepId).toBe('advisor');
  });

  it('refuses fills that name unknown steps, a score for a text step or a date for a score step', () => {
    expect(() => compileYaml(flowYaml().replace('- { step: nps, from: score }', '- { step: nope, from: score }'))).toThrow(/refers to unknown step/);
    expect(() => compileYaml(flowYaml().replace('- { step: timing, from: timing }', '- { step: timing, from: score }'))).toThrow(/score fills a scale step/);
    expect(() => compileYaml(flowYaml().replace('- { step: intent, from: score }', '- { step: intent, from: timing }'))).toThrow(/timing fills a text step/);
  });
});
