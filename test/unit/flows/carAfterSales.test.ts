import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFlow, loadFlowFile } from '../../../src/engine/index.ts';
import type { CompiledFlow } from '../../../src/engine/index.ts';
import { Conversation, says } from '../engine/engineTestKit.ts';

let compiled: CompiledFlow;
beforeAll(async () => {
  const result = await loadFlowFile(fileURLToPath(new URL('../../../flows/car-after-sales.yaml', import.meta.url)));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  compiled = compileFlow(result.flow);
});

describe('car-after-sales', () => {
  it('ships a car service catalogue', () => {
    expect(compiled.flow.catalog.map((c) => c.name)).toEqual(
      expect.arrayContaining(['保养', '轮胎', '钣金喷漆', '洗车美容', '空调维修']),
    );
  });

  it('a satisfied customer goes straight to repurchase, timing and the services they need', () => {
    const c = new Conversation(compiled, { nickname: '李先生' });
    expect(c.text).toMatch(/^李先生好！.*\n您对这次维修保养的质量满意吗？/);
    c.send(says.click('csat_service__5'));
    c.send(says.click('csat_advisor__4'));
    expect(c.last.awaiting).toEqual({ stepId: 'intent', question: 'repurchase', range: { min: 0, max: 5 }, catalog: compiled.flow.catalog });
    c.send(says.click('intent__5'));
    expect(c.text).toMatch(/什么时候需要下次保养/);
    c.send(says.text('三个月后保养', { products: ['maintenance'] }));
    expect(c.text).toMatch(/还有哪些项目可能需要/);
    c.send(says.text('顺便换个轮胎', { products: ['tires'] }));
    expect(c.last.status).toBe('completed');
    expect(c.last.answers.timing?.extracted).toMatchObject({ products: ['maintenance'] });
    expect(c.last.answers.products?.extracted).toMatchObject({ products: ['tires'] });
  });

  it('asks why after a low score, and what would bring back a customer who will not return', () => {
    const c = new Conversation(compiled);
    c.send(says.click('csat_service__2'));
    c.send(says.click('csat_advisor__5'));
    expect(c.text).toMatch(/哪里可以做得更好/);
    c.send(says.text('喷漆有色差', { products: ['bodywork'], factors: ['effect'] }));
    expect(c.last.answers.reason?.extracted).toMatchObject({ products: ['bodywork'], factors: ['effect'] });
    c.send(says.click('intent__1'));
    expect(c.text).toMatch(/怎样做能让您下次还选择我们/);
    c.send(says.text('便宜点就来', { factors: ['price'] }));
    expect(c.last.answers.change_mind?.extracted).toMatchObject({ factors: ['price'] });
    expect(c.last.status).toBe('completed');
  });
});
