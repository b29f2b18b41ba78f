// Benchmark (not a test): N simulated customers complete the default NPS flow through the WeCom
// simulator with the rule-based analyser, against embedded FerretDB and Redis. Prints numbers.
//   npm run bench -- [customers=50]   (bench/run.ts dispatches here)
import { rm } from 'node:fs/promises';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/core/logger.ts';
import { startService } from '../src/main.ts';

const customers = Number(process.argv[2] ?? 50);
const script: Array<string | { click: RegExp }> = ['你好', '9', '顾问很专业', { click: /5/ }, { click: /4/ }, { click: /5/ }, { click: /4/ }, '下个月', '面部护理'];

// Fresh data each run; the FerretDB binary under .data/bench/bin is built once and kept.
const dataDir = '.data/bench';
await rm(`${dataDir}/ferretdb`, { recursive: true, force: true });
await rm(`${dataDir}/redis`, { recursive: true, force: true });
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', REDIS_KEY_PREFIX: 'hf:bench:' });
const service = await startService(config, { logger: createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }) });
const sim = service.simulator!;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const turnLatencies: number[] = [];
const slowest: Array<{ ms: number; id: string; step: number; at: number }> = [];
const callbackLatencies: number[] = [];

function lastMenuItem(id: string, label: RegExp) {
  const menus = sim.messagesTo(id).filter((m) => m.msgtype === 'msgmenu');
  const body = menus.at(-1)?.body as { list?: Array<{ click?: { id: string; content: string } }> } | undefined;
  return body?.list?.map((i) => i.click).find((c) => c && label.test(c.content));
}

// Replies are awaited through the simulator's event feed: polling every customer's log would
// load the same event loop the service runs on and distort the numbers.
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

function waitForReply(id: string, count: number, timeoutMs = 60_000): Promise<void> {
  if ((replyCounts.get(id) ?? 0) >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id}: no reply after ${timeoutMs} ms`)), timeoutMs);
    waiters.set(id, { count, resolve: () => (clearTimeout(timer), resolve()) });
  });
}

async function runCustomer(n: number): Promise<void> {
  const id = `wm_bench_${n}`;
  for (const step of script) {
    const before = replyCounts.get(id) ?? 0;
    const started = performance.now();
    if (typeof step === 'string') await sim.customerSays(id, step);
    else {
      const item = lastMenuItem(id, step.click);
      if (!item) throw new Error(`${id}: no menu item ${step.click}`);
      await sim.customerSays(id, item.content, { menuId: item.id });
    }
    callbackLatencies.push(performance.now() - started);
    await waitForReply(id, before + 1);
    turnLatencies.push(performance.now() - started);
    slowest.push({ ms: performance.now() - started, id, step: script.indexOf(step), at: Date.now() });
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: customers }, (_, n) => runCustomer(n)));
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);

const completed = (await service.stores.mongo.collection('surveysessions').countDocuments({ status: 'completed' })) as number;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const messages = customers * script.length;
console.log(`customers: ${customers}, customer messages: ${messages}, completed surveys: ${completed}`);
console.log(`throughput: ${(messages / seconds).toFixed(1)} customer messages/s over ${seconds.toFixed(1)} s`);
console.log(`customer message -> bot reply: p50 ${pct(turnLatencies, 50).toFixed(0)} ms, p99 ${pct(turnLatencies, 99).toFixed(0)} ms`);
console.log(`bare callback (encrypt, POST, verify, decrypt, parse, ack): p50 ${pct(callbackLatencies, 50).toFixed(1)} ms, p99 ${pct(callbackLatencies, 99).toFixed(1)} ms`);
if (process.env.BENCH_SLOWEST) console.log(JSON.stringify(slowest.sort((a, b) => b.ms - a.ms).slice(0, 5)));
console.log(`peak RSS of the service process: ${(peakRss / 1024 / 1024).toFixed(0)} MiB (FerretDB and redis-server are separate processes)`);

await service.stop();
await rm(`${dataDir}/ferretdb`, { recursive: true, force: true });
await rm(`${dataDir}/redis`, { recursive: true, force: true });
