import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunningService } from '../../../src/main.ts';
import { rebuild, seedSessions } from '../../support/analyticsHarness.ts';
import { ADMIN_TOKEN, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// Every page a merchant or advisor reads, over the real service in headless Chromium at a laptop
// and a phone size: one header and favicon, no serious or critical accessibility problem (axe-core),
// no flow step id and no untranslated English word in the visible text. Screenshots are kept under
// .data/screenshots/ to be looked at.
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '.data/screenshots';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SIZES = [
  { name: 'desktop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
];
/** Words that must not reach a merchant untranslated (matched as whole words, case-sensitive). */
const ENGLISH = ['Webhook', 'webhook', 'dead letter', 'transcript.read', 'imported from', 'pending', 'queued', 'undefined', 'null', 'NaN', 'Error', 'failed', 'true', 'false', 'Object'];
const STEP_IDS: string[] = (parse(readFileSync('flows/nps-default.yaml', 'utf8')) as { steps: Array<{ id: string }> }).steps.map((s) => s.id);

interface PageCase {
  name: string;
  path: string;
  /** Waited for before checking: the page has drawn its content. */
  ready: string;
  signIn: boolean;
  /** The editor shows step ids on purpose (they are what routing refers to). */
  stepIdsAllowed?: boolean;
}

const PAGES: PageCase[] = [
  { name: 'landing', path: '/', ready: '.tiles', signIn: false },
  { name: 'dashboard', path: '/dashboard', ready: '#chart-funnel canvas', signIn: true },
  { name: 'console', path: '/console', ready: '#app:not([hidden])', signIn: true },
  { name: 'tasks', path: '/console#/tasks', ready: '#task-views:not([hidden])', signIn: true },
  { name: 'admin-flows', path: '/admin', ready: 'table.flows-table', signIn: true },
  { name: 'admin-audit', path: '/admin#/audit', ready: 'main h1', signIn: true },
  { name: 'admin-editor', path: '/admin#/flows/nps-default', ready: '.step', signIn: true, stepIdsAllowed: true },
  { name: 'simulator', path: '/simulator', ready: '#log .msg, #log .note', signIn: false },
  { name: 'login', path: '/dashboard', ready: '#login-form', signIn: false },
];

let service: RunningService;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(SHOTS, { recursive: true });
  service = await startTestService(isolatedEnv('ui_pages'));
  await seedSessions(service, { count: 80, seed: 7, end: new Date(Date.now() - 3_600_000), days: 10, idPrefix: 'eeee0001' });
  await rebuild(service, ['nps-default']);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--lang=zh-CN'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function openPage(c: PageCase, size: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  // axe is injected as a script: the pages' CSP would refuse it, so this browser context ignores CSP.
  const page = await browser.newPage({ viewport: size, bypassCSP: true });
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().includes('/api/')) problems.push(`${r.status()} ${r.url()}`);
  });
  if (c.path === '/simulator') await page.addInitScript("localStorage.setItem('huifangSim.sceneParam', 'nps-default')");
  await page.goto(`${service.url}${c.path}`);
  if (c.signIn) {
    await page.getByLabel('访问令牌').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
  }
  if (c.path === '/simulator') await page.click('#enter');
  await page.locator(c.ready).first().waitFor();
  await page.waitForLoadState('networkidle');
  return { page, problems };
}

function wordsIn(text: string, words: readonly string[]): string[] {
  return words.filter((w) => new RegExp(`(?<![A-Za-z0-9_.-])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(text));
}

describe('every page', () => {
  for (const c of PAGES) {
    for (const size of SIZES) {
      it(`${c.name} at ${size.width}×${size.height}: header, favicon, accessible, Chinese, no step ids`, { timeout: 90_000 }, async () => {
        const { page, problems } = await openPage(c, size);
        await page.screenshot({ path: `${SHOTS}/page-${c.name}-${size.name}.png`, fullPage: size.name === 'phone' });

        expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/favicon\.svg$/);
        if (c.name !== 'simulator') expect(await page.locator('header.topbar nav.pages a').allTextContents()).toEqual(['首页', '数据看板', '顾问控制台', '任务', '流程管理', '模拟器']);

        await page.addScriptTag({ content: AXE });
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
          const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
          return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`);
        });
        expect(violations).toEqual([]);

        const text = String(await page.evaluate('document.body.innerText'));
        expect(wordsIn(text, ENGLISH)).toEqual([]);
        if (!c.stepIdsAllowed) expect(wordsIn(text, STEP_IDS)).toEqual([]);

        // Nothing spills sideways on a phone.
        const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
        expect(overflow).toBeLessThanOrEqual(0);
        expect(problems).toEqual([]);
        await page.close();
      });
    }
  }

  it('serves the API reference from the service itself (no CDN)', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(service.url)) outside.push(r.url());
    });
    await page.goto(`${service.url}/api/docs`);
    await page.locator('.opblock-tag').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock-tag').count()).toBeGreaterThan(5);
    await page.screenshot({ path: `${SHOTS}/page-api-docs-desktop.png` });
    expect(outside).toEqual([]);
    await page.close();
  });
});
