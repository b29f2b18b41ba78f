import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFlowSource } from '../../../src/engine/flowCatalog.ts';
import type { RunningService } from '../../../src/main.ts';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { createFlowRepository } from '../../../src/store/mongo/flowRepository.ts';
import { adminGet, botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

const running: RunningService[] = [];
const sims: WecomSimulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await Promise.all(sims.map((s) => s.close()));
});

/** A standalone simulator and env pointing the service at it as if it were WeCom. */
async function externalWecom(label: string) {
  const sim = createWecomSimulator();
  sims.push(sim);
  const base = await sim.listen();
  const env = isolatedEnv(label, {
    WECOM_CORP_ID: sim.corpId,
    WECOM_TOKEN: sim.token,
    WECOM_ENCODING_AES_KEY: sim.encodingAesKey,
    WECOM_KF_SECRET: sim.kfSecret,
    WECOM_API_BASE: base,
  });
  return { sim, env };
}

async function start(env: Record<string, string>): Promise<RunningService> {
  const service = await startTestService(env);
  running.push(service);
  return service;
}

describe('durable, ordered sessions', () => {
  it('a restart mid-survey continues the same session where the customer was', async () => {
    const { sim, env } = await externalWecom('restart');
    const first = await start(env);
    sim.setCallbackUrl(`${first.url}/wecom/callback`);
    const c1 = customer(first, sim, 'wm_restart');
    await c1.says('你好');
    await c1.says('10');
    await first.stop();

    const second = await start(env);
    sim.setCallbackUrl(`${second.url}/wecom/callback`);
    const c2 = customer(second, sim, 'wm_restart');
    expect((await c2.says('环境很好，很干净')).join()).toMatch(/预约流程/);
    const list = await adminGet<{ items: Array<{ id: string; answered: number }> }>(second, '/api/sessions?customer=wm_restart');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]!.answered).toBe(2);
  });

  it('two processes and one customer writing fast keep one consistent, ordered transcript', async () => {
    const { sim, env } = await externalWecom('twoproc');
    const a = await start(env);
    const b = await start(env);
    // WeCom calls back process A; both processes run queue workers and share locks.
    sim.setCallbackUrl(`${a.url}/wecom/callback`);
    await sim.customerSays('wm_fast', '你好');
    await a.idle();
    const messages = ['7', '价格有点贵', '4', '3', '5'];
    for (const text of messages) await sim.customerSays('wm_fast', text);
    await a.idle();
    await b.idle();
    await a.idle();
    const list = await adminGet<{ items: Array<{ id: string }> }>(a, '/api/sessions?customer=wm_fast');
    expect(list.body.items).toHaveLength(1);
    const detail = await adminGet<{ transcript: Array<{ direction: string; author: string; text: string }>; answers: Record<string, { value: unknown }> }>(
      b,
      `/api/sessions/${list.body.items[0]!.id}`,
    );
    const inbound = detail.body.transcript.filter((t) => t.author === 'customer').map((t) => t.text);
    expect(inbound).toEqual(['你好', ...messages]);
    // Each reply was read against the question asked at that point.
    expect(detail.body.answers.nps?.value).toBe(7);
    expect(detail.body.answers.csat_booking?.value).toBe(4);
    expect(detail.body.answers.csat_advisor?.value).toBe(3);
    expect(detail.body.answers.csat_result?.value).toBe(5);
    // Bot and customer alternate: every customer message got exactly one reply.
    const authors = detail.body.transcript.map((t) => t.author).filter((a) => a === 'bot' || a === 'customer');
    expect(authors.join(',')).toBe(Array(6).fill('customer,bot').join(','));
  });

  it('a flow version published mid-survey does not change running sessions', async () => {
    const { sim, env } = await externalWecom('pinning');
    const service = await start(env);
    sim.setCallbackUrl(`${service.url}/wecom/callback`);
    const early = customer(service, sim, 'wm_early');
    await early.says('你好');

    const source = await readFile('flows/nps-default.yaml', 'utf8');
    const changed = source.replace('接下来请为三个环节打分', '【新版】请为三个环节打分');
    expect(changed).not.toBe(source);
    const flows = createFlowRepository(service.stores.mongo);
    const saved = await flows.saveVersion({ flowId: 'nps-default', source: changed, sourceHash: hashFlowSource(changed), author: 'test', valid: true });
    await flows.publish('nps-default', saved.version, 'test');
    service.catalog.invalidate('nps-default');

    await early.says('9');
    expect((await early.says('顾问很专业')).join()).toMatch(/接下来请为三个环节打分/);
    const late = customer(service, sim, 'wm_late');
    await late.says('你好');
    await late.says('9');
    expect((await late.says('顾问很专业')).join()).toMatch(/【新版】/);
    expect(botTexts(sim, 'wm_early').join()).not.toMatch(/【新版】/);
  });
});
