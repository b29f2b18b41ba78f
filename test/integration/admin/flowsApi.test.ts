import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { parseFlow } from '../../../src/engine/index.ts';
import { adminApi, createUser, shippedNps } from '../../support/adminApi.ts';
import { isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

type Problem = { stepId?: string; path: string; message: string; line?: number };
type ErrorBody = { error: { code: string; message: string; problems?: Problem[]; conflict?: Record<string, unknown> } };

let service: RunningService;
let tokens: { editor: string; viewer: string };
let source: string;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('adminapi'));
  tokens = { editor: await createUser(service, 'editor-li', 'editor'), viewer: await createUser(service, '王查看', 'viewer') };
  source = await shippedNps();
});
afterAll(async () => {
  await service?.stop();
});

const asAdmin = () => adminApi(service);
const asEditor = () => adminApi(service, tokens.editor);
const asViewer = () => adminApi(service, tokens.viewer);

/** Saves `text` as the next version of nps-default as the editor, based on the newest version. */
async function saveNext(text: string, note?: string) {
  const head = await asAdmin().get<{ latestVersion: number }>('/api/flows/nps-default');
  return asEditor().post<{ created: boolean; version: number; valid: boolean; problems: Problem[] }>('/api/flows/nps-default/versions', {
    source: text,
    baseVersion: head.body.latestVersion,
    ...(note ? { note } : {}),
  });
}

