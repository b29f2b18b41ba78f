import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecomSimulator, type SimulatorMessage, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { startCallbackReceiver, wecomClient, type CallbackReceiver } from '../../support/simulatorHarness.ts';

// The simulator mounted under /simulator inside a host node:http server, as our Koa app will do.
let sim: WecomSimulator;
let host: Server;
let origin: string;
let receiver: CallbackReceiver;
const seen: SimulatorMessage[] = [];

beforeAll(async () => {
  sim = createWecomSimulator({ pathPrefix: '/simulator/' });
  sim.onEvent((e) => seen.push(e.message));
  host = createServer((req, res) => {
    void sim.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end('host app');
    });
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  sim.apiBase = `${origin}/simulator`;
  receiver = await startCallbackReceiver(sim);
  sim.setCallbackUrl(receiver.url);
});

afterAll(async () => {
  await sim.close();
  host.closeAllConnections();
  await new Promise<void>((r) => host.close(() => r()));
  await receiver.close();
});

async function pageApi(method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${origin}/simulator${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('chat page and its endpoints (mounted under /simulator)', () => {
  it('serves a Chinese chat page at the prefix, with its script and style under the prefix (no inline script, nothing from elsewhere)', async () => {
    for (const path of ['/simulator', '/simulator/']) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const html = await res.text();
      expect(html).toContain('<html lang="zh-CN">');
      for (const label of ['进入会话', '发送', '客户 ID', '场景参数', '顾问']) expect(html).toContain(label);
      expect(html).not.toMatch(/(src|href)="https?:/);
      expect(html).not.toMatch(/<script>|<style>/);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(assets.sort()).toEqual(['/simulator/static/chat.css', '/simulator/static/chat.js', '/simulator/static/favicon.svg']);
      for (const asset of [...assets, '/simulator/static/dom.js']) {
        const res = await fetch(`${origin}${asset}`);
        expect(res.status, asset).toBe(200);
        expect(await res.text()).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      }
    }
    expect((await fetch(`${origin}/simulator/static/secrets.json`)).status).toBe(404);
  });

  it('leaves other paths to the host and serves the fake API under the prefix', async () => {
    expect((await fetch(`${origin}/wecom/callback`)).status).toBe(418);
    expect((await fetch(`${origin}/simulatorx`)).status).toBe(418);
    expect((await fetch(`${origin}/simulator/nope`)).status).toBe(404);
    const tok = await wecomClient(sim.apiBase).get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.kfSecret });
    expect(tok.errcode).toBe(0);
  });

  it('say/enter/transcript drive the simulated customer and trigger callbacks', async () => {
    const enter = await pageApi('POST', '/api/enter', { customer: 'wmPageApi', nickname: '李四', scene: 'survey', sceneParam: 'nps-default' });
    expect(enter.status).toBe(200);
    expect(enter.json.callbackStatus).toBe(200);
    const hostile = '<img src=x onerror=alert(1)>';
    const say = await pageApi('POST', '/api/say', { customer: 'wmPageApi', text: hostile, menuId: 'm1' });
    expect(say.json).toMatchObject({ callbackStatus: 200, msgid: expect.any(String) });
    const t = await pageApi('GET', '/api/transcript?customer=wmPageApi&after=1');
    expect(t.json).toMatchObject({ customer: 'wmPageApi', state: 0, total: 2 });
    expect(t.json.messages).toEqual([expect.objectContaining({ direction: 'in', origin: 3, msgtype: 'text', body: { content: hostile, menu_id: 'm1' } })]);
    expect(seen.filter((m) => m.customerId === 'wmPageApi').map((m) => m.msgtype)).toEqual(['event', 'text']);
  });

  it('answers 400 for bad page input and 409 when an advisor speaks out of turn', async () => {
    expect((await pageApi('POST', '/api/say', { customer: 'wm bad id', text: 'x' })).status).toBe(400);
    expect((await pageApi('POST', '/api/say', { customer: 'wmOk', text: '' })).status).toBe(400);
    const raw = await fetch(`${origin}/simulator/api/say`, { method: 'POST', body: '{oops' });
    expect(raw.status).toBe(400);
    await pageApi('POST', '/api/say', { customer: 'wmAdvisor', text: 'hi' });
    expect((await pageApi('POST', '/api/servicer', { customer: 'wmAdvisor', servicerId: 'advisor1', text: 'x' })).status).toBe(409);
    expect((await pageApi('POST', '/api/state', { customer: 'wmAdvisor', state: 3, servicerId: 'advisor1' })).json).toEqual({ state: 3, servicerId: 'advisor1' });
    expect((await pageApi('POST', '/api/servicer', { customer: 'wmAdvisor', servicerId: 'advisor1', text: '您好，我是顾问' })).status).toBe(200);
  });

  it('runs the page script: enter, render a bot menu as buttons, tap one, type, and let an advisor take over', async () => {
    const html = await (await fetch(`${origin}/simulator`)).text();
    const script = await pageScript(origin);
    const dom = runPage(html, script, origin);
    const $ = dom.byId;

    $('cid').value = 'wmPageUser';
    $('cid').dispatch('change');
    $('nick').value = '王五';
    $('enter').dispatch('click');
    const enterEvent = await until(() => sim.transcript('wmPageUser').find((m) => m.msgtype === 'event'));
    const welcomeCode = (enterEvent.body as { welcome_code?: string; scene_param?: string }).welcome_code;
    expect((enterEvent.body as { scene_param?: string }).scene_param).toBe('nps-default');

    // Play the bot: answer the welcome with a menu whose text would be markup if rendered as HTML.
    const bot = wecomClient(sim.apiBase);
    const tok = await bot.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.kfSecret });
    const sent = await bot.post(
      '/cgi-bin/kf/send_msg_on_event',
      {
        code: welcomeCode,
        msgtype: 'msgmenu',
        msgmenu: { head_content: '<b>请打分</b>', list: [{ type: 'click', click: { id: 'score_10', content: '10 分' } }], tail_content: '谢谢' },
      },
      { access_token: String(tok.access_token) },
    );
    expect(sent.errcode).toBe(0);

    const button = await until(() => { dom.tick(); return dom.find((e) => e.tagName === 'BUTTON' && e.textContent === '10 分'); });
    expect(dom.find((e) => e.textContent === '<b>请打分</b>')).toBeDefined();
    button.dispatch('click');
    const click = await until(() => sim.transcript('wmPageUser').find((m) => m.msgtype === 'text'));
    expect(click.body).toEqual({ content: '10 分', menu_id: 'score_10' });

    $('txt').value = '服务很好';
    $('txt').dispatch('keydown', { key: 'Enter', shiftKey: false, isComposing: false });
    await until(() => sim.transcript('wmPageUser').find((m) => (m.body as { content?: string }).content === '服务很好'));

    $('svc').value = 'advisor1';
    $('take').dispatch('click');
    await until(() => sim.serviceState('wmPageUser').state === 3 || undefined);
    $('svctxt').value = '我是顾问小王';
    $('svcsend').dispatch('click');
    await until(() => { dom.tick(); return dom.find((e) => e.textContent === '顾问 advisor1'); });
    await until(() => { dom.tick(); return $('state').textContent.includes('人工接待中') || undefined; });
  });
});

