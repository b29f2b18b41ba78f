import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { rebuild, seedSessions } from '../../support/analyticsHarness.ts';
import { ADMIN_TOKEN, adminGet, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

// The dashboard in headless Chromium against the whole service with a seeded dataset: the numbers
// it shows are the API's, filters live in the URL, it refreshes by itself, it links to
// transcripts, and it fits 1366×768 and a phone. Screenshots are kept under .data/ (CI artifact).
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '.data/screenshots';

let service: RunningService;
let browser: Browser;
const pageErrors: string[] = [];

interface Summary {
  nps: { responses: number; score: number; marginOfError: number; promoters: number };
  sessions: { started: number; outcomes: Record<string, number> };
  reasons: Record<string, { topics: Array<{ topic: string; n: number }> }>;
  repurchase: { products: Array<{ id: string; name: string; n: number; segments: Record<string, number> }>; openInterest: { n: number }; factors: Array<{ id: string; n: number }> };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the dashboard test needs it)`);
  await mkdir(SHOTS, { recursive: true });
  service = await startTestService(isolatedEnv('dashboard'));
  await seedSessions(service, { count: 400, seed: 31, end: new Date(Date.now() - 3_600_000), days: 25, idPrefix: 'dddd0001' });
  await rebuild(service, ['nps-default']);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function open(path: string, viewport: { width: number; height: number }, signIn = true): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  await page.goto(`${service.url}${path}`);
  if (signIn) {
    await page.getByLabel('访问令牌').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
  }
  return page;
}

const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toFixed(1)}`;

describe('the dashboard', () => {
  it('signs in and shows the seeded numbers at 1366×768', { timeout: 60_000 }, async () => {
    const page = await open('/dashboard', { width: 1366, height: 768 });
    await expect.poll(() => page.locator('.kpi .value').first().textContent()).toMatch(/\d/);
    const url = new URL(page.url());
    expect(url.searchParams.get('flowId')).toBe('nps-default');
    const summary = (await adminGet<Summary>(service, `/api/analytics/summary?${url.searchParams.toString()}`)).body;
    expect(summary.nps.responses).toBeGreaterThan(100);
    await expect.poll(() => page.locator('.kpi').nth(0).locator('.value').textContent()).toBe(`${signed(summary.nps.score)} ±${summary.nps.marginOfError.toFixed(1)}`);
    expect(await page.locator('.kpi').nth(1).locator('.value').textContent()).toBe(String(summary.nps.responses));
    expect(await page.locator('.kpi').nth(0).textContent()).toContain(`推荐者 ${summary.nps.promoters}`);
    // Every chart drew (canvas inside), the trend has its band.
    for (const id of ['chart-trend', 'chart-csat', 'chart-intent', 'chart-timing', 'chart-products', 'chart-factors', 'chart-funnel', 'chart-outcomes', 'chart-segments']) {
      expect(await page.locator(`#${id} canvas`).count(), id).toBeGreaterThan(0);
    }
    expect(await page.locator('table.t').first().textContent()).toContain('预约流程');
    // Products of interest by their catalogue names, with counts per segment, and 都可以.
    const interest = page.locator('.interest');
    expect(summary.repurchase.products.length).toBeGreaterThan(3);
    const rows = await interest.locator('table.t tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(summary.repurchase.products.map((p) => [p.name, String(p.n), ...['loyal', 'at_risk', 'potential', 'other', 'none'].map((k) => String(p.segments[k]))]));
    expect(rows[0]![0]).toMatch(/[\u4e00-\u9fff]/);
    expect(await interest.textContent()).toContain(`表示“都可以”的顾客 ${summary.repurchase.openInterest.n} 位`);
    const topTopic = summary.reasons.detractor!.topics[0]!;
    expect(await page.locator('.group[data-group="detractor"] .chips').textContent()).toContain(`${topTopic.topic} ${topTopic.n}`);
    expect(await page.locator('.group[data-group="detractor"] .quotes li').count()).toBeGreaterThan(0);
    // Nothing is wider than the window.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement.scrollWidth <= (globalThis as unknown as { document: { documentElement: { clientWidth: number } } }).document.documentElement.clientWidth + 1)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/dashboard-1366.png`, fullPage: true });
    await interest.screenshot({ path: `${SHOTS}/dashboard-products-1366.png` });
    await page.close();
  });

  it('keeps filters in the URL, so a shared link opens the same view', { timeout: 60_000 }, async () => {
    const page = await open('/dashboard?flowId=nps-default', { width: 1366, height: 768 });
    await expect.poll(() => page.locator('.kpi .value').first().textContent()).toMatch(/\d/);
    await page.getByLabel('store').selectOption('静安店');
    await page.getByLabel('segment').selectOption('at_risk');
    await expect.poll(() => new URL(page.url()).searchParams.get('store')).toBe('静安店');
    expect(new URL(page.url()).searchParams.get('segment')).toBe('at_risk');
    const shared = new URL(page.url());
    const summary = (await adminGet<Summary>(service, `/api/analytics/summary?${shared.searchParams.toString()}`)).body;
    await expect.poll(() => page.locator('.kpi').nth(1).locator('.value').textContent()).toBe(String(summary.nps.responses));
    await page.close();

    const again = await open(`${shared.pathname}${shared.search}`, { width: 1366, height: 768 });
    await expect.poll(() => again.locator('.kpi').nth(1).locator('.value').textContent()).toBe(String(summary.nps.responses));
    expect(await again.getByLabel('store').inputValue()).toBe('静安店');
    await again.close();
  });

  it('shows quotes by topic and opens a transcript from a quote', { timeout: 60_000 }, async () => {
    const page = await open('/dashboard?flowId=nps-default', { width: 1366, height: 768 });
    const group = page.locator('.group[data-group="detractor"]');
    await group.locator('.quotes li').first().waitFor();
    await group.locator('.chip', { hasText: '等待时间' }).click();
    await expect.poll(() => group.locator('.chip.on').textContent()).toContain('等待时间');
    await expect.poll(() => group.locator('.quotes li .meta').allTextContents()).toSatisfy((metas: string[]) => metas.length > 0 && metas.every((m) => m.includes('等待时间')));
    const quote = (await group.locator('.quotes li .text').first().textContent())!;
    await group.locator('.quotes li a', { hasText: '查看对话' }).first().click();
    await expect.poll(() => page.locator('.transcript').textContent()).toContain(quote);
    expect(page.url()).toMatch(/#\/sessions\/[0-9a-f]{24}$/);
    await page.getByRole('link', { name: '← 返回看板' }).click();
    await page.locator('.kpi').first().waitFor();
    await page.close();
  });

  it('refreshes by itself as answers come in', { timeout: 60_000 }, async () => {
    const page = await open('/dashboard?flowId=nps-default', { width: 1366, height: 768 });
    const responses = page.locator('.kpi').nth(1).locator('.value');
    await expect.poll(() => responses.textContent()).toMatch(/^\d+$/);
    const before = Number(await responses.textContent());
    const c = customer(service, service.simulator!, 'wm_dashboard_live');
    await c.says('你好');
    await c.says('10');
    await expect.poll(() => responses.textContent(), { timeout: 15_000, interval: 500 }).toBe(String(before + 1));
    await page.close();
  });

  it('reads well at phone width', { timeout: 60_000 }, async () => {
    const page = await open('/dashboard?flowId=nps-default', { width: 390, height: 844 });
    await expect.poll(() => page.locator('.kpi .value').first().textContent()).toMatch(/\d/);
    await page.locator('#chart-trend canvas').waitFor();
    const fits = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth <= d.clientWidth + 1;
    });
    expect(fits).toBe(true);
    await page.screenshot({ path: `${SHOTS}/dashboard-phone.png`, fullPage: true });
    await page.screenshot({ path: `${SHOTS}/dashboard-phone-top.png` });
    await page.locator('#chart-funnel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/dashboard-phone-funnel.png` });
    await page.locator('#chart-products canvas').waitFor();
    await page.locator('.interest').screenshot({ path: `${SHOTS}/dashboard-phone-products.png` });
    await page.close();
  });

  it('is linked from the landing page, the admin editor and the console', async () => {
    const page = await open('/', { width: 1366, height: 768 }, false);
    for (const [name, href] of [['数据看板', '/dashboard'], ['顾问控制台', '/console'], ['流程管理', '/admin'], ['企业微信模拟器', '/simulator']]) {
      expect(await page.locator('.tiles').getByRole('link', { name: new RegExp(name!) }).getAttribute('href')).toBe(href);
    }
    await page.screenshot({ path: `${SHOTS}/landing.png` });
    await page.close();
    // The editor and the console carry the one header (ui/header.js), which links the dashboard.
    for (const path of ['/admin', '/console']) {
      const other = await open(path, { width: 1366, height: 768 }, false);
      expect(await other.locator('header.topbar nav.pages').getByRole('link', { name: '数据看板' }).getAttribute('href')).toBe('/dashboard');
      await other.close();
    }
    const res = await fetch(`${service.url}/dashboard`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${service.url}/dashboard/vendor/echarts.min.js`)).status).toBe(200);
  });

  it('shows the change against the previous period, per store, and the key drivers', { timeout: 60_000 }, async () => {
    for (const viewport of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
      // The last 12 days against the 12 before: the seeded sessions span 25 days, so both have answers.
      const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
      const page = await open(`/dashboard?flowId=nps-default&from=${shanghai(Date.now() - 11 * 86_400_000)}&to=${shanghai(Date.now())}`, viewport);
      const drivers = page.locator('#insight-drivers');
      await drivers.locator('tbody tr').first().waitFor();
      const url = new URL(page.url());
      const [from, to] = [url.searchParams.get('from')!, url.searchParams.get('to')!];
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const base = `baseFrom=${day(Date.parse(from) - days * 86_400_000)}&baseTo=${day(Date.parse(from) - 86_400_000)}`;
      const compare = (await adminGet<{ significant: boolean; difference: number }>(service, `/api/analytics/compare?flowId=nps-default&from=${from}&to=${to}&${base}`)).body;
      await expect.poll(() => page.locator('#insight-compare .change').textContent()).toContain(`变化 ${signed(compare.difference)}`);
      expect(await page.locator('#insight-compare .change').textContent()).toMatch(compare.significant ? /显著$/ : /不显著$/);
      expect(await page.locator('#insight-compare tbody tr td:first-child').allTextContents()).toEqual(['徐汇店', '浦东店', '静安店'].sort());
      const api = (await adminGet<{ drivers: Array<{ kind: string; label: string; n: number; enough: boolean }> }>(service, `/api/analytics/drivers?flowId=nps-default&from=${from}&to=${to}`)).body;
      const rows = await drivers.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((r) => [r[0], r[1]])).toEqual(api.drivers.map((d) => [`${d.kind === 'csat' ? '环节：' : '话题：'}${d.label}`, String(d.n)]));
      expect(rows.filter((r) => r[2] === '样本不足')).toHaveLength(api.drivers.filter((d) => !d.enough).length);
      const fits = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return d.scrollWidth <= d.clientWidth + 1;
      });
      expect(fits).toBe(true);
      await page.locator('#insight-compare').screenshot({ path: `${SHOTS}/dashboard-compare-${viewport.width}.png` });
      await drivers.screenshot({ path: `${SHOTS}/dashboard-drivers-${viewport.width}.png` });
      await page.close();
    }
  });

  it('ran without script errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
