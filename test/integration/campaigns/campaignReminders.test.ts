import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTimeOf } from '../../../src/core/calendar.ts';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { campaignCall, createCampaign } from '../../support/campaignApi.ts';
import { botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The conversation asks the campaigns' reminder policy before an idle reminder goes out: quiet
// hours hold it back, and a campaign session gets one reminder in all.
let service: RunningService;
let sim: WecomSimulator;
let flowsDir: string;

beforeAll(async () => {
  flowsDir = await mkdtemp(join(tmpdir(), 'hf-flows-'));
  const source = (await readFile('flows/csat-after-service.yaml', 'utf8')).replace(/reminderAfterHours: [\d.]+/, 'reminderAfterHours: 0.0003').replace(/expireAfterHours: [\d.]+/, 'expireAfterHours: 0.01');
  await writeFile(join(flowsDir, 'csat-after-service.yaml'), source);
  await writeFile(join(flowsDir, 'nps-default.yaml'), await readFile('flows/nps-default.yaml', 'utf8'));
  service = await startTestService(isolatedEnv('campaign_reminders', { FLOWS_DIR: flowsDir }));
  sim = service.simulator!;
});
afterAll(async () => {
  await service?.stop();
  await rm(flowsDir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reminders = (id: string) => botTexts(sim, id).filter((t) => /打扰一下|方便回复/.test(t));

async function enterAndWrite(campaignId: string, ref: string, customerId: string): Promise<void> {
  const res = await campaignCall(service, 'POST', `/api/campaigns/${campaignId}/audience`, { json: [{ customerRef: ref }] });
  await sim.customerOpensLink(customerId, res.json().invitations[0].url);
  await service.idle();
  // A question back ("你是谁"): answered, the same question asked again, and WeCom's 48 h window opens.
  await customer(service, sim, customerId).says('你是谁');
}

describe('campaign reminders', () => {
  it('wait out quiet hours, and come once per session', async () => {
    const hour = localTimeOf(new Date(), 'Asia/Shanghai').hour;
    const pad = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    // Quiet from this hour to two hours on: now is quiet.
    const quiet = await createCampaign(service, { flowId: 'csat-after-service', quietHours: { start: pad(hour), end: pad(hour + 2) } });
    const open = await createCampaign(service, { flowId: 'csat-after-service', quietHours: null });
    await enterAndWrite(quiet, 'R1', 'wm_r1');
    await enterAndWrite(open, 'R2', 'wm_r2');
    await wait(2_500);
    await service.conversation.runDueTimers();
    await service.idle();
    expect(reminders('wm_r1')).toHaveLength(0);
    expect(reminders('wm_r2')).toHaveLength(1);

    // The next question would get the engine's own reminder; the campaign allows one per session.
    await customer(service, sim, 'wm_r2').clicks(/2/);
    await wait(2_500);
    await service.conversation.runDueTimers();
    await service.idle();
    expect(reminders('wm_r2')).toHaveLength(1);
  });
});
