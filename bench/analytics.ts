// Analytics at volume (a benchmark, not a test): N stored sessions on embedded FerretDB and Redis,
// rebuilt with `analytics rebuild`, then the summary, trend and verbatims timed over HTTP, the
// recorder's per-save cost measured at that volume, and the dashboard's first paint in headless
// Chromium. Prints numbers (JSON with --json).
//   npm run -s bench -- analytics [--stored 100000] [--days 90] [--samples 200] [--export] [--json]
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Types } from 'mongoose';
import { createResponseRecorder } from '../src/analytics/recorder.ts';
import { createFlowDefinitions } from '../src/analytics/flowDefinitions.ts';
import { rebuildAnalytics } from '../src/analytics/rebuild.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/core/logger.ts';
import { startService } from '../src/main.ts';
import { startEmbeddedMongo } from '../src/store/embedded/startEmbeddedMongo.ts';
import { startEmbeddedRedis } from '../src/store/embedded/startEmbeddedRedis.ts';
import { createAnalyticsSources, createResponseRecordStore } from '../src/store/mongo/analyticsRepository.ts';
import { createFlowRepository } from '../src/store/mongo/flowRepository.ts';
import { createRedisRollups } from '../src/store/redis/redisRollups.ts';
import { generateSessions, toSessionDoc } from '../test/support/generateSessions.ts';

const args = process.argv.slice(3);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const stored = option('stored', 100_000);
const days = option('days', 90);
const samples = option('samples', 200);
const asJson = args.includes('--json');
const withExport = args.includes('--export');
const TOKEN = 'bench-admin-token-0123456789';
const say = (line: string) => {
  if (!asJson) console.log(line);
};

