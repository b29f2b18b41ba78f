import { resolve } from 'node:path';
import { conversationKey } from '../../src/core/messages.ts';
import { KF_CHANNEL } from '../../src/channels/wecom/kfMessages.ts';
import type { CustomerPlan } from './customers.ts';
import type { PersonaName } from './personas.ts';
import { redisKeys } from '../../src/store/redis/redisKeys.ts';
import { startRedisCluster, type TestRedisCluster } from '../support/redisCluster.ts';
import { llmEnv, REDIS_PREFIX as REDIS_PREFIX_OF_RIG, type Rig } from './rig.ts';
import { pollUntil, sleep } from './time.ts';

/**
 * The fault scenarios of issue 13. Each names its customers (personas and how many), how long
 * they may wait, and the fault: `strike` runs once every customer stands at its fault point
 * (mid-survey), must `release()` them, and resolves when the fault is over. `check` proves the
 * fault was really exercised; a scenario whose fault did not happen fails as invalid.
 */

export interface ScenarioContext {
  rig: Rig;
  quick: boolean;
  customers: CustomerPlan[];
  /** Lets the customers go on past their fault point. */
  release(): void;
  /** A line for the report. */
  note(text: string): void;
  /** The fault was not exercised as intended: the scenario cannot pass. */
  invalid(reason: string): void;
}

/** A cast entry: persona, how many customers, optionally fewer steps and another fault point. */
export type CastEntry = { persona: PersonaName; count: number; take?: number; faultAt?: number };

export interface Scenario {
  name: string;
  /** One line for --help and the README. */
  summary: string;
  cast(quick: boolean): CastEntry[];
  /** Extra service environment (the service restarts when it changes). */
  serviceEnv?(rig: Rig): Record<string, string>;
  /** Patience of customers: without a fault, and after it ended (ms). */
  patience?: { normalMs?: number; recoveryMs?: number };
  /** Longest the scenario may take, customers and checks included (ms). */
  budgetMs(quick: boolean): number;
  /** Runs before the service is (re)started with `serviceEnv`, e.g. to start what it points at. */
  prepare?(rig: Rig): Promise<void>;
  setup?(ctx: ScenarioContext): Promise<void>;
  strike(ctx: ScenarioContext): Promise<void>;
  teardown?(ctx: ScenarioContext): Promise<void>;
  check?(ctx: ScenarioContext): Promise<void>;
}

/** One of each persona, `times` over. */
function everyone(times: number): CastEntry[] {
  return (['promoter', 'passive', 'detractor', 'human', 'optout', 'linker', 'combo'] as const).map((persona) => ({ persona, count: times }));
}

const MINUTE = 60_000;

const baseline: Scenario = {
  name: 'baseline',
  summary: 'no fault: the scripts and the checks agree with the service as it is',
  cast: () => everyone(1),
  budgetMs: () => 3 * MINUTE,
  async strike(ctx) {
    ctx.release();
  },
};

const kill9: Scenario = {
  name: 'kill9',
  summary: 'kill -9 of the service mid-survey (three times, turns in flight), each time restarted on the same port',
  cast: () => everyone(2),
  // A killed worker's jobs and locks are taken over only after their 30–60 s leases run out.
  patience: { recoveryMs: 120_000 },
  budgetMs: () => 6 * MINUTE,
  async strike(ctx) {
    const { service } = ctx.rig;
    const startsBefore = service.starts();
    ctx.release();
    // Right after the release (turns of the released messages in flight), then while the
    // callbacks WeCom retried during the downtime are being handled, then later on.
    for (const pause of [300, 1_500, ctx.quick ? 2_000 : 4_000]) {
      // Let the released messages reach the service and their turns start, then pull the plug.
      await sleep(pause);
      const pid = service.pid();
      await service.stop('SIGKILL');
      ctx.note(`killed pid ${pid}`);
      await service.start();
    }
    if (service.starts() - startsBefore !== 3) ctx.invalid('the service was not restarted three times');
  },
};

