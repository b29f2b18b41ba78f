// Benchmark (not a test): one CSV of N audience rows uploaded to a campaign of a service process
// on embedded FerretDB and Redis (simulator for WeCom), timed from the first byte sent to the
// last byte of the answer (every invitation's link is in it).
//   npm run -s bench -- --import 100000 [--gbk] [--again] [--json]
// --gbk sends the file GBK-encoded (detected by the service); --again uploads it a second time
// (every row a duplicate). Prints human-readable lines, then (with --json) one JSON line:
//   {rows, seconds, rowsPerSecond, invited, skipped, answerMiB, peakRssMiB, againSeconds}
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import iconv from 'iconv-lite';
import { startEmbeddedMongo } from '../src/store/embedded/startEmbeddedMongo.ts';
import { startEmbeddedRedis } from '../src/store/embedded/startEmbeddedRedis.ts';
import { startServiceWorker } from './lib/serviceWorkers.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { import: { type: 'string', default: '100000' }, gbk: { type: 'boolean', default: false }, again: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const rows = Number(values.import);
const say = (line: string) => console.log(line);
const token = 'bench-admin-token-0123456789';

const dataDir = '.data/bench/import';
await rm(dataDir, { recursive: true, force: true });
await mkdir(dataDir, { recursive: true });
const file = `${dataDir}/audience.csv`;
await writeAudience(file, rows, values.gbk);
say(`wrote ${rows} rows (${((await stat(file)).size / 1024 / 1024).toFixed(1)} MiB${values.gbk ? ', GBK' : ''})`);

const [mongo, redis] = await Promise.all([startEmbeddedMongo({ dataDir, binDir: '.data/bin', log: () => undefined }), startEmbeddedRedis({ dataDir, binDir: '.data/bin', persist: true })]);
const worker = await startServiceWorker(
  {
    MONGODB_URI: `${mongo.url.replace(/\/$/, '')}/huifang_bench_import`,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `hf:bench:import:${Date.now().toString(36)}:`,
    ADMIN_TOKEN: token,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATA_DIR: `${dataDir}/service`,
  },
  say,
);
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, worker.rssMiB())), 100);
const idle = worker.rssMiB();

const created = await fetch(`${worker.url}/api/campaigns`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: '压测', flowId: 'nps-default', status: 'active', quietHours: null }),
});
const campaignId = ((await created.json()) as { id: string }).id;

const first = await upload(file, campaignId);
say(`imported ${rows} rows in ${first.seconds.toFixed(1)} s (${Math.round(rows / first.seconds)} rows/s): ${first.invited} invited, ${first.skipped} skipped; answer ${first.mib.toFixed(1)} MiB with every link`);
let againSeconds: number | undefined;
if (values.again) {
  const again = await upload(file, campaignId);
  againSeconds = again.seconds;
  say(`the same file again in ${again.seconds.toFixed(1)} s: ${again.invited} invited, ${again.skipped} skipped (duplicates)`);
}
clearInterval(sampler);
say(`service RSS: ${idle.toFixed(0)} MiB idle, ${peakRss.toFixed(0)} MiB peak during the import`);
if (values.json) {
  console.log(JSON.stringify({ rows, seconds: round(first.seconds), rowsPerSecond: Math.round(rows / first.seconds), invited: first.invited, skipped: first.skipped, answerMiB: round(first.mib), peakRssMiB: round(peakRss), idleRssMiB: round(idle), againSeconds: againSeconds === undefined ? null : round(againSeconds) }));
}
await worker.stop();
await Promise.all([mongo.stop(), redis.stop()]);
await rm(dataDir, { recursive: true, force: true });

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Streams the file up and the answer down; only the answer's head is parsed (counts). */
function upload(path: string, campaign: string): Promise<{ seconds: number; invited: number; skipped: number; mib: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${worker.url}/api/campaigns/${campaign}/audience`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } }, (res) => {
      let head = '';
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`upload answered ${res.statusCode}: ${head.slice(0, 500)}`));
        const count = (name: string) => Number(new RegExp(`"${name}":(\\d+)`).exec(head)?.[1] ?? NaN);
        resolve({ seconds: (performance.now() - started) / 1000, invited: count('invited'), skipped: count('skippedCount'), mib: bytes / 1024 / 1024 });
      });
    });
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

/** A merchant's export: Chinese headers, names, phones, stores, orders, products, visit times. */
async function writeAudience(path: string, count: number, gbk: boolean): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(gbk ? iconv.encode(text, 'gbk') : text)) await once(out, 'drain');
  };
  const stores = ['静安店', '徐汇店', '浦东店', '长宁店'];
  const products = ['水光针', '热玛吉', '皮秒', '面部护理', '超声刀'];
  const surnames = ['张', '王', '李', '赵', '陈', '刘'];
  await write('客户编号,姓名,手机号,门店,订单号,项目,服务类型,到店时间\n');
  let lines = '';
  for (let i = 0; i < count; i++) {
    const day = 1 + (i % 28);
    lines += `B${String(i).padStart(7, '0')},${surnames[i % 6]}${i % 2 ? '先生' : '女士'},1${String(3_000_000_000 + i * 7).slice(0, 10)},${stores[i % 4]},O${i},"${products[i % 5]}、${products[(i + 2) % 5]}",护理,2026-11-${String(day).padStart(2, '0')} ${String(10 + (i % 9)).padStart(2, '0')}:30\n`;
    if (lines.length > 64 * 1024) {
      await write(lines);
      lines = '';
    }
  }
  await write(lines);
  out.end();
  await once(out, 'finish');
}