const dataDir = '.data/bench-analytics';
await rm(dataDir, { recursive: true, force: true });
// The FerretDB binary `npm start` and CI build under .data/bin (built here if missing).
const [mongo, redis] = await Promise.all([startEmbeddedMongo({ dataDir, binDir: '.data/bin' }), startEmbeddedRedis({ dataDir, binDir: '.data/bin', persist: false })]);
const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
const service = await startService(loadConfig({ MONGODB_URI: `${mongo.url}huifang`, REDIS_URL: redis.url, PORT: '0', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', REDIS_KEY_PREFIX: 'hf:bench:' }), { logger });
const result: Record<string, unknown> = { stored, days, cores: (await import('node:os')).availableParallelism() };

try {
  // 1. Seed: generated sessions inserted in batches, as the session repository stores them.
  let t = performance.now();
  const collection = service.stores.mongo.collection('surveysessions');
  const end = new Date();
  for (let offset = 0; offset < stored; offset += 5_000) {
    const batch = generateSessions({ count: Math.min(5_000, stored - offset), seed: 1 + offset, end, days, idPrefix: (0xb0000000 + offset / 5_000).toString(16) });
    const docs = batch.map((s) => toSessionDoc(s, (hex) => new Types.ObjectId(hex)));
    for (let i = 0; i < docs.length; i += 1_000) await collection.insertMany(docs.slice(i, i + 1_000), { ordered: false });
  }
  result.seedSeconds = round((performance.now() - t) / 1000);
  say(`seeded ${stored} sessions in ${result.seedSeconds} s`);

  // 2. Rebuild rollups and records from the sessions.
  const memoryBefore = await usedMemory();
  const flows = createFlowRepository(service.stores.mongo);
  const definitions = createFlowDefinitions({ flows, catalog: service.catalog });
  const rollups = createRedisRollups(service.stores.redis, service.stores.keys);
  const records = createResponseRecordStore(service.stores.mongo, { timeZone: 'Asia/Shanghai', revisionCheck: service.stores.ferretdb ? 'read-then-write' : 'filter' });
  t = performance.now();
  const [rebuilt] = await rebuildAnalytics({ sources: createAnalyticsSources(service.stores.mongo), rollups, records, flows: definitions, timeZone: 'Asia/Shanghai', logger }, { flowIds: ['nps-default'] });
  result.rebuildSeconds = round((performance.now() - t) / 1000);
  result.redisBytesPerResponse = Math.round(((await usedMemory()) - memoryBefore) / stored);
  say(`rebuilt ${rebuilt?.sessions} sessions in ${result.rebuildSeconds} s; Redis grew ${result.redisBytesPerResponse} bytes per response`);
  result.redisBytesByKind = await memoryByKind(service.stores.keys.analytics('nps-default'));
  say(`  Redis by kind of key (bytes): ${JSON.stringify(result.redisBytesByKind)}`);

  // 3. The read API over HTTP.
  const to = dayIn(0);
  const variants: Array<[string, string]> = [
    ['summary, all time', '/api/analytics/summary?flowId=nps-default'],
    ['summary, last 30 days', `/api/analytics/summary?flowId=nps-default&from=${dayIn(-29)}&to=${to}`],
    ['summary, one store and segment', '/api/analytics/summary?flowId=nps-default&store=%E9%9D%99%E5%AE%89%E5%BA%97&segment=loyal'],
    ['trend, 30 days', `/api/analytics/trend?flowId=nps-default&from=${dayIn(-29)}&to=${to}`],
    ['trend, 26 weeks', `/api/analytics/trend?flowId=nps-default&interval=week&from=${dayIn(-182)}&to=${to}`],
    ['verbatims, detractors', '/api/analytics/verbatims?flowId=nps-default&group=detractor&limit=4'],
    ['drivers, all time', '/api/analytics/drivers?flowId=nps-default'],
    ['drivers, last 30 days, one store', `/api/analytics/drivers?flowId=nps-default&from=${dayIn(-29)}&to=${to}&store=%E9%9D%99%E5%AE%89%E5%BA%97`],
    ['compare, 30 days vs the 30 before', `/api/analytics/compare?flowId=nps-default&from=${dayIn(-29)}&to=${to}&baseFrom=${dayIn(-59)}&baseTo=${dayIn(-30)}`],
    ['compare, one store, 7 days vs the 28 before', `/api/analytics/compare?flowId=nps-default&from=${dayIn(-6)}&to=${to}&baseFrom=${dayIn(-34)}&baseTo=${dayIn(-7)}&store=%E9%9D%99%E5%AE%89%E5%BA%97`],
  ];
  const latencies: Record<string, { p50: number; p95: number; max: number }> = {};
  const first = (await get('/api/analytics/summary?flowId=nps-default')) as { sessions: { started: number } };
  if (first.sessions.started !== stored) throw new Error(`summary counts ${first.sessions.started} sessions, expected ${stored}`);
  for (const [name, path] of variants) {
    for (let i = 0; i < 5; i++) await get(path);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const s = performance.now();
      await get(path);
      times.push(performance.now() - s);
    }
    latencies[name] = { p50: round(pct(times, 50)), p95: round(pct(times, 95)), max: round(Math.max(...times)) };
    say(`${name}: p50 ${latencies[name].p50} ms, p95 ${latencies[name].p95} ms, max ${latencies[name].max} ms (${samples} requests)`);
  }
  result.latencyMs = latencies;

  // 4. What recording costs per session save at this volume: a session's turns while it is open
  // (the rollup script alone), then the save that settles it (script + one record insert).
  const recorder = createResponseRecorder({ flows: definitions, rollups, records, timeZone: 'Asia/Shanghai', logger });
  const fresh = generateSessions({ count: samples, seed: 99, end: new Date(), days: 1, idPrefix: 'c0ffee00' });
  const openTimes: number[] = [];
  const settleTimes: number[] = [];
  for (const s of fresh) {
    const open = { ...s, status: 'active' as const, completedAt: undefined, updatedAt: new Date(s.updatedAt.getTime() - 1_000) };
    const done = { ...s, status: 'completed' as const, completedAt: s.updatedAt };
    let begin = performance.now();
    await recorder.recordSession(open);
    openTimes.push(performance.now() - begin);
    begin = performance.now();
    await recorder.recordSession(done);
    settleTimes.push(performance.now() - begin);
  }
  result.recordMs = { open: { p50: round(pct(openTimes, 50)), p95: round(pct(openTimes, 95)) }, settle: { p50: round(pct(settleTimes, 50)), p95: round(pct(settleTimes, 95)) } };
  say(`recording a save: open session p50 ${round(pct(openTimes, 50))} ms, p95 ${round(pct(openTimes, 95))} ms; settling save p50 ${round(pct(settleTimes, 50))} ms, p95 ${round(pct(settleTimes, 95))} ms`);

  // 5. The export, streamed (optional: it reads every record).
  if (withExport) {
    const s = performance.now();
    const res = await fetch(`${service.url}/api/analytics/export.csv?flowId=nps-default`, { headers: { authorization: `Bearer ${TOKEN}` } });
    let bytes = 0;
    let rows = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) rows++;
    }
    result.export = { seconds: round((performance.now() - s) / 1000), rows: rows - 1, megabytes: round(bytes / 1e6) };
    say(`export: ${rows - 1} rows, ${round(bytes / 1e6)} MB in ${round((performance.now() - s) / 1000)} s, peak RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  }

  // 6. The dashboard's first paint, signed in, in headless Chromium.
  if (existsSync('/usr/bin/chromium')) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const paints: number[] = [];
    const numbers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.addInitScript((token) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('hf-admin-token', token), TOKEN);
      await page.goto(`${service.url}/dashboard?flowId=nps-default`);
      await page.waitForFunction(() => /\d/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('.kpi .value')?.textContent ?? ''));
      const timing = await page.evaluate(() => {
        const perf = (globalThis as unknown as { performance: { getEntriesByName(n: string): Array<{ startTime: number }>; now(): number } }).performance;
        return { fcp: perf.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, now: perf.now() };
      });
      paints.push(timing.fcp);
      numbers.push(timing.now);
      await page.close();
    }
    await browser.close();
    result.dashboard = { firstPaintMs: { median: round(pct(paints, 50)), max: round(Math.max(...paints)) }, numbersShownMs: { median: round(pct(numbers, 50)), max: round(Math.max(...numbers)) } };
    say(`dashboard: first contentful paint median ${round(pct(paints, 50))} ms (max ${round(Math.max(...paints))}); numbers on screen after ${round(pct(numbers, 50))} ms (max ${round(Math.max(...numbers))})`);
  } else say('dashboard: /usr/bin/chromium missing, first paint not measured');
  if (asJson) console.log(JSON.stringify(result));
} finally {
  await service.stop();
  await Promise.all([mongo.stop(), redis.stop()]);
  await rm(dataDir, { recursive: true, force: true });
}

async function get(path: string): Promise<unknown> {
  const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
async function usedMemory(): Promise<number> {
  const info = await service.stores.redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}
/** MEMORY USAGE summed per kind of analytics key (resp, d, m, q, open, cells…). */
async function memoryByKind(prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const stream = service.stores.redis.scanStream({ match: `${prefix}*`, count: 1000 });
  for await (const keys of stream as AsyncIterable<string[]>) {
    for (const key of keys) {
      const kind = key.slice(prefix.length).split(':')[1] ?? 'other';
      out[kind] = (out[kind] ?? 0) + Number((await service.stores.redis.call('memory', 'usage', key, 'samples', '0')) ?? 0);
    }
  }
  return out;
}
function dayIn(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
}
function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
function round(n: number): number {
  return Math.round(n * 10) / 10;
}
