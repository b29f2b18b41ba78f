import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createKfClient } from '../../../src/channels/wecom/index.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { createAdvisorNotifier } from '../../../src/escalation/index.ts';
import type { RunningService } from '../../../src/main.ts';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { connectRedis, type Redis } from '../../../src/store/redis/connectRedis.ts';
import { createRedisEscalationState } from '../../../src/store/redis/redisEscalationState.ts';
import { redisKeys } from '../../../src/store/redis/redisKeys.ts';
import { createRedisLock } from '../../../src/store/redis/redisLock.ts';
import { createRedisWecomState } from '../../../src/store/redis/redisWecomState.ts';
import { escalationFlowsDir, escalationOf, eventually, robotContents } from '../../support/escalationHarness.ts';
import { startOpenAiStub, type OpenAiStub } from '../../support/openaiStub.ts';
import { botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

const logger = createLogger({ level: 'silent' });

describe('the robot outbox: 20 a minute, merged, never dropped', () => {
  let sim: WecomSimulator;
  let redis: Redis;
  let now = Date.parse('2026-05-01T09:00:00+08:00');

  beforeAll(async () => {
    sim = createWecomSimulator({ now: () => now });
    await sim.listen();
    redis = await connectRedis({ url: inject('redisUrl'), logger });
  });
  afterAll(async () => {
    redis?.disconnect();
    await sim?.close();
  });

  function rig(key: string) {
    const keys = redisKeys(`hf:test:robot:${randomBytes(4).toString('hex')}:`);
    const client = createKfClient({ corpId: sim.corpId, secret: sim.kfSecret, apiBase: sim.apiBase, tokens: createRedisWecomState(redis, keys).tokens, logger, retryDelayMs: 20 });
    const url = `${sim.apiBase}/cgi-bin/webhook/send?key=${key}`;
    const scheduled: number[] = [];
    const sent: string[] = [];
    const notifier = createAdvisorNotifier({
      robot: { name: key, send: (body) => client.sendWebhook({ url }, body) },
      runtime: createRedisEscalationState(redis, keys),
      locks: createRedisLock(redis, keys),
      logger,
      scheduleFlush: async (delayMs) => {
        scheduled.push(delayMs);
      },
      onRobotSent: async (items) => {
        sent.push(...items.map((i) => i.escalationId));
      },
      now: () => now,
    });
    const countFor = () => robotContents(sim.robotMessages()).filter((m) => m.includes(`[${key}]`)).length;
    return { notifier, scheduled, sent, countFor, runtime: createRedisEscalationState(redis, keys) };
  }

  const section = (key: string, i: number) => `### 转人工：测试 ${i} [${key}]\n> 客户：**顾客${i}**\n> ${'说明'.repeat(40)}`;

  it('sends 20 in a minute, keeps the rest queued, then merges them into one message', async () => {
    const { notifier, scheduled, sent, countFor, runtime } = rig('burst');
    for (let i = 0; i < 20; i++) {
      await notifier.queueRobot({ escalationId: `e${i}`, round: 1, section: section('burst', i) });
      expect(await notifier.flushRobot()).toBe('sent');
    }
    expect(countFor()).toBe(20);
    for (let i = 20; i < 25; i++) await notifier.queueRobot({ escalationId: `e${i}`, round: 1, section: section('burst', i) });
    expect(await notifier.flushRobot()).toBe('limited');
    // We never asked WeCom for a 21st message inside the minute, and nothing was dropped.
    expect(countFor()).toBe(20);
    expect(await runtime.robotOutbox.size()).toBe(5);
    expect(scheduled.at(-1)).toBeGreaterThan(55_000);

    now += 63_000;
    expect(await notifier.flushRobot()).toBe('sent');
    const contents = robotContents(sim.robotMessages()).filter((m) => m.includes('[burst]'));
    expect(contents).toHaveLength(21);
    expect(contents.at(-1)).toMatch(/^\*\*5 条转人工待处理\*\*/);
    for (let i = 20; i < 25; i++) expect(contents.at(-1)).toContain(`测试 ${i} [burst]`);
    expect(sent).toEqual(Array.from({ length: 25 }, (_, i) => `e${i}`));
    expect(await runtime.robotOutbox.size()).toBe(0);
  });

  it('queues a section once per escalation and round, however often a retried job queues it', async () => {
    const { notifier, countFor, runtime } = rig('again');
    // A notify job killed after queueing runs again: same escalation, same round.
    await notifier.queueRobot({ escalationId: 'a1', round: 1, section: section('again', 1) });
    await notifier.queueRobot({ escalationId: 'a1', round: 1, section: section('again', 1) });
    await notifier.queueRobot({ escalationId: 'a1', round: 2, section: section('again', 2) });
    expect(await runtime.robotOutbox.size()).toBe(2);
    expect(await notifier.flushRobot()).toBe('sent');
    expect(countFor()).toBe(1);
    const content = robotContents(sim.robotMessages()).find((m) => m.includes('[again]'))!;
    expect(content.split('测试 1 [again]')).toHaveLength(2);
    expect(content).toContain('测试 2 [again]');
  });

  it('splits a large backlog into messages under 4 KB', async () => {
    const { notifier, countFor } = rig('big');
    for (let i = 0; i < 30; i++) await notifier.queueRobot({ escalationId: `b${i}`, round: 1, section: section('big', i) });
    expect(await notifier.flushRobot()).toBe('sent');
    const contents = robotContents(sim.robotMessages()).filter((m) => m.includes('[big]'));
    expect(contents.length).toBeGreaterThan(1);
    expect(contents.length).toBeLessThan(30);
    expect(countFor()).toBe(contents.length);
    for (const c of contents) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(4096);
    for (let i = 0; i < 30; i++) expect(contents.some((c) => c.includes(`测试 ${i} [big]`))).toBe(true);
  });

  it('backs off a minute when WeCom itself answers 45009, keeping the items', async () => {
    const { notifier, scheduled, runtime } = rig('shared');
    // Another sender used up this robot's minute.
    const other = createKfClient({ corpId: sim.corpId, secret: sim.kfSecret, apiBase: sim.apiBase, tokens: createRedisWecomState(redis, redisKeys('hf:test:other:')).tokens, logger });
    for (let i = 0; i < 20; i++) await other.sendWebhook({ key: 'shared' }, { msgtype: 'text', text: { content: `other ${i}` } });
    await notifier.queueRobot({ escalationId: 's1', round: 1, section: section('shared', 1) });
    expect(await notifier.flushRobot()).toBe('limited');
    expect(scheduled.at(-1)).toBe(60_000);
    expect(await runtime.robotOutbox.size()).toBe(1);
  });
});

describe('reminders and summaries through the whole service', () => {
  let service: RunningService;
  let sim: WecomSimulator;
  let stub: OpenAiStub;

  beforeAll(async () => {
    // Reply analysis (structured output) is refused so the rules read answers; the summary call gets two lines.
    stub = await startOpenAiStub((request) =>
      request.body.response_format || request.body.tools
        ? { kind: 'status', status: 400, message: 'not in this test' }
        : { kind: 'content', content: '顾客要求人工处理订单问题\n情绪急躁，希望尽快回电' },
    );
    service = await startTestService(
      isolatedEnv('escnotify', {
        FLOWS_DIR: await escalationFlowsDir(),
        DEFAULT_FLOW_ID: 'nps-advisors',
        ESCALATION_RENOTIFY_MINUTES: '0.02',
        ESCALATION_REASON_WAIT_MINUTES: '0.02',
        OPENAI_API_KEY: 'test-key',
        OPENAI_BASE_URL: stub.baseUrl,
        OPENAI_MODEL: 'stub-model',
      }),
    );
    sim = service.simulator!;
  });
  afterAll(async () => {
    await service?.stop();
    await stub?.close();
  });

  it('notifies with the LLM summary, reminds while nobody replies, and stops once an advisor has replied', async () => {
    const c = customer(service, sim, 'wm_waiting');
    await c.says('你好');
    await c.says('转人工，快点');
    const reminder = await eventually(() => robotContents(sim.robotMessages()).find((m) => m.includes('仍未回复')), 15_000, 'reminder');
    expect(reminder).toContain('<@advisor1>');
    const first = robotContents(sim.robotMessages()).find((m) => m.includes('转人工：客户要求人工'));
    expect(first).toContain('> 摘要：顾客要求人工处理订单问题');
    expect(first).toContain('> 摘要：情绪急躁，希望尽快回电');
    const summaryCall = stub.requests.find((r) => !r.body.response_format && !r.body.tools);
    expect(summaryCall?.body.messages?.at(-1)?.content).toContain('转人工，快点');

    await sim.servicerSays('wm_waiting', 'advisor1', '您好，马上为您处理');
    await service.idle();
    const e = await eventually(async () => {
      const found = await escalationOf(service, 'wm_waiting');
      return found?.firstReplyAt ? found : undefined;
    }, 10_000, 'first reply');
    expect(e.summary).toEqual(['顾客要求人工处理订单问题', '情绪急躁，希望尽快回电']);
    const reminders = () => robotContents(sim.robotMessages()).filter((m) => m.includes('仍未回复')).length;
    const count = reminders();
    await new Promise((r) => setTimeout(r, 3_000));
    await service.idle();
    expect(reminders()).toBe(count);
    expect(e.actions.some((a) => a.action === 'renotified')).toBe(true);
  });

  it('hands a detractor over anyway when they do not say why in time', async () => {
    const c = customer(service, sim, 'wm_silent');
    await c.says('你好');
    expect((await c.says('2')).join()).toMatch(/抱歉/);
    const e = await eventually(async () => {
      const found = await escalationOf(service, 'wm_silent');
      return found?.handover === 'person' ? found : undefined;
    }, 15_000, 'hand-over after the reason deadline');
    expect(botTexts(sim, 'wm_silent').at(-1)).toMatch(/同事/);
    expect(sim.serviceState('wm_silent')).toEqual({ state: 3, servicerId: 'advisor2' });
    expect(e).toMatchObject({ trigger: 'detractor', score: 2 });
    expect(e.session?.status).toBe('escalated');
    expect(e.session?.answers.nps?.value).toBe(2);
  });
});
