import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';
import { api } from '../../support/escalationHarness.ts';
import { startWebhookReceiver } from '../../support/webhookReceiver.ts';

// The follow-up screens in headless Chromium: the 回访任务 tab of /console (overdue highlighted,
// claim, note, close with an outcome) and the Webhook pages of /admin (a dead-lettered delivery
// with the receiver's answers, replayed from the page). Screenshots go to .data/screenshots/.
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '.data/screenshots';
let service: RunningService;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let advisorToken: string;
const pageErrors: string[] = [];

async function detractor(id: string, nickname: string, reason: string): Promise<void> {
  const sim = service.simulator!;
  await sim.customerSays(id, '你好', { nickname });
  await service.idle();
  const c = customer(service, sim, id);
  await c.says('2');
  await c.says(reason);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(SHOTS, { recursive: true });
  receiver = await startWebhookReceiver();
  receiver.answer(503);
  service = await startTestService(isolatedEnv('followuppages', { WEBHOOK_RETRY_WINDOW_SECONDS: '1', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '300' }));
  await api(service, 'POST', '/api/webhooks', { url: receiver.url(), events: ['survey.escalated'] });
  advisorToken = (await api<{ token: string }>(service, 'POST', '/api/advisors', { id: 'li', name: '李顾问' })).body.token;
  await detractor('wm_page_1', '张女士', '等了一个多小时，服务态度也很差');
  await detractor('wm_page_2', '陈先生', '价格太贵了');
  await service.followUp.whenIdle({ timeoutMs: 20_000 });
  // One task is overdue: its due time moved into the past, as after a day without a callback.
  const { items } = (await api<{ items: Array<{ id: string; customer: { id: string } }> }>(service, 'GET', '/api/tasks?status=open')).body;
  const overdue = items.find((t) => t.customer.id === 'wm_page_1')!;
  const past = new Date(Date.now() - 5 * 3_600_000);
  await service.stores.mongo.collection('followuptasks').updateOne({ _id: overdue.id as never }, { $set: { dueAt: past } });
  await service.stores.redis.zadd(service.stores.keys.followUpTasksOpen, past.getTime(), overdue.id);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await receiver?.stop();
});

async function open(path: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  await page.goto(`${service.url}${path}`);
  return page;
}

describe('the 回访任务 tab of /console', () => {
  it('lists tasks with the overdue one highlighted, and an advisor claims, notes and closes it', { timeout: 90_000 }, async () => {
    const page = await open('/console', { width: 1366, height: 768 });
    await page.getByLabel('访问令牌').fill(advisorToken);
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.locator('#count-tasks').textContent()).toBe('2');
    await page.getByRole('tab', { name: /回访任务/ }).click();
    const overdue = page.locator('#task-list li.overdue');
    await overdue.waitFor();
    expect(await page.locator('#task-list li').count()).toBe(2);
    expect(await overdue.count()).toBe(1);
    expect(await overdue.textContent()).toContain('张女士');
    expect(await overdue.textContent()).toMatch(/已逾期 [45] 小时/);
    // The overdue one is first (by due time), and the escalation list is out of the way.
    expect(await page.locator('#task-list li').first().textContent()).toContain('张女士');
    expect(await page.locator('#list').isHidden()).toBe(true);

    await overdue.click();
    await page.locator('#task-body .d-head').waitFor();
    expect(page.url()).toMatch(/#\/tasks\/[0-9a-f]{24}$/);
    expect(await page.locator('#task-body').textContent()).toContain('风险客户回访');
    expect(await page.locator('#task-transcript').textContent()).toContain('等了一个多小时，服务态度也很差');
    expect(await page.locator('#task-body .badge.overdue').textContent()).toBe('已逾期');
    await page.screenshot({ path: `${SHOTS}/console-tasks-1366.png` });

    await page.locator('#task-claim').click();
    await expect.poll(() => page.locator('#task-body .d-head .badge').first().textContent()).toBe('跟进中');
    await page.locator('#task-note').fill('打了两次，第二次接通');
    await page.locator('#task-add-note').click();
    await expect.poll(() => page.locator('#task-body').textContent()).toContain('li：打了两次，第二次接通');
    await page.locator('#task-outcome').selectOption('called_back');
    await page.locator('#task-note').fill('已道歉，约了下周复诊');
    await page.locator('#task-close').click();
    await expect.poll(() => page.locator('#task-body .d-head .badge').first().textContent()).toBe('已关闭');
    expect(await page.locator('#task-body').textContent()).toContain('已回电');
    await expect.poll(() => page.locator('#task-list li').count()).toBe(1);
    await expect.poll(() => page.locator('#count-tasks').textContent()).toBe('1');

    await page.locator('#task-view-closed').click();
    await expect.poll(() => page.locator('#task-list li').first().textContent()).toContain('已回电');
    await page.locator('#task-body details.history summary').click();
    expect(await page.locator('#task-body details.history').textContent()).toContain('关闭任务');

    // Back to escalations: the tasks tab gets out of the way again.
    await page.getByRole('tab', { name: /待处理/ }).click();
    expect(await page.locator('#task-list').isHidden()).toBe(true);
    expect(await page.locator('#list').isVisible()).toBe(true);
    await page.close();
  });

  it('reads well at phone width, and a shared task link opens it', { timeout: 60_000 }, async () => {
    const { items } = (await api<{ items: Array<{ id: string; customer: { id: string } }> }>(service, 'GET', '/api/tasks?status=open')).body;
    const page = await open('/console', { width: 390, height: 844 });
    await page.getByLabel('访问令牌').fill(advisorToken);
    await page.getByRole('button', { name: '登录' }).click();
    await page.goto(`${service.url}/console#/tasks/${items.find((t) => t.customer.id === 'wm_page_2')!.id}`);
    await page.locator('#task-body .d-head').waitFor();
    expect(await page.locator('#task-body h2').textContent()).toBe('陈先生');
    // Nothing overflows sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/console-tasks-phone.png`, fullPage: true });
    await page.close();
  });
});

