import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';
import { dumpStores, holding } from '../../support/storeDump.ts';

// Retention (issue 15) with an injected clock: the sweep runs "400 days later" and "1,100 days
// later" against real FerretDB and Redis. Each time the analytics summary is unchanged, and
// every copy of the expired sessions' words is gone from MongoDB and Redis (checked directly).

let service: RunningService;
let env: Record<string, string>;
const DAY = 86_400_000;

const praise = '顾问很专业，耐心解释，环境也很干净';
const complaint = '太贵了，服务态度也差，等了一个小时';
const fresh = '前台小姐姐很热情';

const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
};

const summary = async () => {
  const { generatedAt: _at, ...numbers } = (await adminGet<Record<string, unknown>>(service, '/api/analytics/summary?flowId=nps-default')).body;
  return numbers;
};

beforeAll(async () => {
  env = isolatedEnv('privacy-retention', { RETENTION_DAYS: '365', ESCALATION_RETENTION_DAYS: '1095', ESCALATION_REASON_WAIT_MINUTES: '10' });
  service = await startTestService(env);
  const sim = service.simulator!;
  const p = customer(service, sim, 'wm_promoter_old');
  await p.says('你好');
  await p.says('九分吧');
  await p.says(praise);
  await p.clicks('5');
  await p.says('满意');
  await p.clicks(/4/);
  await p.clicks(/5/);
  await p.says('下个月吧');
  await p.says('面部护理套餐');
  await p.clicks('推荐朋友');

  const d = customer(service, sim, 'wm_detractor_old');
  await d.says('你好');
  await d.says('3');
  await d.says(complaint);
  await service.followUp.whenIdle({ timeoutMs: 20_000 });
  // The advisor resolves without handing back: the session completes (closed) with its escalation.
  const active = await call<{ items: Array<{ id: string }> }>('GET', '/api/console/escalations?view=active');
  expect((await call('POST', `/api/console/escalations/${active.body.items[0]!.id}/resolve`, { handBack: 'none' })).status).toBe(200);
  await service.idle();
  await service.followUp.whenIdle({ timeoutMs: 20_000 });
}, 180_000);

afterAll(async () => {
  await service?.stop();
});

