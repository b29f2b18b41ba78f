// Benchmark (not a test): simulated customers complete the default NPS flow through the WeCom
// simulator against service processes on embedded FerretDB and Redis, rules-only analyser.
//   npm run -s bench -- --customers 200 --stored 100000 [--workers 2] [--reuse] [--json]
//   npm run bench -- 50                      (50 customers, empty store)
//   npm run -s bench -- --customers 10000 --open-only   (10,000 sessions left open: memory)
// Prints human-readable lines, then (with --json) one JSON line:
//   {customers, messages, storedSessions, throughput, p50Ms, p99Ms, bareThroughput, rssMiB, ...}
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/core/logger.ts';
import { callbackUrlWithQuery, cdata, sealCallback } from '../src/simulator/callbackCrypto.ts';
import { createWecomSimulator, type WecomSimulator } from '../src/simulator/wecomSimulator.ts';
import { startEmbeddedMongo } from '../src/store/embedded/startEmbeddedMongo.ts';
import { startEmbeddedRedis } from '../src/store/embedded/startEmbeddedRedis.ts';
import { connectMongo } from '../src/store/mongo/connectMongo.ts';
import { seedSessions } from './lib/seedSessions.ts';
import { startRoundRobin } from '../test/support/roundRobin.ts';
import { cpuMsOf, startServiceWorker, type ServiceWorker } from './lib/serviceWorkers.ts';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    customers: { type: 'string' },
    stored: { type: 'string', default: '0' },
    workers: { type: 'string', default: '1' },
    reuse: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'bare-seconds': { type: 'string', default: '5' },
    // Each customer only says hello: N customers leave N open sessions (memory with many open).
    'open-only': { type: 'boolean', default: false },
    // Mean pause before each message, as people type: latency at a load the service can carry
    // (with no pause, every customer writes back at once and latency is only queueing).
    'think-ms': { type: 'string', default: '0' },
  },
});
const customers = Number(values.customers ?? positionals[0] ?? 50);
const stored = Number(values.stored);
const workerCount = Number(values.workers);
const say = (line: string) => console.log(line);
const survey: Array<string | { click: RegExp }> = ['你好', '9', '顾问很专业', { click: /5/ }, { click: /4/ }, { click: /5/ }, { click: /4/ }, '下个月', '面部护理', { click: /推荐朋友/ }];
const script = values['open-only'] ? survey.slice(0, 1) : survey;

// A store seeded once per size is kept for --reuse; without it the data starts empty.
const dataDir = `.data/bench/store-${stored}`;
if (!values.reuse) await rm(dataDir, { recursive: true, force: true });
const seededMarker = `${dataDir}/seeded`;
await mkdir(dataDir, { recursive: true });
const quiet = createLogger({ level: 'warn' });
const [mongo, redis] = await Promise.all([
  startEmbeddedMongo({ dataDir, binDir: '.data/bin', log: say }),
  startEmbeddedRedis({ dataDir, binDir: '.data/bin', persist: true }),
]);
const mongoUri = `${mongo.url.replace(/\/$/, '')}/huifang_bench`;
let seedSeconds = 0;
if (stored > 0 && !existsSync(seededMarker)) {
  say(`seeding ${stored} completed sessions…`);
  const conn = await connectMongo({ uri: mongoUri, logger: quiet });
  seedSeconds = await seedSessions(conn, stored, say);
  await conn.close();
  await writeFile(seededMarker, String(stored));
  say(`seeded ${stored} sessions in ${seedSeconds.toFixed(0)} s`);
} else if (stored > 0) say(`reusing ${stored} seeded sessions in ${dataDir}`);

const sim = createWecomSimulator({ retryCallbacks: true });
const simBase = await sim.listen();
const runId = Date.now().toString(36);
const env = {
  MONGODB_URI: mongoUri,
  REDIS_URL: redis.url,
  REDIS_KEY_PREFIX: `hf:bench:${runId}:`,
  WECOM_CORP_ID: sim.corpId,
  WECOM_TOKEN: sim.token,
  WECOM_ENCODING_AES_KEY: sim.encodingAesKey,
  WECOM_KF_SECRET: sim.kfSecret,
  WECOM_API_BASE: simBase,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  DATA_DIR: `${dataDir}/service`,
};
const workers: ServiceWorker[] = [];
for (let i = 0; i < workerCount; i++) workers.push(await startServiceWorker(env, say));
const balancer = await startRoundRobin(workers.map((w) => `${w.url}/wecom/callback`));
sim.setCallbackUrl(`${balancer.url}/wecom/callback`);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, ...workers.map((w) => w.rssMiB()))), 200);