/** Preloaded into the service by `heap-oom`: on SIGUSR2 it allocates until V8 gives up. */
const HEAP_HOG = resolve('test/support/heapHog.mjs');

const heapOom: Scenario = {
  name: 'heap-oom',
  summary: 'the service dies of a real heap OOM mid-survey (twice: turns in flight, then during the catch-up), each time restarted on the same port',
  cast: () => everyone(2),
  // A small heap so the hog dies in a second or two; the service itself lives well under it.
  serviceEnv: () => ({ NODE_OPTIONS: `--max-old-space-size=160 --import=${HEAP_HOG}` }),
  // As kill9: a dead worker's jobs and locks are taken over once their leases run out.
  patience: { recoveryMs: 120_000 },
  budgetMs: () => 6 * MINUTE,
  async strike(ctx) {
    const { service } = ctx.rig;
    ctx.release();
    for (const pause of [300, 2_000]) {
      await sleep(pause);
      const pid = service.pid();
      if (pid === undefined) return ctx.invalid('the service was not running');
      process.kill(pid, 'SIGUSR2');
      // It dies on its own (V8 aborts); the stop is only the deadline if it does not.
      const died = await pollUntil(async () => !service.running(), Date.now() + 30_000, 100);
      if (!died) ctx.invalid(`pid ${pid} did not run out of heap within 30 s`);
      else if (!/heap out of memory/.test(service.tail())) ctx.invalid(`pid ${pid} exited, but not of a heap OOM`);
      const exit = await service.stop('SIGKILL');
      ctx.note(`pid ${pid} died (${exit.signal ?? `exit ${exit.exitCode}`})`);
      await service.start();
    }
  },
};

const ferretdbOutage: Scenario = {
  name: 'ferretdb-outage',
  summary: 'FerretDB killed (kill -9) for 2 minutes (20 s with --quick), then restarted on the same port and files',
  cast: () => everyone(1),
  // Time for the driver to reconnect and a retried turn to come round once FerretDB is back.
  patience: { recoveryMs: 75_000 },
  budgetMs: (quick) => (quick ? 4 : 6) * MINUTE,
  async strike(ctx) {
    const { ferretdb } = ctx.rig;
    await ferretdb.stop('SIGKILL');
    ctx.release();
    await sleep(ctx.quick ? 20_000 : 2 * MINUTE);
    await ferretdb.start();
  },
};

const redisRestart: Scenario = {
  name: 'redis-restart',
  summary: 'redis-server stopped (SIGTERM, append-only file kept) for 5 s, then restarted on the same port and files',
  cast: () => everyone(1),
  budgetMs: () => 4 * MINUTE,
  async strike(ctx) {
    const { redis } = ctx.rig;
    await redis.stop('SIGTERM');
    ctx.release();
    await sleep(ctx.quick ? 3_000 : 5_000);
    await redis.start();
  },
};

let cluster: TestRedisCluster | undefined;

