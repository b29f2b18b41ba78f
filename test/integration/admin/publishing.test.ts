import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { adminApi, createUser } from '../../support/adminApi.ts';
import { knownFlowPair, knownPairSummary, summarizeDiff } from '../../support/flowPair.ts';
import { customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
let env: Record<string, string>;
let editor: ReturnType<typeof adminApi>;
const admin = () => adminApi(service);

beforeAll(async () => {
  env = isolatedEnv('adminpub');
  service = await startTestService(env);
  editor = adminApi(service, await createUser(service, 'editor-zhao', 'editor'));
});
afterAll(async () => {
  await service?.stop();
});

async function saveAndPublish(source: string, note: string): Promise<number> {
  const head = await admin().get<{ latestVersion: number }>('/api/flows/nps-default');
  const saved = await editor.post<{ version: number }>('/api/flows/nps-default/versions', { source, baseVersion: head.body.latestVersion, note });
  expect(saved.status).toBe(201);
  const published = await admin().post('/api/flows/nps-default/publish', { version: saved.body.version, note });
  expect(published.status).toBe(200);
  return saved.body.version;
}

describe('publishing with live sessions (through the WeCom simulator)', () => {
  it('keeps running sessions on their version, starts new ones on the published one, and counts sessions per version', async () => {
    const sim = service.simulator!;
    const v1 = await admin().get<{ source: string }>('/api/flows/nps-default/versions/published');
    const early = customer(service, sim, 'wm_early');
    expect((await early.says('你好')).join()).toMatch(/推荐给亲友/);

    const v2 = await saveAndPublish(v1.body.source.replace('接下来请为三个环节打分', '【新版】请为三个环节打分'), '新措辞');
    expect(v2).toBe(2);

    // The early customer is mid-survey on v1 and stays there.
    // A reason with content (a vague 很好 would get one probe first).
    await early.says('9');
    expect((await early.says('服务很周到')).join()).toMatch(/接下来请为三个环节打分/);
    const late = customer(service, sim, 'wm_late');
    await late.says('你好');
    await late.says('9');
    expect((await late.says('服务很周到')).join()).toMatch(/【新版】请为三个环节打分/);
    expect(early.all().join()).not.toMatch(/【新版】/);

    // Roll back: the v1 text returns for new sessions as version 3; both running sessions keep theirs.
    expect((await admin().post('/api/flows/nps-default/rollback', { version: 1 })).body).toEqual({ publishedVersion: 3, copiedFrom: 1 });
    const third = customer(service, sim, 'wm_third');
    await third.says('你好');
    await third.says('9');
    expect((await third.says('服务很周到')).join()).toMatch(/接下来请为三个环节打分/);
    expect((await late.says('5')).join()).toMatch(/顾问沟通/);

    const sessions = await admin().get<{ items: Array<{ customerId: string; flowVersion: number }> }>('/api/sessions?flow=nps-default');
    expect(Object.fromEntries(sessions.body.items.map((s) => [s.customerId, s.flowVersion]))).toEqual({ wm_early: 1, wm_late: 2, wm_third: 3 });
    const flow = await editor.get<{ publishedVersion: number; versions: Array<{ version: number; sessions: number; published: boolean; author: string; note: string | null }> }>('/api/flows/nps-default');
    expect(flow.body.publishedVersion).toBe(3);
    expect(flow.body.versions.map((v) => ({ version: v.version, sessions: v.sessions, published: v.published, author: v.author, note: v.note }))).toEqual([
      { version: 3, sessions: 1, published: true, author: 'admin', note: '回滚到 v1' },
      { version: 2, sessions: 1, published: false, author: 'editor-zhao', note: '新措辞' },
      { version: 1, sessions: 1, published: false, author: 'flows/ import', note: 'imported from nps-default.yaml' },
    ]);
    const one = await editor.get<{ sessions: number; version: number }>('/api/flows/nps-default/versions/2');
    expect(one.body).toMatchObject({ version: 2, sessions: 1 });
  });

  it('diffs a known pair of versions step by step', async () => {
    const { v2 } = knownFlowPair();
    const head = await admin().get<{ latestVersion: number }>('/api/flows/nps-default');
    const saved = await editor.post<{ version: number; valid: boolean }>('/api/flows/nps-default/versions', { source: v2, baseVersion: head.body.latestVersion, note: '调整顺序' });
    expect(saved.body.valid).toBe(true);
    const diff = await editor.get<{ from: number; to: number; identical: boolean; steps: Array<Record<string, unknown>> }>(`/api/flows/nps-default/diff?from=published&to=${saved.body.version}`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({ from: 3, to: saved.body.version, identical: false });
    expect(summarizeDiff(diff.body)).toEqual(knownPairSummary);
    const back = await editor.get<{ steps: Array<Record<string, unknown>> }>(`/api/flows/nps-default/diff?from=${saved.body.version}&to=1`);
    expect(summarizeDiff(back.body)).toContain('- channel (choice) "您是怎么知道我们的？"');
    expect(summarizeDiff(back.body)).toContain('+ products (text) "您对哪些项目或产品比较感兴趣？我们可以提前为您留意。" → {"step":"nps","group":"promoter"}→referral,thanks');
    expect((await editor.get('/api/flows/nps-default/diff?from=1&to=99')).status).toBe(404);
    expect((await editor.get('/api/flows/nps-default/diff?from=x&to=1')).status).toBe(400);
  });

  it('exports published flows to YAML with the CLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hf-cli-export-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/flowsExport.ts', 'export', dir], {
        env: { ...process.env, MONGODB_URI: env.MONGODB_URI, LOG_LEVEL: 'silent' },
        timeout: 30_000,
      });
      expect(stdout).toContain(`${join(dir, 'nps-default.yaml')}: written (nps-default v3)`);
      expect(stdout).toContain('csat-after-service.yaml: written (csat-after-service v1)');
      const published = await admin().get<{ source: string }>('/api/flows/nps-default/versions/published');
      expect(await readFile(join(dir, 'nps-default.yaml'), 'utf8')).toBe(published.body.source);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
