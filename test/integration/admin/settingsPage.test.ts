import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// Issue 22: what a merchant configures is on a page. The settings form edits the flow's YAML in
// place, saves a new version (validated, audited), shows the diff before publishing, and the next
// customer's messages use the new brand and store names.
const CHROMIUM = '/usr/bin/chromium';
let service: RunningService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  service = await startTestService(isolatedEnv('settingspage'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.setDefaultTimeout(10_000);
  await mkdir('.data/screenshots', { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('flow settings in /admin', () => {
  it('saves brand, store, reminder and review link as a new version, publishes after showing the diff, and messages use them', async () => {
    await page.goto(`${service.url}/login?next=${encodeURIComponent('/admin#/flows/nps-default/settings')}#token=${ADMIN_TOKEN}`);
    await page.getByLabel('品牌名称').waitFor();
    expect(await page.getByLabel('品牌名称').inputValue()).toBe('本店');
    await page.screenshot({ path: '.data/screenshots/admin-settings-390.png', fullPage: true });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    await page.getByLabel('品牌名称').fill('悦颜美容');
    await page.getByLabel('门店名称（可留空）').fill('静安店');
    await page.getByLabel('顾客多久没回复时提醒一次（小时）').fill('12');
    await page.getByLabel('评价链接（如大众点评、美团的店铺页）').fill('https://www.dianping.com/shop/H1234');
    await page.getByRole('button', { name: '保存并发布…' }).click();

    const dialog = page.getByRole('dialog', { name: '确认发布' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('悦颜美容');
    expect(await dialog.textContent()).not.toContain('segments');
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: '.data/screenshots/admin-settings-publish-1366.png', fullPage: true });
    await dialog.getByRole('button', { name: '确认发布' }).click();
    await page.getByText('已发布 v2').waitFor();

    const flow = (await adminGet<{ publishedVersion: number }>(service, '/api/flows/nps-default')).body;
    expect(flow.publishedVersion).toBe(2);
    const v2 = (await adminGet<{ source: string; note: string }>(service, '/api/flows/nps-default/versions/2')).body;
    expect(v2.source).toContain('brand: 悦颜美容');
    expect(v2.source).toContain('reminderAfterHours: 12');
    expect(v2.source).toContain('reviewUrl: https://www.dianping.com/shop/H1234');
    // The rest of the file, comments included, is as it was.
    expect(v2.source).toContain('# yaml-language-server: $schema=./flow.schema.json');
    const audit = (await adminGet<{ items: Array<{ action: string; version?: number; note?: string }> }>(service, '/api/audit?flowId=nps-default')).body.items;
    expect(audit.find((e) => e.action === 'flow.published' && e.version === 2)?.note).toContain('品牌名称');

    const c = customer(service, service.simulator!, 'wm_settings');
    expect((await c.says('你好')).join('\n')).toContain('我是悦颜美容静安店的回访小助手');
    // A promoter who offers a review gets the review link set on the page.
    for (const reply of ['9', '顾问很专业']) await c.says(reply);
    for (const score of [/^5/, /^4/, /^5/, /^4/]) await c.clicks(score);
    await c.says('下个月');
    expect((await c.says('面部护理')).join('\n')).toContain('写个评价');
    expect((await c.clicks('写个评价')).join('\n')).toContain('太感谢了！https://www.dianping.com/shop/H1234');
  });

  it('does not publish when the diff is cancelled', async () => {
    await page.goto(`${service.url}/admin#/flows/nps-default/settings`);
    await page.getByLabel('品牌名称').fill('另一个名字');
    await page.getByRole('button', { name: '保存并发布…' }).click();
    await page.getByRole('dialog', { name: '确认发布' }).getByRole('button', { name: '取消' }).click();
    await page.getByLabel('品牌名称').waitFor();
    const flow = (await adminGet<{ publishedVersion: number; latestVersion: number }>(service, '/api/flows/nps-default')).body;
    expect(flow).toMatchObject({ publishedVersion: 2, latestVersion: 3 });
  });
});