// Replies are awaited through the simulator's event feed (no polling of the service).
const replyCounts = new Map<string, number>();
const waiters = new Map<string, { count: number; resolve: () => void }>();
sim.onEvent(({ customerId, message }) => {
  if (message.direction !== 'out') return;
  const count = (replyCounts.get(customerId) ?? 0) + 1;
  replyCounts.set(customerId, count);
  const waiter = waiters.get(customerId);
  if (waiter && count >= waiter.count) {
    waiters.delete(customerId);
    waiter.resolve();
  }
});

function waitForReply(id: string, count: number, timeoutMs = 120_000): Promise<void> {
  if ((replyCounts.get(id) ?? 0) >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id}: no reply after ${timeoutMs} ms`)), timeoutMs);
    waiters.set(id, { count, resolve: () => (clearTimeout(timer), resolve()) });
  });
}

function lastMenuItem(s: WecomSimulator, id: string, label: RegExp) {
  const menus = s.messagesTo(id).filter((m) => m.msgtype === 'msgmenu');
  const body = menus.at(-1)?.body as { list?: Array<{ click?: { id: string; content: string } }> } | undefined;
  return body?.list?.map((i) => i.click).find((c) => c && label.test(c.content));
}

/** One customer answering the whole survey; latencies are callback sent → reply handed to WeCom. */
async function runCustomer(id: string, latencies: number[], thinkMs = 0): Promise<void> {
  for (const step of script) {
    if (thinkMs) await new Promise((r) => setTimeout(r, thinkMs * (0.5 + Math.random())));
    const before = replyCounts.get(id) ?? 0;
    const started = performance.now();
    if (typeof step === 'string') await sim.customerSays(id, step);
    else {
      const item = lastMenuItem(sim, id, step.click);
      if (!item) throw new Error(`${id}: no menu item ${step.click}`);
      await sim.customerSays(id, item.content, { menuId: item.id });
    }
    await waitForReply(id, before + 1);
    latencies.push(performance.now() - started);
  }
}

// Warm-up (token, code paths, connection pools), not measured.
await Promise.all(Array.from({ length: Math.min(10, customers) }, (_, n) => runCustomer(`wm_warm_${runId}_${n}`, [])));
// Commands per message are always counted from here (Redis: INFO commandstats; MongoDB: the
// counter preloaded into each service process), so the JSON line carries them.
await redisCommand(redis.url, 'CONFIG', 'RESETSTAT');
await mongoCommands(workers);

const latencies: number[] = [];
// CPU each process spends per customer message: what bounds throughput when cores are shared.
const cpuOf = () => ({ service: workers.reduce((sum, w) => sum + cpuMsOf(w.pid), 0), ferretdb: cpuMsOf(mongo.pid), redis: cpuMsOf(redis.pid), bench: process.cpuUsage() });
const cpuBefore = cpuOf();
const started = performance.now();
await Promise.all(Array.from({ length: customers }, (_, n) => runCustomer(`wm_${runId}_${n}`, latencies, Number(values['think-ms']))));
const seconds = (performance.now() - started) / 1000;
const messages = customers * script.length;
const cpuAfter = cpuOf();
const cpuPerMessage = {
  service: (cpuAfter.service - cpuBefore.service) / messages,
  ferretdb: (cpuAfter.ferretdb - cpuBefore.ferretdb) / messages,
  redis: (cpuAfter.redis - cpuBefore.redis) / messages,
  simulator: (process.cpuUsage(cpuBefore.bench).user + process.cpuUsage(cpuBefore.bench).system) / 1000 / messages,
};

// Redis and MongoDB commands per customer message; BENCH_REDIS_STATS=1 / BENCH_MONGO_STATS=1 print them by command.
const redisCounts = await redisCommandCounts(redis.url);
const mongoCounts = await mongoCommands(workers);
const perMessage = (counts: Record<string, number>) => Math.round((Object.values(counts).reduce((a, b) => a + b, 0) / messages) * 100) / 100;
if (process.env.BENCH_REDIS_STATS) printPerMessage('Redis commands', redisCounts, messages);
if (process.env.BENCH_MONGO_STATS) printPerMessage('MongoDB commands', mongoCounts, messages);
// The survey's peak, before the bare-callback burst (thousands of callbacks a second) can raise it.
const surveyPeakRss = peakRss;
const bare = await bareCallbackThroughput(workers, Number(values['bare-seconds']));
clearInterval(sampler);
const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const result = {
  customers,
  messages,
  storedSessions: stored,
  workers: workerCount,
  thinkMs: Number(values['think-ms']),
  throughput: round(messages / seconds),
  p50Ms: round(pct(latencies, 50)),
  p99Ms: round(pct(latencies, 99)),
  bareThroughput: round(bare),
  rssMiB: round(surveyPeakRss),
  bareRssMiB: round(peakRss),
  startMs: round(Math.max(...workers.map((w) => w.startMs))),
  redisCommandsPerMessage: perMessage(redisCounts),
  mongoCommandsPerMessage: perMessage(mongoCounts),
  cpuMsPerMessage: Object.fromEntries(Object.entries(cpuPerMessage).map(([k, v]) => [k, Math.round(v * 100) / 100])),
  seedSeconds: round(seedSeconds),
};
say(`customers: ${customers}, customer messages: ${messages}, stored sessions: ${stored}, service processes: ${workerCount}${Number(values['think-ms']) ? `, mean pause before each message: ${values['think-ms']} ms` : ''}`);
say(`throughput: ${result.throughput} customer messages/s over ${seconds.toFixed(1)} s`);
say(`customer message -> reply handed to WeCom: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
say(`bare callback floor (verify, decrypt, parse, ack): ${result.bareThroughput} callbacks/s; pipeline at ${Math.round((100 * result.throughput) / result.bareThroughput)}% of it`);
say(`peak RSS per service process: ${result.rssMiB} MiB during the survey, ${result.bareRssMiB} MiB after the bare-callback burst; start to ready: ${result.startMs} ms`);
say(`CPU per customer message: service ${result.cpuMsPerMessage.service} ms, FerretDB ${result.cpuMsPerMessage.ferretdb} ms, Redis ${result.cpuMsPerMessage.redis} ms, simulator and driver ${result.cpuMsPerMessage.simulator} ms`);
say(`commands per customer message: Redis ${result.redisCommandsPerMessage}, MongoDB ${result.mongoCommandsPerMessage}`);
if (values.json) console.log(JSON.stringify(result));

await Promise.all(workers.map((w) => w.stop()));
await balancer.close();
await sim.close();
await Promise.all([mongo.stop(), redis.stop()]);
if (!values.reuse) await rm(dataDir, { recursive: true, force: true });

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * The floor the pipeline is compared with: signed, encrypted callbacks of an event the service
 * only verifies, decrypts, parses and acknowledges (nothing is queued), sent like WeCom sends
 * them (a new connection each) from 50 senders for `seconds`.
 */
async function bareCallbackThroughput(targets: ServiceWorker[], secondsToRun: number): Promise<number> {
  let done = 0;
  const until = performance.now() + secondsToRun * 1000;
  const plaintext = (createTime: number) =>
    `<xml><ToUserName>${cdata(sim.corpId)}</ToUserName><CreateTime>${createTime}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata('change_contact')}</Event></xml>`;
  const sender = async (n: number) => {
    while (performance.now() < until) {
      const timestamp = Math.floor(Date.now() / 1000);
      const sealed = sealCallback({ token: sim.token, encodingAesKey: sim.encodingAesKey, corpId: sim.corpId, plaintext: plaintext(timestamp), timestamp });
      const url = callbackUrlWithQuery(`${targets[(done + n) % targets.length]!.url}/wecom/callback`, sealed);
      if ((await post(url, sealed.body)) === 200) done++;
    }
  };
  const from = performance.now();
  await Promise.all(Array.from({ length: 50 }, (_, n) => sender(n)));
  return done / ((performance.now() - from) / 1000);
}

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function redisCommand(url: string, ...args: string[]): Promise<string> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  try {
    return String(await client.call(args[0]!, ...args.slice(1)));
  } finally {
    client.disconnect();
  }
}

