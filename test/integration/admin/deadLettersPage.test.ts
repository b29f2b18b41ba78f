import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The dead letters page of /admin in headless Chromium: an item that kept failing shows with its
// error, and an admin dismisses it. Screenshots go to .data/screenshots/ (a CI artifact).
const CHROMIUM = '/usr/bin/chromium';
let service: RunningService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  service = await startTestService(isolatedEnv('deadletterspage'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(10_000);
  await mkdir('.data/screenshots', { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('dead letters in /admin', () => {
  it('lists a set-aside message with its error, and an admin dismisses it', async () => {
    const sim = service.simulator!;
    await customer(service, sim, 'wm_dl').says('你好');
    const key = `wecom-kf:${sim.openKfId}:wm_dl`;
    await service.stores.redis.rpush(service.stores.keys.inbox(key), 'garbage <b>not json</b>');
    await service.conversation.drain(key);

    await page.goto(`${service.url}/admin`);
    await page.getByLabel('访问令牌').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('link', { name: '失败消息' }).click();
    const row = page.locator('table.deadletters-table tbody tr').first();
    await row.waitFor();
    expect(await row.textContent()).toContain('INBOX_ITEM_UNREADABLE');
    // Item text is shown as text, never as markup.
    expect(await row.locator('b').count()).toBe(0);
    expect(await row.textContent()).toContain('garbage <b>not json</b>');
    await page.screenshot({ path: '.data/screenshots/admin-deadletters-1366.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '.data/screenshots/admin-deadletters-phone.png', fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });

    await row.getByRole('button', { name: '忽略' }).click();
    await expect.poll(() => page.locator('table.deadletters-table tbody tr').first().textContent()).toContain('已忽略');
  });
});
