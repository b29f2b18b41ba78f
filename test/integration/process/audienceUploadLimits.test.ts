import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { isRunning, serviceEnv, spawnWatched, tempDataDir, waitFor, type WatchedProcess } from '../../support/processes.ts';
import { ADMIN_TOKEN } from '../../support/serviceHarness.ts';

// Issue 25: hostile audience files against the service as `npm start` runs it (its own process,
// heap capped at 256 MiB, embedded stores). Each gets a short 4xx with a stable code, and the
// process is alive and answering afterwards; a good file then imports as before.
const sim: WecomSimulator = createWecomSimulator();
let dataDir: string;
let service: WatchedProcess;
let url: string;
let campaignId: string;

async function call(method: string, path: string, body?: Buffer | string, contentType = 'text/csv') {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as { error: { code: string; message: string; problems?: unknown[]; more?: number } } & Record<string, unknown> };
}

beforeAll(async () => {
  const apiBase = await sim.listen();
  dataDir = await tempDataDir('uploads');
  const env = serviceEnv(dataDir, {
    WECOM_CORP_ID: sim.corpId,
    WECOM_TOKEN: sim.token,
    WECOM_ENCODING_AES_KEY: sim.encodingAesKey,
    WECOM_KF_SECRET: sim.kfSecret,
    WECOM_API_BASE: apiBase,
    WECOM_OPEN_KFID: sim.openKfId,
    ADMIN_TOKEN,
  });
  service = spawnWatched(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', 'src/main.ts'], env);
  url = String((await service.logLine('huifang is listening', 150_000)).url);
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, '/readyz to answer 200', 30_000);
  const created = await call('POST', '/api/campaigns', JSON.stringify({ name: '上传测试', flowId: 'nps-default', status: 'active', quietHours: null }), 'application/json');
  if (created.status !== 201) throw new Error(`campaign not created: ${created.status} ${created.text}`);
  campaignId = String(created.json().id);
}, 180_000);

afterAll(async () => {
  if (service?.child.pid && isRunning(service.child.pid)) service.child.kill('SIGTERM');
  await service?.exited;
  await sim.close();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const header = '客户编号,姓名,门店\n';
const hostile: Array<{ name: string; body: () => Buffer; status: number; code: string; contentType?: string }> = [
  // The issue's file: one line of 1,000 × (999 "a" and a stray quote), ~1 MB; it killed node.
  { name: 'the 1 MB line of stray quotes', body: () => Buffer.from(`${'a'.repeat(999)}"`.repeat(1_000)), status: 400, code: 'AUDIENCE_LINE_TOO_LONG' },
  // The same shape at 400 KB answered 80 MB.
  { name: 'the 400 KB line of stray quotes', body: () => Buffer.from(header + `${'a'.repeat(999)}"`.repeat(400)), status: 400, code: 'AUDIENCE_LINE_TOO_LONG' },
  { name: '100,000 stray quotes, one per line', body: () => Buffer.from(header + Array.from({ length: 100_000 }, (_, n) => `C${n},王"五,静安店`).join('\n')), status: 400, code: 'AUDIENCE_INVALID' },
  { name: 'a 5 MB body inside one unclosed quote', body: () => Buffer.from(`${header}C1,"${`${'a'.repeat(40)}\n`.repeat(125_000)}`), status: 400, code: 'AUDIENCE_LINE_TOO_LONG' },
  { name: 'one giant 10 MB field', body: () => Buffer.from(`${header}C1,${'a'.repeat(10 * 1024 * 1024)}`), status: 400, code: 'AUDIENCE_LINE_TOO_LONG' },
  { name: 'a header of 2,000 columns', body: () => Buffer.from(`客户编号,${Array.from({ length: 1_999 }, (_, n) => `列${n}`).join(',')}\nC1\n`), status: 400, code: 'AUDIENCE_INVALID' },
  { name: 'rows of 5,000 cells', body: () => Buffer.from(header + Array.from({ length: 200 }, (_, n) => `C${n},${','.repeat(5_000)}`).join('\n')), status: 400, code: 'AUDIENCE_INVALID' },
  { name: '250,000 rows', body: () => Buffer.from(header + 'C1,张三,静安店\n'.repeat(250_000)), status: 413, code: 'AUDIENCE_TOO_MANY_ROWS' },
  { name: 'a 70 MB body', body: () => Buffer.from(header + `C1,张三,${'静'.repeat(150)}\n`.repeat(150_000)), status: 413, code: 'BODY_TOO_LARGE' },
  // JSON is parsed whole: 8 MB of empty objects would be 2.8 million of them (20 MB ran the heap out).
  { name: 'JSON of 2.8 million empty objects', body: () => Buffer.from(`[${'{},'.repeat(2_790_000)}{}]`), status: 400, code: 'BODY_TOO_COMPLEX', contentType: 'application/json' },
  { name: 'JSON of 4 million numbers in one row', body: () => Buffer.from(`[{"customerRef":"J1","products":[${'0,'.repeat(4_000_000)}0]}]`), status: 400, code: 'BODY_TOO_COMPLEX', contentType: 'application/json' },
  { name: 'a 20 MB JSON body', body: () => Buffer.from(`[${'{},'.repeat(7_000_000)}{}]`), status: 413, code: 'BODY_TOO_LARGE', contentType: 'application/json' },
];

describe('hostile audience files', () => {
  for (const file of hostile) {
    it(`${file.name}: a short ${file.status} ${file.code}, and the service still answers`, async () => {
      const res = await call('POST', `/api/campaigns/${campaignId}/audience`, file.body(), file.contentType);
      expect(res.status).toBe(file.status);
      expect(res.json().error.code).toBe(file.code);
      expect(res.text.length).toBeLessThan(16 * 1024);
      expect(service.child.exitCode).toBeNull();
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    }, 120_000);
  }

  it('lists at most 50 problems, each short, and counts the rest', async () => {
    const res = await call('POST', `/api/campaigns/${campaignId}/audience`, Buffer.from(header + Array.from({ length: 100_000 }, (_, n) => `C${n},王"五,静安店`).join('\n')));
    const error = res.json().error;
    expect(error.problems).toHaveLength(50);
    expect(error.problems![0]).toMatchObject({ line: 2, message: expect.stringMatching(/Opening Quote/) });
    expect(error.more).toBeGreaterThan(900);
    expect(error.message).toMatch(/reading stopped after 1000 problems/);
  }, 120_000);

  it('then imports a good file as before, nothing of the refused ones', async () => {
    const res = await call('POST', `/api/campaigns/${campaignId}/audience`, `${header}C1,张女士,静安店\nC2,李先生,徐汇店\n`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ received: 2, invited: 2 });
    expect((await call('GET', `/api/campaigns/${campaignId}/stats`)).json()).toMatchObject({ invited: 2 });
  }, 60_000);
});