// ---------------------------------------------------------------- a minimal DOM for the page script

class FakeElement {
  id = '';
  className = '';
  value = '';
  type = '';
  href = '';
  target = '';
  rel = '';
  scrollTop = 0;
  scrollHeight = 0;
  children: FakeElement[] = [];
  private text = '';
  private readonly listeners = new Map<string, Array<(e: unknown) => void>>();
  constructor(readonly tagName: string) {}
  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }
  set textContent(v: string) {
    this.text = String(v);
    this.children = [];
  }
  appendChild(child: FakeElement): FakeElement {
    this.children.push(child);
    return child;
  }
  replaceChildren(): void {
    this.children = [];
  }
  addEventListener(type: string, fn: (e: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  dispatch(type: string, extra: Record<string, unknown> = {}): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ preventDefault() {}, ...extra });
  }
  walk(): FakeElement[] {
    return [this, ...this.children.flatMap((c) => c.walk())];
  }
}

/** Runs the page's inline script against fake elements for every id the HTML declares. */
/** The page's module and the DOM helpers it imports, as one classic script (imports and exports dropped). */
async function pageScript(base: string): Promise<string> {
  const chat = await (await fetch(`${base}/simulator/static/chat.js`)).text();
  const dom = await (await fetch(`${base}/simulator/static/dom.js`)).text();
  return `${dom.replace(/^export /gm, '')}\n${chat.replace(/^import .*$/gm, '')}`;
}

function runPage(html: string, script: string, base: string) {
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1] ?? '');
  const used = [...script.matchAll(/\$\('([^']+)'\)/g)].map((m) => m[1] ?? '');
  expect(used.filter((id) => !ids.includes(id))).toEqual([]);
  const elements = new Map<string, FakeElement>();
  for (const id of ids) {
    const el = new FakeElement('DIV');
    el.id = id;
    elements.set(id, el);
  }
  const intervals: Array<() => void> = [];
  const storage = new Map<string, string>();
  const document = {
    getElementById: (id: string) => elements.get(id) ?? null,
    createElement: (tag: string) => new FakeElement(tag.toUpperCase()),
    body: { dataset: { base: /data-base="([^"]*)"/.exec(html)?.[1] ?? '' } },
  };
  const localStorage = { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) };
  const pageFetch = (url: string, init: RequestInit) => fetch(`${base}${url}`, init);
  const setInterval = (fn: () => void) => intervals.push(fn);
  new Function('document', 'localStorage', 'fetch', 'setInterval', script)(document, localStorage, pageFetch, setInterval);
  return {
    byId(id: string): FakeElement {
      const el = elements.get(id);
      if (!el) throw new Error(`no element #${id}`);
      return el;
    },
    find(pred: (e: FakeElement) => boolean): FakeElement | undefined {
      return [...elements.values()].flatMap((e) => e.walk()).find(pred);
    },
    tick(): void {
      for (const fn of intervals) fn();
    },
  };
}

async function until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
