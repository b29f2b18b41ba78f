import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// Issue 22: advisors are added on /admin, and their sign-in link (text and QR code, shown once)
// signs them in to the console on another device. Headless Chromium over the real service.
const CHROMIUM = '/usr/bin/chromium';
let service: RunningService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  service = await startTestService(isolatedEnv('advisorspage'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(10_000);
  page.on('dialog', (dialog) => void dialog.accept());
  await mkdir('.data/screenshots', { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function consoleName(link: string): Promise<string> {
  // Another browser (the advisor's phone): nothing of the admin's session.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const phone = await context.newPage();
    await phone.goto(link);
    await phone.waitForURL(/\/console/);
    expect(phone.url()).not.toContain('token');
    await expect.poll(() => phone.locator('#who-name').textContent()).not.toBe('');
    return (await phone.locator('#who-name').textContent()) ?? '';
  } finally {
    await context.close();
  }
}

describe('advisors in /admin', () => {
  it('adds an advisor whose once-shown link and QR code sign them in to the console, and removes them', async () => {
    // The sign-in link form works for any token, ADMIN_TOKEN included, and keeps the #hash route.
    await page.goto(`${service.url}/login?next=${encodeURIComponent('/admin#/advisors')}#token=${ADMIN_TOKEN}`);
    await page.waitForURL(/\/admin#\/advisors$/);
    await page.getByText('还没有顾问').waitFor();

    await page.getByLabel('顾问登录名').fill('wang-li');
    await page.getByLabel('顾问姓名').fill('王丽');
    await page.getByRole('button', { name: '添加顾问' }).click();
    const linkInput = page.getByLabel('王丽 的登录链接');
    await linkInput.waitFor();
    const link = await linkInput.inputValue();
    expect(link).toMatch(new RegExp(`^${service.url}/login\\?next=%2Fconsole#token=hfa\\.wang-li\\.`));
    const qr = page.getByAltText('王丽 的登录二维码');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(await page.locator('table.advisors-table tbody tr').first().textContent()).toContain('从未登录');
    await page.screenshot({ path: '.data/screenshots/admin-advisors-1366.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '.data/screenshots/admin-advisors-390.png', fullPage: true });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1366, height: 768 });

    expect(await consoleName(link)).toBe('王丽');

    // A new link replaces the old one.
    await page.reload();
    await page.locator('tr[data-advisor="wang-li"]').getByRole('button', { name: '生成新登录链接' }).click();
    await expect.poll(async () => (await page.getByLabel('王丽 的登录链接').inputValue()) !== link).toBe(true);
    const fresh = await page.getByLabel('王丽 的登录链接').inputValue();
    const oldToken = link.split('#token=')[1]!;
    expect((await fetch(`${service.url}/api/console/me`, { headers: { authorization: `Bearer ${oldToken}` } })).status).toBe(401);

    await page.locator('tr[data-advisor="wang-li"]').getByRole('button', { name: '停用' }).click();
    await page.getByText('还没有顾问').waitFor();
    const freshToken = fresh.split('#token=')[1]!;
    expect((await fetch(`${service.url}/api/console/me`, { headers: { authorization: `Bearer ${freshToken}` } })).status).toBe(401);
  });
});