describe('the retention sweep', () => {
  it('shows the policy, and its dry run counts nothing due today', async () => {
    const res = await call<{ policy: { days: number; escalationDays: number }; dryRun: { due: number; redacted: number } }>('GET', '/api/privacy/retention?dryRun=1');
    expect(res.status).toBe(200);
    expect(res.body.policy).toEqual({ days: 365, escalationDays: 1095, source: 'env' });
    expect(res.body.dryRun).toMatchObject({ due: 0, redacted: 0 });
  });

  it('counts the same from the command line: npm run -s privacy -- retention --dry-run --now <400 days later>', { timeout: 60_000 }, async () => {
    const later = new Date(Date.now() + 400 * DAY).toISOString();
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/privacy.ts', ...args], {
        env: { ...process.env, MONGODB_URI: env.MONGODB_URI, REDIS_URL: env.REDIS_URL, REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX, LOG_LEVEL: 'silent' },
      });
    const { stdout } = await cli(['retention', '--dry-run', '--now', later]);
    expect(JSON.parse(stdout)).toMatchObject({ dryRun: true, due: 1, redacted: 0 });
    // A session stored before the per-customer index existed is found again after `reindex`.
    await service.stores.mongo.db!.collection<{ _id: string }>('customerindex').deleteOne({ _id: 'wm_promoter_old' });
    expect((await call<{ sessions: unknown[] }>('GET', '/api/customers/wm_promoter_old/export')).body.sessions).toEqual([]);
    expect((await cli(['reindex'])).stdout).toMatch(/^2 sessions looked at, 2 in the per-customer index/);
    expect((await call<{ sessions: unknown[] }>('GET', '/api/customers/wm_promoter_old/export')).body.sessions).toHaveLength(1);
    await expect(cli(['retention', '--bogus'])).rejects.toMatchObject({ code: 2 });
  });

  it('400 days later: redacts the plain session only, analytics unchanged, its words gone from MongoDB and Redis', async () => {
    const later = new Date(Date.now() + 400 * DAY);
    const before = await summary();
    expect(before).toMatchObject({ nps: { responses: 2, detractors: 1, promoters: 1 } });
    expect(holding(await dumpStores(service), [praise]).length).toBeGreaterThan(0);

    const dry = await service.privacy.retention.sweep({ dryRun: true, now: later });
    expect(dry).toMatchObject({ due: 1, redacted: 0 });
    expect(holding(await dumpStores(service), [praise]).length).toBeGreaterThan(0);

    const report = await service.privacy.retention.sweep({ now: later });
    expect(report).toMatchObject({ due: 1, redacted: 1, complete: true });
    expect(await summary()).toEqual(before);

    const dump = await dumpStores(service);
    expect(holding(dump, [praise, '顾问很专业'])).toEqual([]);
    // The session keeps its numbers under a pseudonym.
    const sessions = await adminGet<{ items: Array<{ id: string; customerId: string }> }>(service, '/api/sessions?limit=10');
    const listed = sessions.body.items.find((s) => s.customerId.startsWith('expired-'))!;
    const redacted = await adminGet<{ status: string; answers: Record<string, { value: unknown; raw: string }>; transcript: unknown[] }>(service, `/api/sessions/${listed.id}`);
    expect(redacted.body.status).toBe('completed');
    expect(redacted.body.answers.nps).toMatchObject({ value: 9, raw: '' });
    expect(redacted.body.transcript).toEqual([]);
    // The hand-over keeps its words for ESCALATION_RETENTION_DAYS.
    expect(holding(dump, [complaint]).length).toBeGreaterThan(0);
    // The promoter is no longer found by id: the export holds no session of theirs.
    expect((await call<{ sessions: unknown[] }>('GET', '/api/customers/wm_promoter_old/export')).body.sessions).toEqual([]);
  });

  it('is idempotent: the same sweep again redacts nothing and changes nothing', async () => {
    const before = await summary();
    const again = await service.privacy.retention.sweep({ now: new Date(Date.now() + 400 * DAY) });
    expect(again).toMatchObject({ due: 0, redacted: 0 });
    expect(await summary()).toEqual(before);
    // While another process sweeps (holds the lock), the hourly run skips its round quietly.
    const lock = service.stores.keys.lock('privacy:retention');
    await service.stores.redis.set(lock, 'another-process', 'PX', 10_000);
    expect(await service.privacy.retention.sweepUnlessBusy()).toBeNull();
    await service.stores.redis.del(lock);
    expect(await service.privacy.retention.sweepUnlessBusy()).toMatchObject({ complete: true });
  });

  it('1,100 days later: the escalated session goes too (transcript, escalation words, quotes), analytics unchanged', async () => {
    const before = await summary();
    const report = await service.privacy.retention.sweep({ now: new Date(Date.now() + 1100 * DAY) });
    expect(report).toMatchObject({ due: 1, redacted: 1 });
    expect(await summary()).toEqual(before);
    expect(holding(await dumpStores(service), [complaint, '太贵了', '等了一个小时'])).toEqual([]);
    const audit = await adminGet<{ items: Array<{ action: string; details?: { redacted?: number } }> }>(service, '/api/audit?limit=20');
    expect(audit.body.items.filter((e) => e.action === 'retention.swept').map((e) => e.details?.redacted)).toEqual([1, 1]);
  });

  it('leaves sessions analytics can be rebuilt from to the same numbers', { timeout: 90_000 }, async () => {
    const before = await summary();
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/analytics.ts', 'rebuild', '--flow', 'nps-default'], {
      env: { ...process.env, MONGODB_URI: env.MONGODB_URI, REDIS_URL: env.REDIS_URL, REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX, LOG_LEVEL: 'silent' },
    });
    expect(await summary()).toEqual(before);
    expect(holding(await dumpStores(service), [praise, complaint])).toEqual([]);
  });

  it('resumes where it stopped: a sweep cut after one round is finished by the next, nothing twice', async () => {
    for (const id of ['wm_newer_1', 'wm_newer_2']) {
      const c = customer(service, service.simulator!, id);
      await c.says('你好');
      await c.says('十分');
      await c.says(fresh);
      await c.says('不要再发了');
    }
    const later = new Date(Date.now() + 400 * DAY);
    expect(await service.privacy.retention.sweep({ dryRun: true, now: later })).toMatchObject({ due: 2 });
    const first = await service.privacy.retention.sweep({ now: later, batchSize: 1, maxRounds: 1 });
    expect(first).toMatchObject({ redacted: 1, complete: false });
    expect(holding(await dumpStores(service), [fresh]).length).toBeGreaterThan(0);
    const rest = await service.privacy.retention.sweep({ now: later, batchSize: 1 });
    expect(rest).toMatchObject({ redacted: 1, complete: true });
    expect(holding(await dumpStores(service), [fresh])).toEqual([]);
  });
});

describe('the retention policy on the admin page', () => {
  it('is set with PUT (validated, audited) and the next sweep uses it', async () => {
    expect((await call<{ error: { code: string } }>('PUT', '/api/privacy/retention', { days: 0, escalationDays: 30 })).body.error.code).toBe('BODY_INVALID');
    const set = await call<{ policy: Record<string, unknown> }>('PUT', '/api/privacy/retention', { days: 30, escalationDays: 60 });
    expect(set.status).toBe(200);
    expect(set.body.policy).toMatchObject({ days: 30, escalationDays: 60, source: 'admin', updatedBy: 'admin' });
    expect((await call<{ policy: Record<string, unknown> }>('GET', '/api/privacy/retention')).body.policy).toMatchObject({ days: 30, source: 'admin' });
    const c = customer(service, service.simulator!, 'wm_policy');
    await c.says('你好');
    await c.says('不要再发了');
    // 40 days on: due under 30 days, not under the environment's 365.
    expect(await service.privacy.retention.sweep({ dryRun: true, now: new Date(Date.now() + 40 * DAY) })).toMatchObject({ due: 1, policy: { days: 30 } });
    const audit = await adminGet<{ items: Array<{ action: string; details?: unknown }> }>(service, '/api/audit?limit=20');
    expect(audit.body.items.find((e) => e.action === 'retention.changed')?.details).toEqual({ from: { days: 365, escalationDays: 1095 }, to: { days: 30, escalationDays: 60 } });
  });
});