describe('authentication and roles', () => {
  it('answers 401 without a token or with an unknown one, and serves the OpenAPI document publicly', async () => {
    for (const path of ['/api/flows', '/api/flows/nps-default', '/api/audit', '/api/me', '/api/users']) {
      expect((await adminApi(service, null).get(path)).status).toBe(401);
      expect((await adminApi(service, 'not-a-real-token-123456').get(path)).status).toBe(401);
    }
    expect((await adminApi(service, null).post('/api/flows/nps-default/versions', { source, baseVersion: 1 })).status).toBe(401);
    const doc = await adminApi(service, null).get<{ openapi: string; paths: Record<string, unknown> }>('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const path of ['/api/flows', '/api/flows/{id}/versions', '/api/flows/{id}/publish', '/api/flows/{id}/diff', '/api/flows/{id}/rollback', '/api/flows/{id}/archive', '/api/flows/{id}/preview', '/api/audit', '/api/users']) {
      expect(doc.body.paths).toHaveProperty([path]);
    }
  });

  it('knows who is calling', async () => {
    expect((await asAdmin().get('/api/me')).body).toEqual({ name: 'admin', role: 'admin' });
    expect((await asEditor().get('/api/me')).body).toEqual({ name: 'editor-li', role: 'editor' });
    expect((await asViewer().get('/api/me')).body).toEqual({ name: '王查看', role: 'viewer' });
  });

  it('lets a viewer read and validate but not write (403)', async () => {
    const list = await asViewer().get<{ items: Array<{ flowId: string; publishedVersion: number }> }>('/api/flows');
    expect(list.status).toBe(200);
    expect(list.body.items.map((f) => f.flowId)).toEqual(['car-after-sales', 'csat-after-service', 'nps-default']);
    expect((await asViewer().get('/api/flows/nps-default/versions/published')).status).toBe(200);
    expect((await asViewer().post('/api/flows/nps-default/validate', { source })).body).toEqual({ valid: true, problems: [] });
    expect((await asViewer().get('/api/flows/nps-default/diff?from=1&to=1')).status).toBe(200);
    const refused = await asViewer().post<ErrorBody>('/api/flows/nps-default/versions', { source, baseVersion: 1 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    for (const path of ['/api/flows/nps-default/publish', '/api/flows/nps-default/rollback']) expect((await asViewer().post(path, { version: 1 })).status).toBe(403);
    expect((await asViewer().post('/api/flows/nps-default/preview', { source })).status).toBe(403);
    expect((await asViewer().get('/api/users')).status).toBe(403);
  });

  it('lets an editor save and preview but not publish, roll back, archive or manage users', async () => {
    const saved = await saveNext(source.replace('接下来请为三个环节打分', '下面请给三个环节打分'), '措辞');
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ created: true, valid: true, problems: [] });
    expect((await asEditor().post('/api/flows/nps-default/preview', { source })).status).toBe(200);
    for (const path of ['publish', 'rollback', 'archive', 'unarchive']) {
      expect((await asEditor().post(`/api/flows/nps-default/${path}`, { version: saved.body.version })).status).toBe(403);
    }
    expect((await asEditor().post('/api/users', { name: 'x', role: 'admin' })).status).toBe(403);
    const published = await asAdmin().post('/api/flows/nps-default/publish', { version: saved.body.version, note: '上线' });
    expect(published.status).toBe(200);
    expect(published.body).toEqual({ publishedVersion: saved.body.version, changed: true });
  });

  it('creates users with a token shown once, and revoked tokens stop working', async () => {
    const created = await asAdmin().post<{ name: string; role: string; token: string }>('/api/users', { name: 'temp', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^hf_/);
    const listed = await asAdmin().get<{ items: Array<Record<string, unknown>> }>('/api/users');
    expect(listed.body.items.map((u) => u.name)).toEqual(['editor-li', '王查看', 'temp']);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect(JSON.stringify(listed.body)).not.toMatch(/tokenHash/);
    expect((await asAdmin().post('/api/users', { name: 'temp', role: 'editor' })).status).toBe(409);
    expect((await asAdmin().post('/api/users', { name: 'admin', role: 'editor' })).status).toBe(409);
    expect((await asAdmin().post('/api/users', { name: 'bad name!', role: 'editor' })).status).toBe(400);
    expect((await asAdmin().post('/api/users', { name: 'y', role: 'owner' })).status).toBe(400);
    expect((await adminApi(service, created.body.token).get('/api/me')).status).toBe(200);
    expect((await asAdmin().delete('/api/users/temp')).status).toBe(200);
    expect((await adminApi(service, created.body.token).get('/api/me')).status).toBe(401);
    expect((await asAdmin().delete('/api/users/temp')).status).toBe(404);
  });
});

describe('versions, validation and publishing', () => {
  it('stores invalid drafts but refuses to publish them, listing each problem with step id, path and line', async () => {
    const bad = source.replace('kind: csat\n    touchpoint: 预约流程', 'kind: stars\n    touchpoint: 预约流程');
    const saved = await saveNext(bad, '试一种新题型');
    expect(saved.status).toBe(201);
    expect(saved.body.valid).toBe(false);
    const unknownKind = saved.body.problems.find((p) => p.message.includes('unknown step kind'));
    expect(unknownKind).toMatchObject({ stepId: 'csat_booking', path: 'steps[5].kind', message: expect.stringContaining('"stars"') });
    expect(unknownKind?.line).toBe(bad.split('\n').findIndex((l) => l.includes('kind: stars')) + 1);

    const refused = await asAdmin().post<ErrorBody>('/api/flows/nps-default/publish', { version: saved.body.version });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('FLOW_INVALID');
    expect(refused.body.error.problems).toEqual(saved.body.problems);
    const head = await asAdmin().get<{ publishedVersion: number; versions: Array<{ version: number; valid: boolean; published: boolean }> }>('/api/flows/nps-default');
    expect(head.body.publishedVersion).toBe(saved.body.version - 1);
    expect(head.body.versions.find((v) => v.version === saved.body.version)).toMatchObject({ valid: false, published: false });
  });

  it('validates with the same checks as `flow validate`', async () => {
    const bad = source.replace('goto: reason_promoter', 'goto: nowhere').replace('id: thanks\n', 'id: thanks_all\n');
    const res = await asViewer().post<{ valid: boolean; problems: Problem[] }>('/api/flows/nps-default/validate', { source: bad });
    const cli = parseFlow(bad, 'draft');
    expect(cli.ok).toBe(false);
    expect(res.body.valid).toBe(false);
    expect(res.body.problems).toEqual(cli.ok ? [] : cli.problems);
    expect(res.body.problems[0]).toMatchObject({ stepId: 'nps', path: 'steps[1].branch[0].goto', message: 'goes to unknown step "nowhere"' });
  });

  it('refuses a flow that loops forever with no way out', async () => {
    const loop = [
      'schemaVersion: 1',
      'id: nps-default',
      'version: 1',
      'title: 循环',
      'steps:',
      '  - { id: ask, kind: text, text: 还好吗？, next: again }',
      '  - { id: again, kind: text, text: 真的吗？, next: ask }',
      '  - { id: bye, kind: end, text: 再见 }',
    ].join('\n');
    const saved = await saveNext(loop);
    expect(saved.body.valid).toBe(false);
    expect(saved.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stepId: 'ask', message: 'no path from here to an end step', line: 6 }),
        expect.objectContaining({ stepId: 'bye', message: 'is unreachable: no step leads here', line: 8 }),
      ]),
    );
    const spin = loop.replace('kind: text, text: 还好吗？', 'kind: message, text: 嗨').replace('kind: text, text: 真的吗？', 'kind: message, text: 嗨嗨');
    const messages = await asViewer().post<{ problems: Problem[] }>('/api/flows/nps-default/validate', { source: spin });
    expect(messages.body.problems.map((p) => p.message)).toContain('loops back to "ask" without asking anything; the flow would never stop');
    expect((await asAdmin().post<ErrorBody>('/api/flows/nps-default/publish', { version: saved.body.version })).body.error.code).toBe('FLOW_INVALID');
  });

  it('refuses YAML whose aliases expand too far (billion laughs) with 400 FLOW_YAML_ALIASES and stores nothing', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of [...'bcdefghi'].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`);
    const bomb = `${levels.join('\n')}\n`;
    const before = await asAdmin().get<{ latestVersion: number }>('/api/flows/nps-default');
    const answers = [
      await asEditor().post<ErrorBody>('/api/flows/nps-default/versions', { source: bomb, baseVersion: before.body.latestVersion }),
      await asViewer().post<ErrorBody>('/api/flows/nps-default/validate', { source: bomb }),
      await asEditor().post<ErrorBody>('/api/flows/nps-default/preview', { source: bomb }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'FLOW_YAML_ALIASES', message: expect.stringContaining('write the repeated parts out') });
    }
    expect((await asAdmin().get<{ latestVersion: number }>('/api/flows/nps-default')).body.latestVersion).toBe(before.body.latestVersion);
    // A few aliases are fine: they are ordinary YAML.
    const reused = source.replace('text: 感谢您的宝贵反馈！', 'text: &bye 感谢您的宝贵反馈！').replace('text: 感谢您抽空反馈，我们会认真改进。祝您生活愉快！', 'text: *bye');
    expect(reused).toContain('*bye');
    expect((await asViewer().post<{ valid: boolean }>('/api/flows/nps-default/validate', { source: reused })).body).toMatchObject({ valid: true });
  });

  it('refuses a 1 MB text with 413 and flags long texts at their line', async () => {
    const huge = source.replace('太感谢您的认可！', '好'.repeat(1_000_000));
    const tooLarge = await asEditor().post<ErrorBody>('/api/flows/nps-default/versions', { source: huge, baseVersion: 1 });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatchObject({ code: 'BODY_TOO_LARGE', message: expect.stringContaining('256 KB') });
    const long = source.replace('太感谢您的认可！', '好'.repeat(5_000));
    const res = await asViewer().post<{ valid: boolean; problems: Problem[] }>('/api/flows/nps-default/validate', { source: long });
    expect(res.body.problems).toEqual([
      { stepId: 'reason_promoter', path: 'steps[2].text', message: 'text is 5016 characters long; the limit is 1000', line: long.split('\n').findIndex((l) => l.includes('好好好')) + 1 },
    ]);
  });

  it('refuses a save based on an old version: "edited by X at T, reload"', async () => {
    const head = await asAdmin().get<{ latestVersion: number }>('/api/flows/nps-default');
    const base = head.body.latestVersion;
    const mine = await asEditor().post('/api/flows/nps-default/versions', { source: source.replace('最后是', '最后一项是'), baseVersion: base, note: '李的修改' });
    expect(mine.status).toBe(201);
    const theirs = await asAdmin().post<ErrorBody>('/api/flows/nps-default/versions', { source: source.replace('最后是', '最后'), baseVersion: base });
    expect(theirs.status).toBe(409);
    expect(theirs.body.error.code).toBe('DRAFT_CONFLICT');
    expect(theirs.body.error.message).toMatch(new RegExp(`^Edited by editor-li at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(version ${base + 1}, you started from version ${base}\\); reload`));
    expect(theirs.body.error.conflict).toMatchObject({ latestVersion: base + 1, author: 'editor-li', basedOn: base });
  });

  it('lets exactly one of two simultaneous saves of the same base through', async () => {
    const head = await asAdmin().get<{ latestVersion: number }>('/api/flows/nps-default');
    const results = await Promise.all(
      ['甲', '乙'].map((who) => asEditor().post('/api/flows/nps-default/versions', { source: source.replace('最后是', `最后(${who})是`), baseVersion: head.body.latestVersion })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('does not create a version when nothing changed, and creates new flows from version 0 once', async () => {
    const head = await asAdmin().get<{ latestVersion: number }>('/api/flows/nps-default');
    const latest = await asAdmin().get<{ source: string }>('/api/flows/nps-default/versions/latest');
    const same = await asEditor().post('/api/flows/nps-default/versions', { source: latest.body.source, baseVersion: head.body.latestVersion });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ created: false, version: head.body.latestVersion });

    const fresh = source.replace('id: nps-default', 'id: nps-store-b');
    const created = await asEditor().post('/api/flows/nps-store-b/versions', { source: fresh, baseVersion: 0, note: '新门店' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, valid: true });
    const again = await asAdmin().post<ErrorBody>('/api/flows/nps-store-b/versions', { source: fresh, baseVersion: 0 });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already exists \(edited by editor-li at /);
    const wrongId = await asEditor().post<{ valid: boolean; problems: Problem[] }>('/api/flows/nps-store-c/versions', { source: fresh, baseVersion: 0 });
    expect(wrongId.body.valid).toBe(false);
    expect(wrongId.body.problems).toContainEqual(expect.objectContaining({ path: 'id', line: fresh.split('\n').indexOf('id: nps-store-b') + 1, message: expect.stringContaining('cannot change') }));
    expect((await asEditor().post('/api/flows/Bad_Id/versions', { source: fresh, baseVersion: 0 })).status).toBe(400);
    expect((await asViewer().get('/api/flows/nope')).status).toBe(404);
    expect((await asViewer().get('/api/flows/nps-default/versions/999')).status).toBe(404);
  });

  it('rolls back by publishing an older version as a new one, and refuses to publish older versions directly', async () => {
    const before = await asAdmin().get<{ publishedVersion: number; latestVersion: number }>('/api/flows/nps-default');
    const older = await asAdmin().post<ErrorBody>('/api/flows/nps-default/publish', { version: 1 });
    expect(older.status).toBe(409);
    expect(older.body.error.code).toBe('VERSION_OLDER_THAN_PUBLISHED');
    const rolled = await asAdmin().post('/api/flows/nps-default/rollback', { version: 1, note: '新措辞反馈不好' });
    expect(rolled.body).toEqual({ publishedVersion: before.body.latestVersion + 1, copiedFrom: 1 });
    const now = await asAdmin().get<{ source: string; note: string; author: string; published: boolean }>('/api/flows/nps-default/versions/published');
    expect(now.body).toMatchObject({ source, note: '回滚到 v1：新措辞反馈不好', author: 'admin', published: true });
    expect((await service.catalog.published('nps-default'))?.flow.version).toBe(before.body.latestVersion + 1);
    const diff = await asViewer().get<{ identical: boolean }>(`/api/flows/nps-default/diff?from=1&to=published`);
    expect(diff.body.identical).toBe(true);
  });

  it('archives flows (not the default one): no new sessions start on them', async () => {
    const refused = await asAdmin().post<ErrorBody>('/api/flows/nps-default/archive', {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('FLOW_IS_DEFAULT');
    expect((await service.catalog.published('csat-after-service'))).not.toBeNull();
    expect((await asAdmin().post('/api/flows/csat-after-service/archive', { note: '停用' })).body).toEqual({ archived: true, changed: true });
    expect(await service.catalog.published('csat-after-service')).toBeNull();
    expect((await asAdmin().post<ErrorBody>('/api/flows/csat-after-service/publish', { version: 1 })).body.error.code).toBe('FLOW_ARCHIVED');
    const list = await asViewer().get<{ items: Array<{ flowId: string; archived: boolean }> }>('/api/flows');
    expect(list.body.items.find((f) => f.flowId === 'csat-after-service')?.archived).toBe(true);
    expect((await asAdmin().post('/api/flows/csat-after-service/unarchive', {})).body).toEqual({ archived: false, changed: true });
    expect(await service.catalog.published('csat-after-service')).not.toBeNull();
  });

  it('keeps an audit log of every change and publish, readable per flow', async () => {
    const log = await asViewer().get<{ items: Array<{ actor: string; action: string; flowId?: string; version?: number; note?: string }>; next: string | null }>(
      '/api/audit?flowId=nps-default&limit=200',
    );
    const actions = log.body.items.map((e) => `${e.actor} ${e.action}${e.version ? ` v${e.version}` : ''}`).reverse();
    expect(actions[0]).toBe('flows/ import flow.imported v1');
    expect(actions).toContain('editor-li flow.version_saved v2');
    expect(actions).toContain('admin flow.published v2');
    expect(actions.at(-1)).toMatch(/^admin flow\.rolled_back v\d+$/);
    expect(log.body.items.find((e) => e.action === 'flow.published')?.note).toBe('上线');
    const page = await asViewer().get<{ items: unknown[]; next: string | null }>('/api/audit?limit=2');
    expect(page.body.items).toHaveLength(2);
    const rest = await asViewer().get<{ items: Array<{ id: string }> }>(`/api/audit?limit=200&before=${page.body.next}`);
    expect(rest.body.items.length).toBeGreaterThan(5);
    const all = await asAdmin().get<{ items: Array<{ action: string }> }>('/api/audit?limit=200');
    expect(all.body.items.map((e) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.revoked', 'flow.archived', 'flow.unarchived']));
  });
});

describe('preview', () => {
  it('runs a draft through the engine and analyser without storing anything', async () => {
    const draft = source.replace('太感谢您的认可！', '<script>alert(1)</script>太感谢您的认可！');
    const api = asEditor();
    type Turn = { messages: Array<{ kind: string; text?: string; head?: string }>; state: unknown; status: string; stepId: string | null; analysis: { score?: number } | null; answers: Record<string, { value: unknown }>; effects: Array<{ type: string }> };
    const start = await api.post<Turn>('/api/flows/nps-default/preview', { source: draft, customer: { nickname: '张女士' } });
    expect(start.status).toBe(200);
    expect(start.body.stepId).toBe('nps');
    expect(JSON.stringify(start.body.messages)).toContain('张女士好！');
    const nine = await api.post<Turn>('/api/flows/nps-default/preview', { source: draft, state: start.body.state, text: '九分吧' });
    expect(nine.body.analysis?.score).toBe(9);
    expect(nine.body.answers.nps?.value).toBe(9);
    expect(nine.body.stepId).toBe('reason_promoter');
    expect(nine.body.messages.map((m) => m.text ?? m.head).join()).toContain('<script>alert(1)</script>太感谢您的认可！');
    const human = await api.post<Turn>('/api/flows/nps-default/preview', { source: draft, state: nine.body.state, text: '转人工' });
    expect(human.body.status).toBe('escalated');
    expect(human.body.effects.map((e) => e.type)).toContain('escalate');

    const invalid = await api.post<ErrorBody>('/api/flows/nps-default/preview', { source: draft.replace('kind: nps', 'kind: stars') });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.problems?.[0]).toMatchObject({ stepId: 'nps', message: expect.stringContaining('unknown step kind') });
    const stale = await api.post<ErrorBody>('/api/flows/nps-default/preview', { source: draft.replace(/reason_promoter/g, 'why_promoter'), state: nine.body.state, text: '很好' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('PREVIEW_STALE');
    const sessions = await asAdmin().get<{ items: unknown[] }>('/api/sessions');
    expect(sessions.body.items).toHaveLength(0);
    expect(service.simulator?.messagesTo('preview')).toHaveLength(0);
  });
});

describe('preview of answers given in passing', () => {
  it('shows which steps a message filled besides the one asked', async () => {
    const api = asEditor();
    type Turn = { state: unknown; stepId: string | null; filled: string[]; effects: Array<{ type: string; stepId?: string; inPassing?: boolean }> };
    const start = await api.post<Turn>('/api/flows/nps-default/preview', { source });
    const talk = await api.post<Turn>('/api/flows/nps-default/preview', { source, state: start.body.state, text: '9分，下个月还想来做水光' });
    expect(talk.status).toBe(200);
    expect(talk.body.filled).toEqual(['intent', 'timing', 'products']);
    expect(talk.body.effects.filter((e) => e.inPassing).map((e) => e.stepId)).toEqual(['intent', 'timing', 'products']);
    const plain = await api.post<Turn>('/api/flows/nps-default/preview', { source, state: start.body.state, text: '9' });
    expect(plain.body.filled).toEqual([]);
  });
});

describe('preview with a catalogue', () => {
  type Turn = { state: unknown; stepId: string | null; analysis: { products?: string[]; factors?: string[] } | null };

  it('reads products with the draft\'s own catalogue, unsaved edits included', async () => {
    // The draft adds a synonym nobody has published yet.
    const draft = source.replace('synonyms: [热玛奇, 热马吉, Thermage, 紧致抗衰, 射频紧致]', 'synonyms: [热玛奇, 热马吉, Thermage, 紧致抗衰, 射频紧致, 紧肤针]');
    expect(draft).not.toBe(source);
    const api = asEditor();
    const start = await api.post<Turn>('/api/flows/nps-default/preview', { source: draft });
    const nine = await api.post<Turn>('/api/flows/nps-default/preview', { source: draft, state: start.body.state, text: '9' });
    expect(nine.body.stepId).toBe('reason_promoter');
    const reason = await api.post<Turn>('/api/flows/nps-default/preview', { source: draft, state: nine.body.state, text: '紧肤针效果很好，医生也专业' });
    expect(reason.body.analysis).toMatchObject({ products: ['thermage'], factors: ['effect', 'advisor'] });

    // Without the catalogue the same reply names nothing: the preview follows the draft.
    const bare = source.replace(/\ncatalog:\n(?: {2}.*\n|\n)*/, '\n');
    expect(parseFlow(bare).ok && !bare.includes('thermage')).toBe(true);
    let turn = await api.post<Turn>('/api/flows/nps-default/preview', { source: bare });
    turn = await api.post<Turn>('/api/flows/nps-default/preview', { source: bare, state: turn.body.state, text: '9' });
    turn = await api.post<Turn>('/api/flows/nps-default/preview', { source: bare, state: turn.body.state, text: '热玛吉效果很好' });
    expect(turn.body.analysis?.products).toEqual([]);
  });
});

describe('export', () => {
  it('writes the published flows back to YAML, byte for byte, so the next import finds them unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hf-export-'));
    try {
      await asEditor().post('/api/flows/nps-store-b/versions', { source: 'not: [valid', baseVersion: 1 });
      const results = await service.catalog.exportDirectory(dir);
      expect(results.map((r) => `${r.flowId}:${r.status}`).sort()).toEqual([
        'car-after-sales:written',
        'csat-after-service:written',
        'nps-default:written',
        'nps-store-b:unpublished',
        'nps-store-c:unpublished',
      ]);
      const published = await asAdmin().get<{ source: string }>('/api/flows/nps-default/versions/published');
      expect(await readFile(join(dir, 'nps-default.yaml'), 'utf8')).toBe(published.body.source);
      expect((await service.catalog.exportDirectory(dir)).find((r) => r.flowId === 'nps-default')?.status).toBe('unchanged');
      const reimport = await service.catalog.importDirectory(dir);
      expect(reimport.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sessions read API with admin roles', () => {
  it('is for admins only (sessions hold customers and their words), and refuses a missing or unknown token', async () => {
    const admin = await asAdmin().get<{ items: unknown[]; next: string | null }>('/api/sessions');
    expect(admin.status).toBe(200);
    expect(Array.isArray(admin.body.items)).toBe(true);
    expect((await asViewer().get('/api/sessions')).status).toBe(403);
    expect((await asEditor().get('/api/sessions')).status).toBe(403);
    expect((await adminApi(service, null).get('/api/sessions')).status).toBe(401);
    expect((await adminApi(service, 'not-a-real-token-at-all').get('/api/sessions')).status).toBe(401);
  });
});
