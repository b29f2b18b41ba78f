import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Connection } from 'mongoose';
import { createLogger } from '../../src/core/logger.ts';
import { SIMULATOR_DEFAULTS } from '../../src/simulator/wecomSimulator.ts';
import { findFreePort } from '../../src/store/embedded/childProcess.ts';
import { ensureFerretdbBinary } from '../../src/store/embedded/buildFerretdb.ts';
import { connectMongo } from '../../src/store/mongo/connectMongo.ts';
import { connectRedis, type Redis } from '../../src/store/redis/connectRedis.ts';
import { redisKeys, type RedisKeys } from '../../src/store/redis/redisKeys.ts';
import { startOpenAiStub, type OpenAiStub } from '../support/openaiStub.ts';
import { createManagedProcess, type ManagedProcess } from './processes.ts';
import { createSimClient, startFeed, type Feed, type SimClient } from './simClient.ts';

/**
 * The fault suite's world: FerretDB, redis-server, the WeCom simulator and the service, each a
 * real process on a loopback port chosen once per run (so a killed one comes back on the same
 * port and data), plus an OpenAI-compatible stub in this process whose mode the scenarios flip.
 */

/** What the LLM stub does with each request. */
export type LlmMode = 'fail' | 'slow';

export interface Rig {
  dir: string;
  logDir: string;
  ferretdb: ManagedProcess;
  redis: ManagedProcess;
  simulator: ManagedProcess;
  service: ManagedProcess;
  sim: SimClient;
  feed: Feed;
  /** The driver's own connections, for reading results and planting poison. */
  mongo: Connection;
  redisClient: Redis;
  keys: RedisKeys;
  openKfId: string;
  llm: { stub: OpenAiStub; mode: LlmMode; timeoutMs: number; requests: Record<LlmMode, number> };
  /** Makes sure every process runs and the service runs with exactly these extra variables. */
  ensureHealthy(serviceEnv: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export const REDIS_PREFIX = 'hf:faults:';
const LLM_TIMEOUT_MS = 1_500;

export async function startRig(options: { dir: string; onProgress: (line: string) => void }): Promise<Rig> {
  const dir = resolve(options.dir);
  const logDir = join(dir, 'logs');
  await rm(dir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  await mkdir(join(dir, 'ferretdb'), { recursive: true });
  await mkdir(join(dir, 'redis'), { recursive: true });
  const bin = await ensureFerretdbBinary(resolve('.data/bin'), options.onProgress);
  const [mongoPort, redisPort, simPort, servicePort] = await distinctPorts(4);

  const ferretdb = createManagedProcess({
    name: 'ferretdb',
    command: bin,
    args: ['-listen', `127.0.0.1:${mongoPort}`, '-state-dir', join(dir, 'ferretdb')],
    logFile: join(logDir, 'ferretdb.log'),
    ready: { line: /READY mongodb:\/\// },
    readyTimeoutMs: 60_000,
  });
  const redis = createManagedProcess({
    name: 'redis-server',
    // Through our binary's watch-parent mode (as the service does): it dies with the driver, even on SIGKILL.
    command: bin,
    // Append-only with fsync every second, so a restart keeps what was acknowledged.
    args: ['watch-parent', '--', 'redis-server', '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', join(dir, 'redis'), '--daemonize', 'no', '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'],
    logFile: join(logDir, 'redis.log'),
    ready: { line: /Ready to accept connections/ },
    readyTimeoutMs: 30_000,
  });
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const simulator = createManagedProcess({
    name: 'simulator',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/simulator.ts', '--port', String(simPort), '--callback-url', `${serviceUrl}/wecom/callback`],
    env: baseEnv(),
    logFile: join(logDir, 'simulator.log'),
    ready: { line: /READY http/ },
    readyTimeoutMs: 60_000,
  });
  const simBase = `http://127.0.0.1:${simPort}`;
  const serviceEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    ...baseEnv(),
    PORT: String(servicePort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATA_DIR: join(dir, 'service'),
    MONGODB_URI: `mongodb://127.0.0.1:${mongoPort}/faults`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_KEY_PREFIX: REDIS_PREFIX,
    WECOM_CORP_ID: SIMULATOR_DEFAULTS.corpId,
    WECOM_TOKEN: SIMULATOR_DEFAULTS.token,
    WECOM_ENCODING_AES_KEY: SIMULATOR_DEFAULTS.encodingAesKey,
    WECOM_KF_SECRET: SIMULATOR_DEFAULTS.kfSecret,
    WECOM_API_BASE: simBase,
    WECOM_ROBOT_WEBHOOK: `${simBase}/cgi-bin/webhook/send?key=faults`,
    WECOM_APP_SECRET: SIMULATOR_DEFAULTS.appSecret,
    WECOM_AGENT_ID: '1000002',
    PUBLIC_URL: serviceUrl,
    // Re-notifications would add robot messages the suite does not expect within one run.
    ESCALATION_RENOTIFY_MINUTES: '600',
    FLOWS_DIR: 'flows',
    ...extra,
  });
  let currentExtra: Record<string, string> = {};
  const service = createManagedProcess({
    name: 'service',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    env: serviceEnv(currentExtra),
    logFile: join(logDir, 'service.log'),
    ready: { probe: () => isReady(serviceUrl) },
    readyTimeoutMs: 120_000,
  });

  options.onProgress(`starting FerretDB :${mongoPort}, redis-server :${redisPort}, simulator :${simPort}, service :${servicePort} (logs in ${logDir})`);
  await Promise.all([ferretdb.start(), redis.start(), simulator.start()]);
  await service.start();
  const logger = createLogger({ level: 'silent' });
  const mongo = await connectMongo({ uri: `mongodb://127.0.0.1:${mongoPort}/`, dbName: 'faults', logger });
  const redisClient = await connectRedis({ url: `redis://127.0.0.1:${redisPort}`, logger, name: 'fault-suite' });

  const llm: Rig['llm'] = {
    mode: 'fail',
    timeoutMs: LLM_TIMEOUT_MS,
    requests: { fail: 0, slow: 0 },
    stub: await startOpenAiStub(() => {
      llm.requests[llm.mode] += 1;
      return llm.mode === 'fail'
        ? { kind: 'status', status: 500, message: 'simulated LLM outage' }
        : // Slower than the client's timeout: the answer arrives after the caller gave up.
          { kind: 'delay', ms: LLM_TIMEOUT_MS + 2_000, then: { kind: 'content', content: 'too late' } };
    }),
  };

  const sim = createSimClient(simBase);
  const feed = startFeed(simBase);

  return {
    dir,
    logDir,
    ferretdb,
    redis,
    simulator,
    service,
    sim,
    feed,
    mongo,
    redisClient,
    keys: redisKeys(REDIS_PREFIX),
    openKfId: SIMULATOR_DEFAULTS.openKfId,
    llm,
    async ensureHealthy(extra) {
      await sim.setFaults({ api: { mode: 'none' }, callbacks: { duplicates: 0, reorderMs: 0 } }).catch(() => undefined);
      if (!ferretdb.running()) await ferretdb.start();
      if (!redis.running()) await redis.start();
      if (!simulator.running()) throw new Error('the simulator died; its transcripts are gone, so the run cannot go on');
      const sameEnv = JSON.stringify(extra) === JSON.stringify(currentExtra);
      if (service.running() && sameEnv && (await isReady(serviceUrl))) return;
      if (service.running()) await service.stop('SIGTERM');
      currentExtra = extra;
      service.setEnv(serviceEnv(extra));
      await service.start();
    },
    async close() {
      await feed.stop();
      await service.stop('SIGTERM', 20_000).catch(() => undefined);
      await mongo.close().catch(() => undefined);
      redisClient.disconnect();
      await llm.stub.close().catch(() => undefined);
      await Promise.all([simulator.stop('SIGTERM', 5_000), ferretdb.stop('SIGTERM', 10_000), redis.stop('SIGTERM', 10_000)]);
    },
  };
}

/** The LLM settings a scenario gives the service to make it use the stub. */
export function llmEnv(rig: Rig): Record<string, string> {
  return { OPENAI_API_KEY: 'fault-suite', OPENAI_BASE_URL: rig.llm.stub.baseUrl, OPENAI_MODEL: 'stub-model', OPENAI_TIMEOUT_MS: String(rig.llm.timeoutMs) };
}

/** Only what node and tsx need: nothing from the caller's environment (no stray OPENAI_* or WECOM_*). */
function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])));
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel().catch(() => undefined);
    return response.status === 200;
  } catch {
    return false;
  }
}

async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  // Bounded: free ports are plentiful; the OS may hand the same one out twice in a row.
  for (let i = 0; i < count * 10 && ports.size < count; i++) ports.add(await findFreePort());
  if (ports.size < count) throw new Error('could not find free loopback ports');
  return [...ports];
}
