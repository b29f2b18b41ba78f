import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { campaignCall, createCampaign } from '../../support/campaignApi.ts';
import { ADMIN_TOKEN, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The campaigns page of /admin in headless Chromium: the list with each funnel, creating a
// campaign, a refused upload with its line numbers, a good upload with links and a QR code, at
// 1366×768 and phone width. Screenshots go to .data/screenshots/.
const CHROMIUM = '/usr/bin/chromium';
let service: RunningService;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  service = await startTestService(isolatedEnv('campaignspage'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await mkdir('.data/screenshots', { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const csv = (rows: string[]) => Buffer.from(['客户编号,姓名,门店,服务类型,到店时间', ...rows].join('\n'));

describe('campaigns in /admin', () => {
  it('shows each campaign’s funnel, creates one, refuses a bad list by line and imports a good one', async () => {
    // A campaign with some history: three invited, one entered and answered the first question.
    const id = await createCampaign(service, { name: '十一月护理回访', flowId: 'csat-after-service' });
    const imported = (await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { json: [{ customerRef: 'P1', name: '<b>张女士</b>' }, { customerRef: 'P2' }, { customerRef: 'P3' }] })).json();
    await service.simulator!.customerOpensLink('wm_p1', imported.invitations[0].url);
    await service.idle();
    await customer(service, service.simulator!, 'wm_p1').clicks(/5/);

    await page.goto(`${service.url}/admin`);
    await page.getByLabel('访问令牌').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('link', { name: '活动' }).click();
    const row = page.locator('table.campaigns-table tbody tr', { hasText: '十一月护理回访' });
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(['十一月护理回访', '进行中', 'csat-after-service', '3', '1', '1', '1', '33.3%', '0', expect.any(String)]);
    await page.screenshot({ path: '.data/screenshots/admin-campaigns-1366.png', fullPage: true });

    // Create one through the form.
    await page.getByLabel('活动名称').fill('双十二到店回访');
    await page.getByLabel('每日上限').fill('500');
    await page.getByRole('button', { name: '创建活动' }).click();
    await page.getByRole('heading', { name: '双十二到店回访' }).waitFor();
    expect(await page.locator('.settings').textContent()).toContain('每日上限500');

    // A list with two bad lines: nothing imported, each problem with its line.
    await page.getByLabel('名单文件（CSV）').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: csv(['Q1,赵女士,静安店,护理,2026-11-28 14:30', ',没有编号,静安店,护理,', 'Q3,时间错,静安店,护理,2026-13-01']) });
    await page.getByRole('button', { name: '导入名单' }).click();
    const problems = page.locator('table.problems-table tbody tr');
    await problems.first().waitFor();
    expect(await problems.allTextContents()).toEqual([expect.stringMatching(/^3客户编号必填/), expect.stringMatching(/^4到店时间/)]);
    expect(await page.locator('.stat-card').first().textContent()).toBe('0已邀请');
    await page.screenshot({ path: '.data/screenshots/admin-campaign-problems-1366.png', fullPage: true });

    await page.getByLabel('名单文件（CSV）').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: csv(['Q1,赵女士,静安店,护理,2026-11-28 14:30', 'Q2,钱先生,徐汇店,到店,2026-11-29 10:00', 'P2,重复的人,静安店,护理,']) });
    await page.getByRole('button', { name: '导入名单' }).click();
    await page.getByRole('heading', { name: /本次导入：邀请 2 位，跳过 1 位/ }).waitFor();
    expect(await page.locator('.upload-result').textContent()).toContain('30 天内已被邀请 1');
    expect(await page.getByLabel('Q1 的邀请链接').inputValue()).toMatch(/scene_param=hf1\./);
    await page.locator('table.invitations-table tbody tr').first().getByRole('button', { name: '二维码' }).click();
    const qr = page.getByAltText('Q1 的邀请二维码');
    await qr.waitFor();
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
    expect(await page.locator('.stat-card').first().textContent()).toBe('2已邀请');
    await page.screenshot({ path: '.data/screenshots/admin-campaign-1366.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '.data/screenshots/admin-campaign-phone.png', fullPage: true });
    await page.getByRole('link', { name: '← 全部活动' }).click();
    await row.waitFor();
    // Names are text, never markup.
    await page.screenshot({ path: '.data/screenshots/admin-campaigns-phone.png', fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    // No script error and no CSP refusal; the refused upload's 400 is the only failed request.
    expect(pageErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
