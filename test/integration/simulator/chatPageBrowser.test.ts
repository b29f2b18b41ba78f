import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The chat page as a newcomer uses it: served by the service (with its CSP and headers) to a real browser.
const CHROMIUM = '/usr/bin/chromium';

let service: RunningService;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  // CI installs Debian's chromium (.ci/run); a missing browser is a broken machine, not a skip.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the chat page test needs it)`);
  service = await startTestService(isolatedEnv('chatpage_browser'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  // A CSP violation or script error shows up as a console error.
  page.on('console', (m) => {
    // Failed loads are checked by URL below (the browser's own /favicon.ico 404 is fine).
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${service.url}/simulator`);
  await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('#cid')?.value !== '');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('simulator chat page in a browser', () => {
  it('says why nothing was sent when the message is empty or only spaces', async () => {
    const customerId = await page.inputValue('#cid');
    for (const typed of ['', '   \n  ']) {
      await page.fill('#txt', typed);
      await page.click('#send');
      await expect.poll(() => page.textContent('#status')).toBe('消息内容为空，没有发送：请先输入文字（只有空格也算空）');
      expect(await page.getAttribute('#status', 'class')).toBe('status bad');
    }
    await page.click('details.advisor summary');
    await page.fill('#svctxt', ' ');
    await page.click('#svcsend');
    await expect.poll(() => page.textContent('#status')).toBe('顾问回复为空，没有发送：请先输入文字');
    expect(service.simulator!.transcript(customerId)).toEqual([]);
  });

  it('sends a typed message under the page\'s CSP and shows the bot\'s answer', async () => {
    await page.fill('#txt', '你好');
    await page.press('#txt', 'Enter');
    await expect.poll(() => page.textContent('#status')).toBe('已投递回调（HTTP 200）');
    await expect.poll(() => page.locator('.msg.bot .bubble').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