describe('the Webhook pages of /admin', () => {
  it('shows a dead-lettered delivery with the receiver answers, and replays it', { timeout: 60_000 }, async () => {
    const page = await open('/admin', { width: 1366, height: 768 });
    await page.getByLabel('访问令牌').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('link', { name: '数据推送' }).click();
    await page.locator('table.webhooks-table tbody tr').first().waitFor();
    expect(await page.locator('table.webhooks-table').textContent()).toContain(receiver.url());
    await page.screenshot({ path: `${SHOTS}/admin-webhooks-1366.png` });

    await page.getByRole('link', { name: '投递记录' }).click();
    const rows = page.locator('table.deliveries-table tbody tr[data-delivery]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(async () => (await page.getByRole('button', { name: '刷新' }).click(), await page.locator('table.deliveries-table').textContent()), { timeout: 15_000 }).not.toContain('投递中');
    expect(await rows.first().textContent()).toContain('失败（已停止重试，可重放）');
    expect(await rows.first().textContent()).toContain('HTTP 503');
    await rows.first().getByRole('button', { name: '详情' }).click();
    const details = page.locator('tr.delivery-details').first();
    // The answers are fetched from GET /api/webhooks/deliveries/:id when the delivery is opened.
    await details.locator('pre.payload').waitFor();
    expect(await details.textContent()).toContain('receiver says 503');
    expect(await details.locator('pre.payload').textContent()).toContain('"type": "survey.escalated"');
    await page.screenshot({ path: `${SHOTS}/admin-webhook-deliveries-1366.png`, fullPage: true });

    receiver.answer(200);
    await rows.first().getByRole('button', { name: '重放' }).click();
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
    await expect
      .poll(async () => (await page.getByRole('button', { name: '刷新' }).click(), await page.locator('table.deliveries-table tbody tr[data-delivery]').first().textContent()), { timeout: 10_000 })
      .toContain('已送达');
    expect(await page.locator('table.deliveries-table tbody tr[data-delivery]').first().textContent()).toContain('重放 1 次');
    await page.setViewportSize({ width: 390, height: 844 });
    // The page itself fits; only the table scrolls sideways inside its box.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/admin-webhook-deliveries-phone.png`, fullPage: true });
    const audit = await api<{ items: Array<{ action: string }> }>(service, 'GET', '/api/audit?limit=20');
    expect(audit.body.items.map((a) => a.action)).toContain('webhook.replayed');
    await page.close();
  });

  it('ran without script errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
