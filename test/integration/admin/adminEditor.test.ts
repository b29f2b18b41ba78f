import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { adminApi } from '../../support/adminApi.ts';
import { ADMIN_TOKEN, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The admin editor in headless Chromium against the whole service: the same pages an admin uses.
const CHROMIUM = '/usr/bin/chromium';
const NEW_TEXT = '【网页新版】请为三个环节打分，先说「预约流程」，您满意吗？';
const SCRIPT_TEXT = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">您最满意的是哪一点？';

let service: RunningService;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const failedRequests: string[] = [];

beforeAll(async () => {
  // Fail loudly: a missing browser must not turn into a silently skipped test.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the editor tests need it)`);
  service = await startTestService(isolatedEnv('admineditor'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // Chromium logs every 4xx as a console error; those are checked through the responses instead.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const step = (id: string) => page.locator(`section.step[data-step="${id}"]`);

describe('admin editor in a browser', () => {
  it('signs in with a token and lists the flows', async () => {
    await page.goto(`${service.url}/admin`);
    await page.getByLabel('访问令牌').fill('wrong-token-0123456789');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.locator('form.login .bad').textContent()).toContain('令牌无效');
    await page.getByLabel('访问令牌').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('table.flows-table').waitFor();
    expect(await page.locator('table.flows-table tbody tr').count()).toBe(3);
    // The ADMIN_TOKEN holder is 管理员, not "admin（管理员）".
    await expect.poll(() => page.locator('#who span').textContent()).toBe('管理员');
  });

  it('shows the flow as an outline, and YAML errors at their line', async () => {
    await page.getByRole('link', { name: '服务回访（NPS）' }).click();
    await step('csat_booking').waitFor();
    expect(await page.locator('section.step').count()).toBe(18);
    expect(await step('nps').locator('.kind').textContent()).toBe('NPS 推荐度（0-10）');
    expect(await step('nps').locator('.route').first().textContent()).toContain('若「nps」为推荐者（9-10） →');
    await expect.poll(() => page.locator('.check-status').textContent()).toContain('校验通过');

    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = page.getByLabel('YAML 源文件');
    const original = await yaml.inputValue();
    const broken = original.replace('kind: nps', 'kind: stars');
    const line = broken.split('\n').findIndex((l) => l.includes('kind: stars')) + 1;
    await yaml.fill(broken);
    await expect.poll(() => page.locator('.gutter .ln.err').allTextContents()).toEqual([String(line)]);
    expect(await page.locator('.yaml-problems').textContent()).toContain(`第 ${line} 行`);
    expect(await page.locator('.yaml-problems').textContent()).toContain('unknown step kind "stars"');
    expect(await page.locator('.check-status').textContent()).toContain('有 1 处错误');
    await yaml.fill(original);
    await expect.poll(() => page.locator('.gutter .ln.err').count()).toBe(0);
    await page.getByRole('tab', { name: '大纲' }).click();
    expect(await page.locator('.chip', { hasText: '有未保存的修改' }).count()).toBe(0);
  });

  it('adds, moves and deletes steps in the outline', async () => {
    await step('timing').getByLabel('新步骤题型').selectOption('choice');
    await step('timing').getByRole('button', { name: '＋ 在此后添加步骤' }).click();
    const added = page.locator('section.step').nth(13);
    const newId = await added.getAttribute('data-step');
    expect(await added.locator('.kind').textContent()).toBe('选择题');
    await added.getByRole('button', { name: `上移 ${newId}` }).click();
    expect(await page.locator('section.step').nth(12).getAttribute('data-step')).toBe(newId);
    expect(await page.getByLabel('YAML 源文件').inputValue()).toContain(`id: ${newId}`);
    await expect.poll(() => page.locator('.chip', { hasText: '有未保存的修改' }).count()).toBe(1);
    await step(newId!).getByRole('button', { name: `删除 ${newId}` }).click();
    expect(await page.locator('section.step').count()).toBe(18);
    expect(await page.getByLabel('YAML 源文件').inputValue()).not.toContain(`id: ${newId}`);
  });

  it('edits a question, previews it with a script tag shown as text, publishes, and new conversations use it', async () => {
    await step('csat_booking').locator('textarea.step-text').fill(NEW_TEXT);
    await step('reason_promoter').locator('textarea.step-text').fill(SCRIPT_TEXT);
    await expect.poll(() => page.locator('.check-status').textContent()).toContain('校验通过');
    expect(await page.getByLabel('YAML 源文件').inputValue()).toContain(NEW_TEXT);

    // Preview the unsaved draft: the same engine and analyser, nothing stored.
    await page.getByRole('button', { name: '重新开始' }).click();
    await expect.poll(() => page.locator('.chat-log .msg.bot').count()).toBe(1);
    const input = page.getByLabel('预览输入');
    await input.fill('9');
    await input.press('Enter');
    await expect.poll(() => page.locator('.chat-log .msg.bot').last().textContent()).toContain(SCRIPT_TEXT);
    expect(await page.locator('.chat-log').textContent()).toContain('记录答案 nps = 9');
    await input.fill('很好，环境干净');
    await input.press('Enter');
    await expect.poll(() => page.locator('.chat-log .msg.bot').last().textContent()).toContain(NEW_TEXT);
    expect((await adminApi(service).get<{ items: unknown[] }>('/api/sessions')).body.items).toHaveLength(0);

    await page.getByLabel('修改说明').fill('网页改版');
    await page.getByRole('button', { name: '发布', exact: true }).click();
    // Publishing shows what changes and asks first (issue 22).
    const confirm = page.getByRole('dialog', { name: '确认发布' });
    await expect.poll(() => confirm.textContent()).toContain(NEW_TEXT);
    await confirm.getByRole('button', { name: '确认发布' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('已发布 v2');
    expect(await page.locator('.chip', { hasText: '线上：v2' }).count()).toBe(1);

    const sim = service.simulator!;
    const c = customer(service, sim, 'wm_after_publish');
    await c.says('你好');
    expect((await c.says('9')).join()).toContain(SCRIPT_TEXT);
    expect((await c.says('服务很周到')).join()).toContain(NEW_TEXT);
  });

  it('lists versions with diff and the audit log, escaping every text', async () => {
    await page.getByRole('tab', { name: '版本' }).click();
    const v2 = page.locator('tr[data-version="2"]');
    await v2.waitFor();
    expect(await v2.textContent()).toContain('网页改版');
    expect(await v2.textContent()).toContain('线上');
    await v2.getByRole('button', { name: '与上一版对比' }).click();
    const change = page.locator('.diff .change[data-step="reason_promoter"]');
    await change.waitFor();
    expect(await change.textContent()).toContain(SCRIPT_TEXT);
    expect(await page.locator('.diff .change[data-step="csat_booking"] ins').textContent()).toBe(NEW_TEXT);
    expect(await page.locator('.diff .change').count()).toBe(2);

    await page.getByRole('tab', { name: '审计' }).click();
    await page.locator('.audit-table').waitFor();
    const rows = await page.locator('.audit-table tbody tr').allTextContents();
    expect(rows[0]).toMatch(/admin.*发布.*nps-default.*v2.*网页改版/);
    expect(rows[1]).toMatch(/admin.*保存版本.*v2.*网页改版/);

    // The script tag stayed text in the outline, the preview, the diff and the YAML: it never ran.
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"], main script').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    // Only the deliberately wrong token at sign-in was refused.
    expect(failedRequests).toEqual(['401 /api/me']);
  });

  it('edits the product catalogue in the outline, round-trips it through the YAML, and previews with it', async () => {
    // Still on nps-default (published as v2 above), on the audit tab.
    await page.getByRole('tab', { name: '大纲' }).click();
    const catalog = page.locator('section.catalog');
    await catalog.waitFor();
    expect(await catalog.locator('.catalog-item').count()).toBe(11);
    expect(await page.getByLabel('产品 thermage 名称').inputValue()).toBe('热玛吉');
    expect(await page.getByLabel('产品 thermage 同义词').inputValue()).toBe('热玛奇、热马吉、Thermage、紧致抗衰、射频紧致');

    // Outline → YAML: a new synonym and a new item, with the file's comments kept.
    await page.getByLabel('产品 thermage 同义词').fill('热玛奇、紧肤针');
    await catalog.getByRole('button', { name: '＋ 产品' }).click();
    await page.getByLabel('产品 item12 名称').fill('头皮护理');
    const yaml = page.getByLabel('YAML 源文件');
    await expect.poll(() => yaml.inputValue()).toMatch(/synonyms: \[ ?热玛奇, 紧肤针 ?\]/);
    expect(await yaml.inputValue()).toMatch(/- id: item12\n\s+name: 头皮护理\n\s*\nsteps:|- id: item12\n\s+name: 头皮护理\n+steps:/);
    expect(await yaml.inputValue()).toContain('# 门店提供的项目。');
    await expect.poll(() => page.locator('.check-status').textContent()).toContain('校验通过');

    // A word two items claim is refused with its line, above the steps.
    await page.getByLabel('产品 item12 同义词').fill('紧肤针');
    await expect.poll(() => page.locator('.check-status').textContent()).toContain('有 1 处错误');
    expect(await page.locator('ul.flow-problems').textContent()).toMatch(/第 \d+ 行 · catalog\[11\]\.synonyms\[0\]：".*紧肤针" already selects "thermage"/);
    await page.getByLabel('产品 item12 同义词').fill('头皮SPA');
    await expect.poll(() => page.locator('.check-status').textContent()).toContain('校验通过');

    // YAML → outline: an edit in the source shows in the catalogue.
    await page.getByRole('tab', { name: 'YAML' }).click();
    await yaml.fill((await yaml.inputValue()).replace('name: 头皮护理', 'name: 头皮养护'));
    await page.getByRole('tab', { name: '大纲' }).click();
    await expect.poll(() => page.getByLabel('产品 item12 名称').inputValue()).toBe('头皮养护');

    // The preview reads the unsaved catalogue.
    await page.getByRole('button', { name: '重新开始' }).click();
    await expect.poll(() => page.locator('.chat-log .msg.bot').count()).toBe(1);
    const input = page.getByLabel('预览输入');
    await input.fill('9');
    await input.press('Enter');
    await expect.poll(() => page.locator('.chat-log .msg.bot').count()).toBe(2);
    await input.fill('紧肤针效果很好');
    await input.press('Enter');
    await expect.poll(() => page.locator('.chat-log').textContent()).toContain('产品 thermage');
    expect(await page.locator('.chat-log').textContent()).toContain('因素 效果');

    // Removing the last items removes the key.
    await page.getByRole('button', { name: '删除产品 item12' }).click();
    expect(await page.locator('section.catalog .catalog-item').count()).toBe(11);
    expect(pageErrors).toEqual([]);
  });

  it('refuses an editor the publish button and keeps a viewer read-only', async () => {
    const created = await adminApi(service).post<{ token: string }>('/api/users', { name: 'viewer-wu', role: 'viewer' });
    const viewer = await browser.newPage();
    await viewer.goto(`${service.url}/admin#/flows/nps-default`);
    await viewer.getByLabel('访问令牌').fill(created.body.token);
    await viewer.getByRole('button', { name: '登录' }).click();
    await viewer.locator('section.step[data-step="nps"]').waitFor();
    expect(await viewer.getByRole('button', { name: '发布', exact: true }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: '保存版本' }).count()).toBe(0);
    expect(await viewer.locator('section.step[data-step="nps"] textarea.step-text').getAttribute('readonly')).not.toBeNull();
    expect(await viewer.locator('.chat-log').textContent()).toContain('预览需要');
    await viewer.close();
  });
});
