import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
let sim: WecomSimulator;
let flowsDir: string;

// The short CSAT flow with a reminder after ~1.1 s and expiry after ~3.6 s.
beforeAll(async () => {
  flowsDir = await mkdtemp(join(tmpdir(), 'hf-flows-'));
  const source = (await readFile('flows/csat-after-service.yaml', 'utf8'))
    .replace(/reminderAfterHours: [\d.]+/, 'reminderAfterHours: 0.0003')
    .replace(/expireAfterHours: [\d.]+/, 'expireAfterHours: 0.001');
  expect(source).toContain('reminderAfterHours: 0.0003');
  await writeFile(join(flowsDir, 'csat-after-service.yaml'), source);
  service = await startTestService(isolatedEnv('timers', { FLOWS_DIR: flowsDir, DEFAULT_FLOW_ID: 'csat-after-service' }));
  sim = service.simulator!;
});
afterAll(async () => {
  await service?.stop();
  await rm(flowsDir, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function statusOf(customerId: string): Promise<string> {
  const list = await adminGet<{ items: Array<{ status: string }> }>(service, `/api/sessions?customer=${customerId}`);
  return list.body.items[0]!.status;
}

describe('idle reminders and expiry (durable delayed jobs)', () => {
  it('reminds once about the open question, then expires the session', async () => {
    const c = customer(service, sim, 'wm_idle');
    expect(await c.says('你好')).toHaveLength(1);
    const reminder = await waitFor(() => (sim.messagesTo('wm_idle').length >= 2 ? sim.messagesTo('wm_idle')[1] : undefined));
    expect(JSON.stringify(reminder.body)).toMatch(/打扰|提醒|还在|方便/);
    await waitFor(async () => ((await statusOf('wm_idle')) === 'expired' ? true : undefined));
    // One reminder only, and nothing sent on expiry.
    expect(sim.messagesTo('wm_idle')).toHaveLength(2);
  });

  it('an answer before the reminder is due cancels that reminder; the next question gets its own', async () => {
    const c = customer(service, sim, 'wm_quick');
    await c.says('你好');
    // A low score opens the follow-up question, so the session stays open.
    const followUp = await c.clicks(/2/);
    expect(followUp).toHaveLength(1);
    const after = sim.messagesTo('wm_quick').length;
    await waitFor(() => (sim.messagesTo('wm_quick').length > after ? true : undefined));
    await new Promise((r) => setTimeout(r, 800));
    // Exactly one reminder, for the follow-up question; none for the answered CSAT.
    const reminders = sim.messagesTo('wm_quick').slice(after);
    expect(reminders).toHaveLength(1);
    expect(JSON.stringify(reminders[0]!.body)).not.toMatch(/打分|1-5/);
  });
});
