import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { createWecomSimulator, type SimulatorOptions, type WecomSimulator } from '../../src/simulator/wecomSimulator.ts';

/**
 * Test helpers around the WeCom simulator: a callback receiver that checks what WeCom's servers
 * would send (signature, AES, receiveid) independently of the simulator's own code, a tiny
 * WeCom API client, and a controllable clock.
 */

/** One callback as the receiver saw it. */
export interface ReceivedCallback {
  method: string;
  query: URLSearchParams;
  rawBody: string;
  /** Outer XML fields (ToUserName, Encrypt, AgentID). */
  outer: Record<string, string>;
  signatureValid: boolean;
  receiveId: string;
  /** Decrypted inner XML fields (ToUserName, CreateTime, MsgType, Event, Token, OpenKfId). */
  inner: Record<string, string>;
  innerXml: string;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Status (and optional delay) for the following requests. */
  respondWith(status: number, delayMs?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

const xml = new XMLParser({ parseTagValue: false, trimValues: false });

function readXml(text: string): Record<string, string> {
  const parsed = xml.parse(text) as { xml?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.xml ?? {})) out[k] = String(v);
  return out;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A stand-in for our /wecom/callback that verifies and decrypts with @wecom/crypto. */
export async function startCallbackReceiver(keys: { token: string; encodingAesKey: string }): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  let status = 200;
  let delayMs = 0;
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const rawBody = await readAll(req);
      const q = url.searchParams;
      const isVerify = req.method === 'GET';
      const outer = isVerify ? {} : readXml(rawBody);
      const encrypted = isVerify ? (q.get('echostr') ?? '') : (outer.Encrypt ?? '');
      const signatureValid =
        getSignature(keys.token, q.get('timestamp') ?? '', q.get('nonce') ?? '', encrypted) === q.get('msg_signature');
      let receiveId = '';
      let innerXml = '';
      try {
        const d = decrypt(keys.encodingAesKey, encrypted);
        receiveId = d.id;
        innerXml = d.message;
      } catch {
        // recorded as undecryptable
      }
      received.push({
        method: req.method ?? '',
        query: q,
        rawBody,
        outer,
        signatureValid,
        receiveId,
        inner: isVerify || innerXml === '' ? {} : readXml(innerXml),
        innerXml,
      });
      for (const w of waiters.splice(0)) w();
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(isVerify && signatureValid ? innerXml : '');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wecom/callback`,
    received,
    respondWith(s, d = 0) {
      status = s;
      delayMs = d;
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} callbacks, got ${received.length}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      return received.slice(0, count);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A WeCom JSON answer; tests read fields through the typed views below. */
export interface WecomJson {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

export interface SyncItem {
  msgid: string;
  origin: number;
  msgtype: string;
  send_time: number;
  open_kfid?: string;
  external_userid?: string;
  servicer_userid?: string;
  text?: { content: string; menu_id?: string };
  image?: { media_id: string };
  voice?: { media_id: string };
  event?: Record<string, unknown> & { event_type: string };
}

export interface SyncPage extends WecomJson {
  next_cursor: string;
  has_more: 0 | 1;
  msg_list: SyncItem[];
}

/** Minimal WeCom API client over real HTTP. */
export function wecomClient(apiBase: string) {
  return {
    async getRaw(path: string, query: Record<string, string> = {}): Promise<Response> {
      const url = new URL(`${apiBase}${path}`);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      return fetch(url);
    },
    async get<T extends WecomJson = WecomJson>(path: string, query: Record<string, string> = {}): Promise<T> {
      const res = await this.getRaw(path, query);
      return (await res.json()) as T;
    },
    async postRaw(path: string, body: string, query: Record<string, string> = {}): Promise<Response> {
      const url = new URL(`${apiBase}${path}`);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    },
    async post<T extends WecomJson = WecomJson>(path: string, body: unknown, query: Record<string, string> = {}): Promise<T> {
      const res = await this.postRaw(path, JSON.stringify(body), query);
      return (await res.json()) as T;
    },
  };
}

/** A settable clock for the simulator's `now` option. */
export function createClock(start = Date.UTC(2025, 0, 6, 2, 0, 0)) {
  const clock = {
    t: start,
    now: () => clock.t,
    advance(ms: number) {
      clock.t += ms;
    },
  };
  return clock;
}

/** A listening simulator with a clock, a receiver wired as its callback URL and an authorised client. */
export async function startSimulatorRig(options: SimulatorOptions = {}) {
  const clock = createClock();
  const sim: WecomSimulator = createWecomSimulator({ now: clock.now, ...options });
  await sim.listen();
  const receiver = await startCallbackReceiver(sim);
  sim.setCallbackUrl(receiver.url);
  const client = wecomClient(sim.apiBase);
  const fetchToken = async () => String((await client.get('/cgi-bin/gettoken', { corpid: sim.corpId, corpsecret: sim.kfSecret })).access_token);
  const accessToken = await fetchToken();
  let current = accessToken;
  /** Calls a kf API like a well-behaved client: refreshes the token once on 40014/42001 (tests move the clock by days). */
  const api = async <T extends WecomJson = WecomJson>(path: string, body: unknown): Promise<T> => {
    const first = await client.post<T>(path, body, { access_token: current });
    if (first.errcode !== 40014 && first.errcode !== 42001) return first;
    current = await fetchToken();
    return client.post<T>(path, body, { access_token: current });
  };
  return {
    sim,
    clock,
    receiver,
    client,
    /** The first token; tokens-tests use it directly to see expiry. */
    accessToken,
    api,
    async close() {
      await sim.close();
      await receiver.close();
    },
  };
}
