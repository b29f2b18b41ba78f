import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { adminApi } from '../../support/adminApi.ts';
import { adminGet, botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// A template can no longer silence a question (issue 25, item 6). A step text quoting a
// 2,000-character answer many times rendered past WeCom's per-reply budget: the send was refused
// whole, the question never arrived, and the customer's next "5" was stored as its answer.

let service: RunningService;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('quoted_answers'));
});
afterAll(async () => {
  await service?.stop();
});

type Problem = { stepId?: string; path: string; message: string; line?: number };

const flowWith = (id: string, questionText: string) => `schemaVersion: 1
id: ${id}
version: 1
title: 引用回答
steps:
  - id: reason_promoter
    kind: text
    text: 您最喜欢我们哪一点？
  - id: recommend
    kind: nps
    text: '${questionText}'
  - id: end
    kind: end
    text: 谢谢您的反馈！
`;

async function saveAndPublish(id: string, source: string) {
  const saved = await adminApi(service).post<{ version: number; valid: boolean; problems: Problem[] }>(`/api/flows/${id}/versions`, { source, baseVersion: 0 });
  const published = await adminApi(service).post<{ error?: { code: string; problems?: Problem[] } }>(`/api/flows/${id}/publish`, { version: saved.body.version });
  return { saved: saved.body, published };
}

describe('answers quoted in flow texts', () => {
  it('refuses to publish a flow whose text quotes an answer 36 times, naming the step, path and line', async () => {
    const { saved, published } = await saveAndPublish('quote-36', flowWith('quote-36', '{{answers.reason_promoter}}'.repeat(36)));
    const problem = {
      stepId: 'recommend',
      path: 'steps[1].text',
      line: 11,
      message: expect.stringMatching(/^could render to 21600 bytes \(every answer and customer field at its cap of 200 characters\); one WeCom message holds 2048/),
    };
    expect(saved).toMatchObject({ valid: false, problems: [problem] });
    expect(published.status).toBe(400);
    expect(published.body.error).toMatchObject({ code: 'FLOW_INVALID', problems: [problem] });
  });

  it('still asks the next question when it quotes a 2,000-character answer, and files the next reply under it', async () => {
    const question = '您说“{{answers.reason_promoter}}”，谢谢！如果满分10分，您有多大可能把我们推荐给朋友？（您刚才说：{{answers.reason_promoter}}）';
    const { saved, published } = await saveAndPublish('quote-twice', flowWith('quote-twice', question));
    expect(saved.valid).toBe(true);
    expect(published.status).toBe(200);

    const sim = service.simulator!;
    await sim.customerEnters('wm_quote', { scene: 'survey', sceneParam: 'quote-twice' });
    await service.idle();
    expect(botTexts(sim, 'wm_quote')).toEqual(['您最喜欢我们哪一点？']);
    const c = customer(service, sim, 'wm_quote');
    const essay = '环境很好，顾问很专业。'.repeat(200).slice(0, 2000);
    const asked = await c.says(essay);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('如果满分10分，您有多大可能把我们推荐给朋友？');
    expect(asked[0]).toContain(`您说“${essay.slice(0, 199)}…”`);
    expect(await c.says('5')).toEqual(['谢谢您的反馈！']);

    const list = await adminGet<{ items: Array<{ id: string }> }>(service, '/api/sessions?customer=wm_quote');
    const session = await adminGet<{ status: string; answers: Record<string, { value: unknown }> }>(service, `/api/sessions/${list.body.items[0]!.id}`);
    expect(session.body.status).toBe('completed');
    expect(session.body.answers.reason_promoter!.value).toBe(essay);
    expect(session.body.answers.recommend!.value).toBe(5);
  });
});
