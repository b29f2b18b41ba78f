import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { isRunning, serviceEnv, spawnWatched, tempDataDir, waitFor, type WatchedProcess } from '../../support/processes.ts';
import { startRedisCluster, type TestRedisCluster } from '../../support/redisCluster.ts';
import { startRoundRobin } from '../../support/roundRobin.ts';
import { ADMIN_TOKEN } from '../../support/serviceHarness.ts';

// Issue 24: two service processes on a real Redis Cluster (three masters, three replicas) with
// REDIS_CLUSTER_NODES. Every script and transaction must find its keys in one slot, BullMQ must
// run its queues there, and surveys must come out as on one Redis: each reply once, in order,
// every answer stored and counted in the analytics.
const run = promisify(execFile);
const sim: WecomSimulator = createWecomSimulator();
const workers: Array<{ proc: WatchedProcess; url: string; dataDir: string }> = [];
let cluster: TestRedisCluster;
let balancer: { url: string; close(): Promise<void> };

beforeAll(async () => {
  cluster = await startRedisCluster();
  const apiBase = await sim.listen();
  const id = randomBytes(4).toString('hex');
  const shared = {
    MONGODB_URI: `${inject('mongoUri').replace(/\/$/, '')}/t_cluster_${id}`,
    REDIS_CLUSTER_NODES: cluster.seedList,
    REDIS_KEY_PREFIX: `hf:test:cluster:${id}:`,
    WECOM_CORP_ID: sim.corpId,
    WECOM_TOKEN: sim.token,
    WECOM_ENCODING_AES_KEY: sim.encodingAesKey,
    WECOM_KF_SECRET: sim.kfSecret,
    WECOM_API_BASE: apiBase,
    ADMIN_TOKEN,
  };
  for (const n of [1, 2]) {
    const dataDir = await tempDataDir(`cluster-${n}`);
    const proc = spawnWatched(process.execPath, ['--import', 'tsx', 'src/main.ts'], serviceEnv(dataDir, shared));
    const url = String((await proc.logLine('huifang is listening', 60_000)).url);
    workers.push({ proc, url, dataDir });
  }
  for (const w of workers) await waitFor(async () => (await fetch(`${w.url}/readyz`).catch(() => null))?.status === 200, 'readyz', 30_000);
  balancer = await startRoundRobin(workers.map((w) => `${w.url}/wecom/callback`));
  sim.setCallbackUrl(`${balancer.url}/wecom/callback`);
}, 180_000);

afterAll(async () => {
  for (const w of workers) if (w.proc.child.pid && isRunning(w.proc.child.pid)) w.proc.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.proc.exited));
  await balancer?.close();
  await sim.close();
  await cluster?.stop();
  await Promise.all(workers.map((w) => rm(w.dataDir, { recursive: true, force: true })));
}, 60_000);

type Step = string | { click: RegExp };
const SURVEY: Step[] = ['你好', '9', '顾问很专业', { click: /^5/ }, { click: /^4/ }, { click: /^5/ }, { click: /^4/ }, '下个月', '面部护理', { click: /推荐朋友/ }];

/** One customer answering like a person: each message after the previous reply arrived. */
async function answerSurvey(customerId: string, nps: string): Promise<void> {
  for (const [n, step] of SURVEY.entries()) {
    if (typeof step === 'string') await sim.customerSays(customerId, step === '9' ? nps : step);
    else {
      const menu = sim.messagesTo(customerId).filter((m) => m.msgtype === 'msgmenu').at(-1)?.body as { list?: Array<{ click?: { id: string; content: string } }> };
      const item = menu?.list?.map((i) => i.click).find((c) => c && step.click.test(c.content));
      if (!item) throw new Error(`${customerId}: no menu item ${step.click} at step ${n}`);
      await sim.customerSays(customerId, item.content, { menuId: item.id });
    }
    await waitFor(() => sim.messagesTo(customerId).length >= n + 1, `${customerId}'s reply ${n + 1}`, 30_000);
  }
}

const get = async <T>(path: string): Promise<T> => (await (await fetch(`${workers[0]!.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as T;

describe('two service processes on a Redis Cluster', () => {
  it('run 10 surveys at once: every reply once and in order, every answer stored and counted', { timeout: 240_000 }, async () => {
    // Promoters all (9 or 10: the same questions follow), each score counted once.
    const customers = Array.from({ length: 10 }, (_, n) => ({ id: `wm_cluster_${n}`, nps: n < 6 ? '9' : '10' }));
    await Promise.all(customers.map((c) => answerSurvey(c.id, c.nps)));
    await new Promise((r) => setTimeout(r, 1_500));
    for (const c of customers) {
      expect(sim.messagesTo(c.id), c.id).toHaveLength(SURVEY.length);
      const list = await get<{ items: Array<{ id: string }> }>(`/api/sessions?customer=${c.id}`);
      expect(list.items).toHaveLength(1);
      const session = await get<{ status: string; answers: Record<string, { value: unknown }>; transcript: Array<{ author: string }> }>(`/api/sessions/${list.items[0]!.id}`);
      expect(session.status).toBe('completed');
      expect(session.answers.nps?.value).toBe(Number(c.nps));
      expect(Object.fromEntries(['csat_booking', 'csat_advisor', 'csat_result', 'intent'].map((k) => [k, session.answers[k]?.value]))).toEqual({ csat_booking: 5, csat_advisor: 4, csat_result: 5, intent: 4 });
      const authors = session.transcript.map((t) => t.author).filter((a) => a === 'customer' || a === 'bot');
      expect(authors.join(',')).toBe(Array(SURVEY.length).fill('customer,bot').join(','));
    }
    await expect
      .poll(async () => (await get<{ nps: { responses: number; promoters: number; passives: number; detractors: number; score: number } }>('/api/analytics/summary?flowId=nps-default')).nps, { timeout: 20_000 })
      .toMatchObject({ responses: 10, promoters: 10, passives: 0, detractors: 0, score: 100 });

    // The keys really spread over the three masters (not all on one node).
    const masters = [...(await cluster.roles())].filter(([, role]) => role === 'master').map(([port]) => port);
    expect(masters).toHaveLength(3);
    const sizes = await Promise.all(masters.map(async (port) => Number((await run('redis-cli', ['-p', String(port), 'DBSIZE'])).stdout.trim())));
    for (const size of sizes) expect(size).toBeGreaterThan(0);
    for (const w of workers) expect((await fetch(`${w.url}/readyz`)).status).toBe(200);
    // Nothing was refused for keys in different slots.
    for (const w of workers) expect(w.proc.output()).not.toMatch(/CROSSSLOT|non local key|MOVED|All keys in the pipeline/);
  });
});
