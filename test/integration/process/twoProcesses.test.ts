import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { isRunning, serviceEnv, spawnWatched, tempDataDir, waitFor, type WatchedProcess } from '../../support/processes.ts';
import { startRoundRobin } from '../../support/roundRobin.ts';
import { ADMIN_TOKEN } from '../../support/serviceHarness.ts';

// Scale-out (issue 14): two service processes on one MongoDB and one Redis, WeCom's callbacks
// spread over both by a load balancer. Every customer must get each reply once, in order.
const sim: WecomSimulator = createWecomSimulator();
const workers: Array<{ proc: WatchedProcess; url: string; dataDir: string }> = [];
let balancer: { url: string; close(): Promise<void> };

beforeAll(async () => {
  const apiBase = await sim.listen();
  const id = randomBytes(4).toString('hex');
  const shared = {
    MONGODB_URI: `${inject('mongoUri').replace(/\/$/, '')}/t_twoproc_${id}`,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: `hf:test:twoproc:${id}:`,
    WECOM_CORP_ID: sim.corpId,
    WECOM_TOKEN: sim.token,
    WECOM_ENCODING_AES_KEY: sim.encodingAesKey,
    WECOM_KF_SECRET: sim.kfSecret,
    WECOM_API_BASE: apiBase,
    ADMIN_TOKEN,
  };
  for (const n of [1, 2]) {
    const dataDir = await tempDataDir(`twoproc-${n}`);
    const proc = spawnWatched(process.execPath, ['--import', 'tsx', 'src/main.ts'], serviceEnv(dataDir, shared));
    const url = String((await proc.logLine('huifang is listening', 60_000)).url);
    workers.push({ proc, url, dataDir });
  }
  for (const w of workers) await waitFor(async () => (await fetch(`${w.url}/readyz`).catch(() => null))?.status === 200, 'readyz', 30_000);
  balancer = await startRoundRobin(workers.map((w) => `${w.url}/wecom/callback`));
  sim.setCallbackUrl(`${balancer.url}/wecom/callback`);
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.proc.child.pid && isRunning(w.proc.child.pid)) w.proc.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.proc.exited));
  await balancer?.close();
  await sim.close();
  await Promise.all(workers.map((w) => rm(w.dataDir, { recursive: true, force: true })));
}, 60_000);

type Step = string | { click: RegExp };
const SURVEY: Step[] = ['你好', '9', '顾问很专业', { click: /^5/ }, { click: /^4/ }, { click: /^5/ }, { click: /^4/ }, '下个月', '面部护理', { click: /推荐朋友/ }];

/** One customer answering like a person: each message after the previous reply arrived. */
async function answerSurvey(customerId: string): Promise<void> {
  for (const [n, step] of SURVEY.entries()) {
    if (typeof step === 'string') await sim.customerSays(customerId, step);
    else {
      const menu = sim.messagesTo(customerId).filter((m) => m.msgtype === 'msgmenu').at(-1)?.body as { list?: Array<{ click?: { id: string; content: string } }> };
      const item = menu?.list?.map((i) => i.click).find((c) => c && step.click.test(c.content));
      if (!item) throw new Error(`${customerId}: no menu item ${step.click} at step ${n}`);
      await sim.customerSays(customerId, item.content, { menuId: item.id });
    }
    await waitFor(() => sim.messagesTo(customerId).length >= n + 1, `${customerId}'s reply ${n + 1}`, 30_000);
  }
}

async function sessionOf(customerId: string) {
  const get = async (path: string) => (await fetch(`${workers[1]!.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  const list = (await get(`/api/sessions?customer=${customerId}`)) as { items: Array<{ id: string }> };
  expect(list.items).toHaveLength(1);
  return (await get(`/api/sessions/${list.items[0]!.id}`)) as {
    status: string;
    answers: Record<string, { value: unknown }>;
    transcript: Array<{ author: string; text: string }>;
  };
}

describe('two service processes behind a load balancer', () => {
  it('share 12 customers answering at once: one session each, every reply once and in order', { timeout: 180_000 }, async () => {
    const ids = Array.from({ length: 12 }, (_, n) => `wm_two_${n}`);
    await Promise.all(ids.map(answerSurvey));
    // Late duplicates would arrive after the last reply: give them time to show.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const id of ids) {
      expect(sim.messagesTo(id), id).toHaveLength(SURVEY.length);
      const session = await sessionOf(id);
      expect(session.status).toBe('completed');
      expect(Object.fromEntries(['nps', 'csat_booking', 'csat_advisor', 'csat_result', 'intent'].map((k) => [k, session.answers[k]?.value]))).toEqual({
        nps: 9,
        csat_booking: 5,
        csat_advisor: 4,
        csat_result: 5,
        intent: 4,
      });
      const authors = session.transcript.map((t) => t.author).filter((a) => a === 'customer' || a === 'bot');
      expect(authors.join(',')).toBe(Array(SURVEY.length).fill('customer,bot').join(','));
    }
    // Both processes were alive and took callbacks throughout.
    for (const w of workers) expect((await fetch(`${w.url}/readyz`)).status).toBe(200);
  });
});