const redisClusterFailover: Scenario = {
  name: 'redis-cluster-failover',
  summary: 'the service on a Redis Cluster (3 masters, 3 replicas); the master of the inbox slot is killed (SIGKILL) mid-survey and its replica takes over',
  cast: () => everyone(2),
  patience: { recoveryMs: 120_000 },
  budgetMs: () => 6 * MINUTE,
  async prepare() {
    cluster ??= await startRedisCluster();
  },
  serviceEnv: () => ({ REDIS_URL: '', REDIS_CLUSTER_NODES: cluster!.seedList }),
  async strike(ctx) {
    const c = cluster!;
    const keys = redisKeys(REDIS_PREFIX_OF_RIG, { hashTags: true });
    // Every customer message passes the inbox; its slot's master is the one whose loss hurts most.
    const victim = await c.masterOf(keys.inboxWaiting);
    const alsoQueues = (await c.masterOf(`${keys.bullPrefix}:turns:wait`)) === victim;
    ctx.release();
    await sleep(500);
    const killedAt = Date.now();
    await c.kill(victim);
    // Healthy only once the others marked it failed and its replica serves its slots.
    if (!(await pollUntil(async () => (await c.masterOf(keys.inboxWaiting)) !== victim, Date.now() + 60_000, 100))) ctx.invalid('the replica did not take over within 60 s');
    await c.whenHealthy(60_000);
    ctx.note(`master :${victim.port} killed${alsoQueues ? ' (it served the queues too)' : ''}; replica promoted in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
  },
  async check(ctx) {
    const roles = await cluster!.roles();
    const masters = [...roles].filter(([, role]) => role === 'master');
    if (masters.length !== 3) ctx.invalid(`expected 3 live masters after the failover, found ${masters.length}`);
    if (![...roles.values()].includes('failed')) ctx.invalid('no node is marked failed: the master was not killed');
  },
  async teardown(ctx) {
    // The service goes first: on a cluster that is gone it could not shut down cleanly.
    await ctx.rig.service.stop('SIGTERM');
    await cluster?.stop();
    cluster = undefined;
  },
};

/** WeCom's sending side: replies, welcome messages, hand-over transfers and advisor alerts. */
const SENDING_SIDE = ['/cgi-bin/kf/send_msg', '/cgi-bin/kf/service_state/trans', '/cgi-bin/webhook/send', '/cgi-bin/message/send'];

const wecomOutage: Scenario = {
  name: 'wecom-outage',
  summary: 'WeCom API for a minute (18 s with --quick), in thirds: every call done only after 8 s (past the client timeout); sending calls answer 503 while sync_msg works; every call 503',
  cast: () => everyone(1),
  patience: { recoveryMs: 120_000 },
  budgetMs: (quick) => (quick ? 4 : 6) * MINUTE,
  async strike(ctx) {
    const third = ctx.quick ? 6_000 : 20_000;
    const { sim } = ctx.rig;
    const hits = async () => {
      const stats = await sim.stats();
      return stats.apiFailed + stats.apiDelayed;
    };
    const phases: Array<{ label: string; fault: Parameters<typeof sim.setFaults>[0]['api'] }> = [
      // The released messages' pulls time out first (and happen anyway, late).
      { label: 'timing out', fault: { mode: 'timeout', delayMs: 8_000, paths: [] } },
      // Pulls now work, turns run and are saved, and then their replies cannot be sent.
      { label: 'sending side 503', fault: { mode: 'error', status: 503, paths: SENDING_SIDE } },
      { label: 'all 503', fault: { mode: 'error', status: 503, paths: [] } },
    ];
    const counts: string[] = [];
    for (const [i, phase] of phases.entries()) {
      const before = await hits();
      await sim.setFaults({ api: phase.fault });
      if (i === 0) ctx.release();
      await sleep(third);
      const n = (await hits()) - before;
      counts.push(`${phase.label}: ${n}`);
      if (n === 0 && i < 2) ctx.invalid(`the service made no WeCom call while it was ${phase.label}`);
    }
    await sim.setFaults({ api: { mode: 'none' } });
    ctx.note(`WeCom calls hit by the fault: ${counts.join(', ')}`);
  },
  async teardown(ctx) {
    await ctx.rig.sim.setFaults({ api: { mode: 'none' } });
  },
};

const llmOutage: Scenario = {
  name: 'llm-outage',
  summary: 'the LLM endpoint answers 500 until the fault point, then answers only after the client timeout (rules must take over)',
  cast: () => everyone(1),
  serviceEnv: (rig) => llmEnv(rig),
  budgetMs: () => 4 * MINUTE,
  async setup(ctx) {
    ctx.rig.llm.mode = 'fail';
    ctx.rig.llm.requests = { fail: 0, slow: 0 };
  },
  async strike(ctx) {
    ctx.rig.llm.mode = 'slow';
    ctx.release();
  },
  async teardown(ctx) {
    ctx.rig.llm.mode = 'fail';
  },
  async check(ctx) {
    const { fail, slow } = ctx.rig.llm.requests;
    ctx.note(`LLM asked ${fail} times while failing, ${slow} times while slow`);
    if (fail === 0 || slow === 0) ctx.invalid('the service did not ask the LLM in both phases');
  },
};

const poison: Scenario = {
  name: 'poison',
  summary: 'an inbox item the turn cannot handle is planted ahead of the next message of three customers',
  cast: () => everyone(1),
  budgetMs: () => 4 * MINUTE,
  async strike(ctx) {
    const targets = ctx.customers.filter((c) => ['promoter', 'passive', 'human'].includes(c.persona.name));
    for (const target of targets) {
      const conversation = { channel: KF_CHANNEL, accountId: ctx.rig.openKfId, customerId: target.id };
      // Well-formed enough to be taken up (id, conversation, kind) but not handleable: a text without text.
      const item = JSON.stringify({ id: `poison-${target.id}`, conversation, kind: 'text', sentAt: new Date().toISOString() });
      await ctx.rig.redisClient.rpush(ctx.rig.keys.inbox(conversationKey(conversation)), item);
    }
    ctx.note(`poisoned ${targets.length} inboxes`);
    if (targets.length === 0) ctx.invalid('no customer to poison');
    ctx.release();
  },
};

const callbacks: Scenario = {
  name: 'callbacks',
  summary: 'every callback delivered 3 times (one copy racing the original) and every other one held 1.5 s so the next overtakes it',
  cast: () => everyone(1),
  budgetMs: () => 4 * MINUTE,
  async setup(ctx) {
    await ctx.rig.sim.setFaults({ callbacks: { duplicates: 2, reorderMs: 1_500 } });
  },
  async strike(ctx) {
    ctx.release();
  },
  async teardown(ctx) {
    await ctx.rig.sim.setFaults({ callbacks: { duplicates: 0, reorderMs: 0 } });
  },
  async check(ctx) {
    const stats = await ctx.rig.sim.stats();
    ctx.note(`${stats.callbackCopies} extra callback copies, ${stats.callbacksHeld} held back`);
    if (stats.callbackCopies === 0 || stats.callbacksHeld === 0) ctx.invalid('no callback was duplicated or reordered');
  },
};

const restart200: Scenario = {
  name: 'restart-200',
  summary: '200 customers (60 with --quick) greeted, then all write at once while the service restarts (SIGTERM, start again)',
  cast: (quick) => {
    const scale = quick ? 0.3 : 1;
    const n = (count: number) => Math.max(1, Math.round(count * scale));
    return [
      { persona: 'promoter', count: n(60), take: 3, faultAt: 1 },
      { persona: 'passive', count: n(20), take: 3, faultAt: 1 },
      { persona: 'detractor', count: n(30), take: 3, faultAt: 1 },
      { persona: 'human', count: n(30), take: 2, faultAt: 1 },
      { persona: 'optout', count: n(20), take: 2, faultAt: 1 },
      { persona: 'linker', count: n(20), take: 2, faultAt: 1 },
      { persona: 'combo', count: n(20), take: 2, faultAt: 1 },
    ];
  },
  // 200 customers at once queue behind each other on 2 shared cores.
  patience: { normalMs: 90_000, recoveryMs: 120_000 },
  budgetMs: () => 8 * MINUTE,
  async strike(ctx) {
    const { service } = ctx.rig;
    const startsBefore = service.starts();
    ctx.release();
    await sleep(200);
    const exit = await service.stop('SIGTERM', 30_000);
    ctx.note(`service stopped (${exit.signal ?? `exit ${exit.exitCode}`})`);
    await service.start();
    if (service.starts() === startsBefore) ctx.invalid('the service was not restarted');
  },
};

export const SCENARIOS: readonly Scenario[] = [baseline, kill9, heapOom, ferretdbOutage, redisRestart, redisClusterFailover, wecomOutage, llmOutage, poison, callbacks, restart200];