/** Redis commands since the last RESETSTAT, by command (INFO commandstats; commands a script runs count too). */
async function redisCommandCounts(url: string): Promise<Record<string, number>> {
  const info = await redisCommand(url, 'INFO', 'commandstats');
  return Object.fromEntries([...info.matchAll(/cmdstat_(\S+):calls=(\d+)/g)].map(([, name, calls]) => [name!, Number(calls)]));
}

/** Asks each service process for its MongoDB command counts since the last ask (see countMongoCommands.ts). */
async function mongoCommands(list: Array<{ pid: number }>): Promise<Record<string, number>> {
  const total: Record<string, number> = {};
  for (const w of list) {
    const file = `.data/mongo-stats-${w.pid}.json`;
    rmSync(file, { force: true });
    process.kill(w.pid, 'SIGUSR2');
    for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    for (const [k, n] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>)) total[k] = (total[k] ?? 0) + n;
  }
  return total;
}

function printPerMessage(title: string, counts: Record<string, number>, messages: number): void {
  const sum = Object.values(counts).reduce((a, b) => a + b, 0);
  console.error(`${title} per message: ${(sum / messages).toFixed(1)}`);
  for (const [k, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.error(`  ${k.padEnd(40)} ${(n / messages).toFixed(2)}`);
}
