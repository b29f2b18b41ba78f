import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFlow, loadFlowFile } from '../../../src/engine/index.ts';
import type { CompiledFlow } from '../../../src/engine/index.ts';
import { Conversation, says } from '../engine/engineTestKit.ts';

let compiled: CompiledFlow;
beforeAll(async () => {
  const result = await loadFlowFile(fileURLToPath(new URL('../../../flows/csat-after-service.yaml', import.meta.url)));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  compiled = compileFlow(result.flow);
});

describe('csat-after-service', () => {
  it('greets with the CSAT menu and thanks a satisfied customer straight away', () => {
    const c = new Conversation(compiled, {});
    expect(c.last.messages).toEqual([
      {
        kind: 'menu',
        head: '您好！感谢您选择本店，想花半分钟了解一下您这次的体验。\n您对本次服务满意吗？',
        items: [
          { id: 'csat__5', label: '5 非常满意' },
          { id: 'csat__4', label: '4 满意' },
          { id: 'csat__3', label: '3 一般' },
          { id: 'csat__2', label: '2 不满意' },
          { id: 'csat__1', label: '1 非常不满意' },
        ],
      },
    ]);
    c.send(says.click('csat__4'));
    expect(c.last.status).toBe('completed');
    expect(c.text).toBe('感谢您的反馈，祝您生活愉快！');
    expect(c.last.answers.csat).toMatchObject({ value: 4, touchpoint: '本次服务' });
  });

  it('asks why when the score is 3 or lower', () => {
    const c = new Conversation(compiled);
    c.send(says.score(3, '一般般'));
    expect(c.text).toBe('抱歉没能让您完全满意。方便说说哪里可以做得更好吗？');
    c.send(says.text('前台态度不好', { sentiment: { label: 'negative', confidence: 0.9 }, topics: ['前台'] }));
    expect(c.last.status).toBe('completed');
    expect(c.last.answers.reason).toMatchObject({ value: '前台态度不好', extracted: { topics: ['前台'] } });
    expect(c.last.effects).toContainEqual(expect.objectContaining({ type: 'escalate', trigger: 'negative' }));
  });
});
