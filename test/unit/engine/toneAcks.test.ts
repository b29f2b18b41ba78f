import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFlow, loadFlowFile } from '../../../src/engine/index.ts';
import type { CompiledFlow } from '../../../src/engine/index.ts';
import { compileYaml, Conversation, says } from './engineTestKit.ts';

let npsDefault: CompiledFlow;
beforeAll(async () => {
  const result = await loadFlowFile(fileURLToPath(new URL('../../../flows/nps-default.yaml', import.meta.url)));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  npsDefault = compileFlow(result.flow);
});

/** nps-default up to the repurchase question, every touchpoint a 4. */
function atIntent(): Conversation {
  const c = new Conversation(npsDefault);
  c.send(says.score(8));
  c.send(says.text('环境还可以', { topics: ['环境'] }));
  for (const step of ['csat_booking', 'csat_advisor', 'csat_result']) c.send(says.click(`${step}__4`));
  expect(c.last.awaiting?.stepId).toBe('intent');
  return c;
}

describe('acknowledgements follow the reading', () => {
  it('says 太好了！ to a yes and never to a hesitation', () => {
    const yes = atIntent();
    yes.send(says.text('肯定会', { score: 5 }));
    expect(yes.text).toBe('太好了！\n大概什么时候会考虑再来呢？比如下个月、半年内，或者还没想好都可以。');
    const maybe = atIntent();
    maybe.send(says.text('看情况吧', { score: 3 }));
    expect(maybe.text).toBe('好的。\n大概什么时候会考虑再来呢？比如下个月、半年内，或者还没想好都可以。');
    expect(maybe.text).not.toMatch(/太好了/);
  });

  it('picks the first ack whose score and sentiment fit, else the step ack', () => {
    const compiled = compileYaml(`
schemaVersion: 1
id: tone
version: 1
title: 语气
steps:
  - id: why
    kind: text
    question: reason
    text: 为什么？
    ack: 谢谢！
    acks:
      - { sentiment: negative, text: 非常抱歉，让您不满意了。 }
      - { sentiment: positive, text: 太感谢了！ }
  - { id: bye, kind: end, text: 再见。 }
`);
    const complaint = new Conversation(compiled);
    complaint.send(says.text('等了一个小时', { sentiment: { label: 'negative', confidence: 0.9 } }));
    expect(complaint.text).toBe('非常抱歉，让您不满意了。\n再见。');
    const praise = new Conversation(compiled);
    praise.send(says.text('很好', { sentiment: { label: 'positive', confidence: 0.9 } }));
    expect(praise.text).toBe('太感谢了！\n再见。');
    const plain = new Conversation(compiled);
    plain.send(says.text('就那样', { sentiment: { label: 'neutral', confidence: 0.5 } }));
    expect(plain.text).toBe('谢谢！\n再见。');
  });
});
