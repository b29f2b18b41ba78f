// Follow-up at volume (a benchmark, not a test), on embedded FerretDB and Redis: the cost of the
// follow-up hook a completed or escalated session's outbox runs (rules, task insert, tags, one
// delivery per webhook endpoint, log), with N tasks and deliveries already stored; the open-tasks
// list; and how fast the delivery jobs drain to a local receiver. Prints numbers (JSON with --json).
//   npm run -s bench -- followup [--stored 20000] [--samples 200] [--json]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/core/logger.ts';
import type { SessionRecord } from '../src/core/sessions.ts';
import { startService } from '../src/main.ts';
import { startEmbeddedMongo } from '../src/store/embedded/startEmbeddedMongo.ts';
import { startEmbeddedRedis } from '../src/store/embedded/startEmbeddedRedis.ts';
import { generateSessions } from '../test/support/generateSessions.ts';

const args = process.argv.slice(3);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const stored = option('stored', 20_000);
const samples = option('samples', 200);
const asJson = args.includes('--json');
const TOKEN = 'bench-admin-token-0123456789';
const say = (line: string) => {
  if (!asJson) console.log(line);
};
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
};

let received = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.end('ok');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;

const dataDir = '.data/bench-followup';
await rm(dataDir, { recursive: true, force: true });
const [mongo, redis] = await Promise.all([startEmbeddedMongo({ dataDir, binDir: '.data/bin' }), startEmbeddedRedis({ dataDir, binDir: '.data/bin', persist: false })]);
const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
const service = await startService(
  // The receiver listens on loopback, which the webhook guard refuses unless allowed.
  loadConfig({ MONGODB_URI: `${mongo.url}huifang`, REDIS_URL: redis.url, PORT: '0', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', REDIS_KEY_PREFIX: 'hf:bench:', WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }),
  { logger },
);
const result: Record<string, unknown> = { stored, samples, cores: (await import('node:os')).availableParallelism() };

try {
  for (let i = 0; i < 2; i++) {
    const registered = await fetch(`${service.url}/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiverUrl, events: ['survey.completed', 'survey.escalated'] }),
    });
    if (registered.status !== 201) throw new Error(`webhook registration answered ${registered.status}: ${await registered.text()}`);
  }
  // Completed sessions of the default flow; the detractors among them fire the callback rule.
  const sessions = generateSessions({ count: stored + samples, seed: 7, end: new Date(), days: 30, idPrefix: 'f0110000' })
    .filter((s) => s.status === 'completed')
    .map((s) => ({ ...s, conversationKey: `${s.conversationKey}:${s.id}` }) as SessionRecord);
  const hook = service.followUp.hooks;
  let t = performance.now();
  const background = sessions.slice(0, Math.max(0, sessions.length - samples));
  for (let i = 0; i < background.length; i += 50) await Promise.all(background.slice(i, i + 50).map((s) => hook.afterMilestone({ session: s, event: 'completed', at: s.completedAt! })));
  result.seedSeconds = Math.round((performance.now() - t) / 100) / 10;
  say(`follow-up recorded for ${background.length} completed sessions in ${result.seedSeconds} s (concurrency 50, deliveries running meanwhile)`);
  await service.followUp.whenIdle({ timeoutMs: 600_000 });
  const total = (performance.now() - t) / 1000;
  result.deliveries = received;
  result.deliveriesPerSecond = Math.round(received / total);
  say(`${received} webhook deliveries received ${Math.round(total)} s after the first milestone (${result.deliveriesPerSecond}/s end to end)`);

  const times: number[] = [];
  const replays: number[] = [];
  for (const s of sessions.slice(-samples)) {
    t = performance.now();
    await hook.afterMilestone({ session: s, event: 'completed', at: s.completedAt! });
    times.push(performance.now() - t);
    t = performance.now();
    await hook.afterMilestone({ session: s, event: 'completed', at: s.completedAt! });
    replays.push(performance.now() - t);
  }
  result.hookMs = { p50: pct(times, 50), p95: pct(times, 95), max: pct(times, 100) };
  result.replayMs = { p50: pct(replays, 50), p95: pct(replays, 95) };
  say(`follow-up hook per milestone (2 endpoints): p50 ${pct(times, 50)} ms, p95 ${pct(times, 95)} ms; a replay of it: p50 ${pct(replays, 50)} ms, p95 ${pct(replays, 95)} ms`);

  const list: number[] = [];
  let open = 0;
  for (let i = 0; i < 50; i++) {
    t = performance.now();
    const res = await fetch(`${service.url}/api/tasks?status=open&limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } });
    open = ((await res.json()) as { open: number }).open;
    list.push(performance.now() - t);
  }
  result.openTasks = open;
  result.listTasksMs = { p50: pct(list, 50), p95: pct(list, 95) };
  say(`GET /api/tasks?status=open&limit=100 with ${open} open tasks: p50 ${pct(list, 50)} ms, p95 ${pct(list, 95)} ms`);

  if (asJson) console.log(JSON.stringify(result));
} finally {
  await service.stop();
  await Promise.all([mongo.stop(), redis.stop()]);
  receiver.close();
  await rm(dataDir, { recursive: true, force: true });
}
