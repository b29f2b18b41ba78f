import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The page's sessionStorage, as seen from page.evaluate (tests compile without the DOM lib). */
interface Storage {
  getItem(key: string): string | null;
}
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { api, escalationFlowsDir, escalationOf, eventually } from '../../support/escalationHarness.ts';
import { botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

const CHROMIUM = '/usr/bin/chromium';

let service: RunningService;
let sim: WecomSimulator;
let browser: Browser | undefined;

beforeAll(async () => {
  // CI installs Debian's chromium (.ci/run); a missing browser is a broken machine, not a skip.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the console test needs it)`);
  service = await startTestService(isolatedEnv('escconsole', { FLOWS_DIR: await escalationFlowsDir(), DEFAULT_FLOW_ID: 'nps-advisors', ESCALATION_RENOTIFY_MINUTES: '60' }));
  sim = service.simulator!;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

interface Created {
  advisor: { id: string; name: string; wecomUserId: string | null };
  token: string;
}

describe('advisor admin API', () => {
  it('creates advisors with a token shown once, lists them without secrets, rotates and deletes', async () => {
    expect((await api(service, 'POST', '/api/advisors', { id: 'li', name: '李顾问' }, 'not-the-admin-token')).status).toBe(401);
    const created = await api<Created>(service, 'POST', '/api/advisors', { id: 'li', name: '李顾问' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^hfa\.li\./);
    expect((await api(service, 'POST', '/api/advisors', { id: 'li', name: '又一个' })).status).toBe(409);
    expect((await api(service, 'POST', '/api/advisors', { id: 'Bad Id', name: 'x' })).status).toBe(400);
    // "admin" / 管理员 is the ADMIN_TOKEN holder in the console.
    for (const body of [{ id: 'admin', name: '王顾问' }, { id: 'wang', name: 'Admin' }, { id: 'wang', name: '管理员' }]) {
      const reserved = await api<{ error: { code: string; message: string } }>(service, 'POST', '/api/advisors', body);
      expect(reserved.status).toBe(400);
      expect(reserved.body.error).toEqual({ code: 'ADVISOR_NAME_RESERVED', message: expect.stringContaining('is how the ADMIN_TOKEN holder appears in the console') });
    }

    const list = await api<{ items: Array<Record<string, unknown>> }>(service, 'GET', '/api/advisors');
    expect(list.body.items).toEqual([expect.objectContaining({ id: 'li', name: '李顾问', wecomUserId: null })]);
    expect(JSON.stringify(list.body)).not.toMatch(/token|hash/i);

    expect((await api(service, 'GET', '/api/console/me', undefined, created.body.token)).body).toMatchObject({ id: 'li', admin: false });
    const rotated = await api<{ token: string }>(service, 'POST', '/api/advisors/li/token');
    expect((await api(service, 'GET', '/api/console/me', undefined, created.body.token)).status).toBe(401);
    expect((await api(service, 'GET', '/api/console/me', undefined, rotated.body.token)).status).toBe(200);
    expect((await api(service, 'DELETE', '/api/advisors/li')).status).toBe(204);
    expect((await api(service, 'GET', '/api/console/me', undefined, rotated.body.token)).status).toBe(401);
    expect((await api(service, 'DELETE', '/api/advisors/li')).status).toBe(404);
  });
});

describe('the advisor console in headless Chromium', () => {
  const pageErrors: string[] = [];
  async function openConsole(token: string): Promise<Page> {
    const page = await browser!.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${service.url}/console`);
    await page.fill('#token', token);
    await page.click('#login-btn');
    return page;
  }

  it('signs in, shows the waiting escalation and its transcript safely, replies, sees the WeCom reply, claims and resolves with hand-back', { timeout: 50_000 }, async () => {
    const created = await api<Created>(service, 'POST', '/api/advisors', { id: 'wang', name: '王顾问', wecomUserId: 'advisor2' });
    const token = created.body.token;

    // A customer whose words would run script if the page used innerHTML.
    const c = customer(service, sim, 'wm_browser');
    await c.says('你好');
    await c.says('<img src=x onerror="window.__xss=1">转人工');
    await c.says('<script>window.__xss=2</script>怎么还没人');
    await service.idle();
    const e = await eventually(async () => {
      const found = await escalationOf(service, 'wm_browser');
      return found && found.notifiedRounds > 0 ? found : undefined;
    }, 10_000, 'escalation');
    expect(sim.serviceState('wm_browser')).toEqual({ state: 3, servicerId: 'advisor1' });

    const bad = await openConsole('hfa.wang.wrongwrongwrongwrongwrongwrong');
    await expect.poll(() => bad.textContent('#login-error')).toMatch(/令牌无效/);
    await bad.close();

    const page = await openConsole(token);
    await page.waitForSelector('#who-name:has-text("王顾问")');
    const item = page.locator(`#list li[data-id="${e.id}"]`);
    await item.waitFor();
    await expect.poll(() => item.textContent()).toMatch(/已等待 \d+ (秒|分钟)/);
    expect(await item.textContent()).toContain('客户要求人工');
    expect(await page.textContent('#count-active')).toBe('1');
    await item.click();

    const transcript = page.locator('#d-transcript');
    await expect.poll(() => transcript.textContent()).toContain('<img src=x onerror="window.__xss=1">转人工');
    expect(await transcript.textContent()).toContain('<script>window.__xss=2</script>怎么还没人');
    expect(await page.locator('#d-transcript img, #d-transcript script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.textContent('#d-wecom')).toContain('advisor1');

    // Not yet theirs: shown masked, with a note saying so, until they claim it.
    await expect.poll(() => page.isVisible('#d-masked')).toBe(true);

    // Claiming moves the WeCom chat to the advisor's own account (advisor2): it is theirs now.
    await page.click('#claim');
    await expect.poll(() => page.textContent('#resolve-status')).toBe('已接手');
    // Once it is theirs, 接手 cannot be pressed again.
    await expect.poll(() => page.isDisabled('#claim')).toBe(true);
    expect(await page.textContent('#claim')).toBe('已接手');
    expect(sim.serviceState('wm_browser')).toEqual({ state: 3, servicerId: 'advisor2' });
    await expect.poll(() => page.textContent('#d-assignee')).toContain('wang');
    await expect.poll(() => page.isVisible('#d-masked')).toBe(false);

    // The chat is held in WeCom: one message can still go through the transfer's code, said plainly.
    await expect.poll(() => page.textContent('#reply-mode')).toMatch(/只允许在这里再发 1 条消息；之后请打开企业微信客户端/);
    await page.fill('#reply-text', '您好，我是王顾问，马上为您处理');
    await page.click('#reply-send');
    await expect.poll(() => page.textContent('#reply-status')).toMatch(/已发送/);
    expect(botTexts(sim, 'wm_browser').at(-1)).toBe('您好，我是王顾问，马上为您处理');
    await expect.poll(() => page.textContent('#reply-mode')).toMatch(/企业微信客户端回复/);
    expect(await page.isDisabled('#reply-send')).toBe(true);
    await expect.poll(() => transcript.textContent()).toContain('您好，我是王顾问，马上为您处理');

    // The advisor answers in the WeCom client; the console shows it on its next refresh.
    await sim.servicerSays('wm_browser', 'advisor2', '订单已经帮您加急了');
    await service.idle();
    await expect.poll(() => transcript.textContent(), { timeout: 10_000 }).toContain('订单已经帮您加急了');
    await expect.poll(() => page.textContent('#d-waiting')).toMatch(/首次回复用时/);

    await page.selectOption('#handback', 'resume');
    await page.fill('#note', '已加急');
    await page.click('#resolve');
    await expect.poll(() => page.textContent('#resolve-status')).toBe('已解决');
    await service.idle();
    expect(botTexts(sim, 'wm_browser').at(-1)).toMatch(/继续/);
    await expect.poll(() => page.textContent('#d-status')).toBe('已解决');
    await expect.poll(() => page.isVisible('#list-empty')).toBe(true);

    await page.click('#tab-resolved');
    const resolvedItem = page.locator(`#list li[data-id="${e.id}"]`);
    await resolvedItem.waitFor();
    // A resolved item says so, not the WeCom state it was last seen in; the 解决后 choice and the note are not carried over.
    expect(await resolvedItem.textContent()).toContain('已解决（wang）');
    expect(await resolvedItem.textContent()).not.toContain('排队');
    await resolvedItem.click();
    await expect.poll(() => page.inputValue('#handback')).toBe('none');
    expect(await page.inputValue('#note')).toBe('');
    await page.click('#logout');
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: Storage }).sessionStorage.getItem('hf.console.token'))).toBeNull();
    await page.close();

    const done = (await escalationOf(service, 'wm_browser', 'resolved'))!;
    expect(done.actions.map((a) => `${a.by}:${a.action}`)).toEqual(expect.arrayContaining(['wang:replied', 'wang:claimed', 'wang:resolved']));
    expect(done.firstReplyBy).toBe('wang');
    expect(pageErrors).toEqual([]);
  });

  it('serves the page under a strict content security policy', async () => {
    const res = await fetch(`${service.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('顾问控制台');
  });
});
