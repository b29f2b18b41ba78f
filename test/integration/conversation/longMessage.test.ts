import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
let sim: WecomSimulator;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('long_message'));
  sim = service.simulator!;
});
afterAll(async () => service?.stop());

describe('a 100 KB message', () => {
  it('is answered from what its start says, and kept whole in the transcript', async () => {
    const c = customer(service, sim, 'wm_essay');
    await c.says('你好');
    const essay = `八分吧，${'环境挺好的，技师也专业。'.repeat(2_800)}`;
    expect(Buffer.byteLength(essay)).toBeGreaterThan(100_000);
    const replies = await c.says(essay);
    // Its start scores (a passive 8) and says why: the reason is taken in passing and acknowledged, not asked.
    expect(replies.join()).toMatch(/^谢谢，您说的我们记下了。\n接下来请为三个环节打分/);
    const list = await adminGet<{ items: Array<{ id: string }> }>(service, '/api/sessions?customer=wm_essay');
    const session = await adminGet<{ answers: Record<string, { value: unknown; raw: string; inPassing?: boolean }>; transcript: Array<{ direction: string; text: string }> }>(
      service,
      `/api/sessions/${list.body.items[0]!.id}`,
    );
    expect(session.body.answers.nps).toMatchObject({ value: 8, raw: essay });
    expect(session.body.answers.reason_passive).toMatchObject({ value: essay, inPassing: true });
    expect(session.body.transcript.filter((t) => t.direction === 'in').map((t) => t.text)).toEqual(['你好', essay]);
  }, 60_000);
});
