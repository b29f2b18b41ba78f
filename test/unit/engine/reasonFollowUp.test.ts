import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/core/analysis.ts';
import type { EngineEvent } from '../../../src/engine/index.ts';
import { analysis, compileYaml, Conversation, says } from './engineTestKit.ts';

const compiled = compileYaml(`
schemaVersion: 1
id: reasons
version: 1
title: 原因
settings: { maxProbes: 1, acknowledgeReasons: true }
fills:
  - { step: why_high, from: reason }
  - { step: why_low, from: reason }
steps:
  - { id: nps, kind: nps, text: 推荐几分？, branch: [{ when: { step: nps, gte: 9 }, goto: why_high }], default: why_low }
  - { id: why_high, kind: text, question: reason, text: 最满意哪一点？, next: other }
  - { id: why_low, kind: text, question: reason, text: 哪里不好？, next: other }
  - { id: other, kind: text, question: reason, text: 还有别的建议吗？ }
  - { id: bye, kind: end, text: 谢谢！ }
`);

function scoreWithReason(text: string, score: number, reason: Partial<Analysis>): EngineEvent {
  return { type: 'user.replied', text, analysis: analysis({ score }), passing: { why_high: analysis(reason), why_low: analysis(reason) } };
}
const negative = { label: 'negative' as const, confidence: 0.95 };

describe('following up on the reason', () => {
  it('takes a reason given with the score for the question the score leads to, and acknowledges it by its topic', () => {
    const c = new Conversation(compiled);
    expect(c.last.awaiting?.passing?.map((p) => p.stepId)).toEqual(['why_high', 'why_low']);
    c.send(scoreWithReason('2分，等了一个小时，太差了', 2, { topics: ['等待时间'], sentiment: negative }));
    expect(c.last.answers.why_low).toMatchObject({ value: '2分，等了一个小时，太差了', inPassing: true });
    expect(c.last.answers.why_high).toBeUndefined();
    expect(c.text).toBe('让您等了这么久，真的很抱歉。\n还有别的建议吗？');
  });

  it('asks as before when the score comes without a reason', () => {
    const c = new Conversation(compiled);
    c.send(scoreWithReason('9', 9, { intent: 'unclear' }));
    expect(c.text).toBe('最满意哪一点？');
    c.send(says.text('顾问很专业', { topics: ['专业度'], sentiment: { label: 'positive', confidence: 0.9 } }));
    expect(c.text).toBe('谢谢您认可我们的专业！\n还有别的建议吗？');
  });

  it('probes a vague reason once, keeps both replies as the answer, and does not probe again', () => {
    const c = new Conversation(compiled);
    c.send(says.score(7));
    c.send(says.text('一般'));
    expect(c.text).toBe('是哪方面一般呢？环境、服务还是效果？');
    expect(c.last.awaiting?.stepId).toBe('why_low');
    c.send(says.text('服务有点敷衍', { topics: ['服务态度'], sentiment: negative }));
    expect(c.last.answers.why_low).toMatchObject({ value: '一般；服务有点敷衍' });
    expect(c.text).toBe('服务态度让您不舒服，非常抱歉。\n还有别的建议吗？');
    // The flow allows one probe: the next vague reply is taken as it is.
    c.send(says.text('还行'));
    expect(c.last.answers.other).toMatchObject({ value: '还行' });
    expect(c.last.status).toBe('completed');
  });
});
