import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { adminApi } from '../../support/adminApi.ts';
import { ADMIN_TOKEN, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// /admin → 隐私 in headless Chromium, as an admin answering a customer's data-subject request:
// the retention policy with a dry run, an export, then an erasure behind a confirm dialog.
// Screenshots go to .data/screenshots/ (a CI artifact).
const CHROMIUM = '/usr/bin/chromium';
let service: RunningService;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  service = await startTestService(isolatedEnv('privacypage'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await mkdir('.data/screenshots', { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('privacy in /admin', () => {
  it('shows the retention policy, exports a customer and erases them after a confirm dialog', { timeout: 60_000 }, async () => {
    const sim = service.simulator!;
    const ann = customer(service, sim, 'wm_privacy_page');
    await ann.says('你好');
    await ann.says('3');
    await ann.says('等太久了，请打我手机 13812345678');

    await page.goto(`${service.url}/admin`);
    await page.getByLabel('访问令牌').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('table.flows-table').waitFor();
    await page.getByRole('link', { name: '隐私' }).click();
    await page.locator('.privacy-retention').waitFor();
    expect(await page.locator('.privacy-retention').textContent()).toContain('普通会话：365 天');

    await page.getByRole('button', { name: '试运行（只统计）' }).click();
    await expect.poll(() => page.locator('.privacy-retention').textContent()).toContain('试运行：现有 0 个会话已超过保留期');

    await page.locator('input[name="externalUserId"]').fill('wm_privacy_page');
    await page.getByRole('button', { name: '导出数据' }).click();
    await expect.poll(() => page.locator('.privacy-result').textContent()).toContain('会话 1 个');
    expect(await page.locator('pre.privacy-export').textContent()).toContain('13812345678');
    await page.screenshot({ path: '.data/screenshots/privacy-export-1366.png', fullPage: true });

    // Cancelling the dialog erases nothing; accepting it erases.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: '删除顾客数据' }).click();
    expect((await adminApi(service).get<{ sessions: unknown[] }>('/api/customers/wm_privacy_page/export')).body.sessions).toHaveLength(1);
    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: '删除顾客数据' }).click();
    await expect.poll(() => page.locator('.privacy-result').textContent()).toContain('已删除');
    expect(question).toContain('wm_privacy_page');
    expect(await page.locator('.privacy-result').textContent()).toContain('会话：1');
    const after = (await adminApi(service).get<{ sessions: unknown[] }>('/api/customers/wm_privacy_page/export')).body;
    expect(after.sessions).toHaveLength(0);
    expect(JSON.stringify(after)).not.toContain('13812345678');

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1')).toBe(true);
    await page.screenshot({ path: '.data/screenshots/privacy-erased-phone.png', fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
