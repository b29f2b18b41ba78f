import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createWecomChannel, type WecomChannel, type WecomChannelDeps } from '../../../src/channels/wecom/index.ts';
import type { InboundMessage } from '../../../src/core/messages.ts';
import { mountRoutes } from '../../../src/http/mountRoutes.ts';
import { connectRedis, type Redis } from '../../../src/store/redis/connectRedis.ts';
import { createRedisLock } from '../../../src/store/redis/redisLock.ts';
import { createRedisWecomState } from '../../../src/store/redis/redisWecomState.ts';
import { createWecomSimulator, type SimulatorOptions, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

/** One running "process": its own Redis connection, channel, worker and HTTP server. */
export interface HarnessInstance {
  channel: WecomChannel;
  baseUrl: string;
  redis: Redis;
  server: Server;
}

export interface Harness {
  stores: TestStores;
  sim: WecomSimulator;
  instances: HarnessInstance[];
  /** The first instance's channel (the one WeCom calls back). */
  channel: WecomChannel;
  callbackUrl: string;
  /** Everything handed to onInbound, in hand-on order. */
  inbound: InboundMessage[];
  /** Waits until every callback job is done. */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Real Redis, the WeCom simulator over HTTP, and `instances` channel processes sharing one
 * key prefix. WeCom calls back instance 0; all instances run queue workers.
 */
export async function startHarness(options: {
  label: string;
  instances?: number;
  simulator?: SimulatorOptions;
  onInbound?: (message: InboundMessage, inbound: InboundMessage[]) => Promise<void>;
  channel?: Partial<Pick<WecomChannelDeps, 'options'>> & { config?: Partial<WecomChannelDeps['config']> };
}): Promise<Harness> {
  const stores = await openTestStores(options.label);
  const sim = createWecomSimulator(options.simulator);
  await sim.listen();
  const inbound: InboundMessage[] = [];
  const onInbound = async (message: InboundMessage) => {
    if (options.onInbound) await options.onInbound(message, inbound);
    else inbound.push(message);
  };
  const instances: HarnessInstance[] = [];
  for (let i = 0; i < (options.instances ?? 1); i++) {
    const redis = await connectRedis({ url: stores.redisUrl, logger: stores.logger, name: `harness-${i}` });
    const channel = createWecomChannel({
      config: {
        corpId: sim.corpId,
        token: sim.token,
        encodingAesKey: sim.encodingAesKey,
        kfSecret: sim.kfSecret,
        apiBase: sim.apiBase,
        maxSkewSeconds: 0,
        ...options.channel?.config,
      },
      state: createRedisWecomState(redis, stores.keys),
      locks: createRedisLock(redis, stores.keys),
      queue: { redisUrl: stores.redisUrl, prefix: stores.keys.bullPrefix, concurrency: 4 },
      logger: stores.logger,
      onInbound,
      options: { jobBackoffMs: 50, apiRetryDelayMs: 20, ...options.channel?.options },
    });
    const app = new Koa();
    app.use(mountRoutes(channel.routes).routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await channel.start();
    instances.push({ channel, baseUrl, redis, server });
  }
  const first = instances[0]!;
  const callbackUrl = `${first.baseUrl}/wecom/callback`;
  sim.setCallbackUrl(callbackUrl);
  return {
    stores,
    sim,
    instances,
    channel: first.channel,
    callbackUrl,
    inbound,
    async idle(timeoutMs = 20_000) {
      // Jobs queued by background callbacks may land just after we look: settle twice.
      await first.channel.whenIdle({ timeoutMs });
      await new Promise((r) => setTimeout(r, 30));
      await first.channel.whenIdle({ timeoutMs });
    },
    async close() {
      await sim.close();
      for (const instance of instances) {
        await instance.channel.stop();
        instance.server.closeAllConnections();
        await new Promise((r) => instance.server.close(r));
        instance.redis.disconnect();
      }
      await stores.close();
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
