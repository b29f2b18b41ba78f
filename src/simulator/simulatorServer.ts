import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { CHAT_PAGE_CSP, chatPageFiles } from './chatPage.ts';
import {
  appMessageBody,
  customerBatchgetBody,
  pageEnterBody,
  pageMediaBody,
  pageSayBody,
  pageServicerBody,
  pageStateBody,
  robotBody,
  sendMsgBody,
  sendMsgOnEventBody,
  serviceStateGetBody,
  serviceStateTransBody,
  syncMsgBody,
} from './simulatorSchemas.ts';
import { addContactWayBody, addMsgTemplateBody } from './simulatorContactWays.ts';
import { addCorpTagBody, byUserBody, corpTagListBody, markTagBody } from './contactDirectory.ts';
import { WecomErrcode, wecomError, type SimulatedMedia, type SimulatorState } from './simulatorState.ts';
import type { ServiceStateValue, SimulatorMessage, WecomReply } from './simulatorTypes.ts';

/**
 * node:http routing for the simulator: the fake WeCom API under `{prefix}/cgi-bin/...` and the
 * chat page with its small JSON API under `{prefix}` and `{prefix}/api/...`. Usable standalone
 * (startSimulatorServer) or mounted in another server through the returned handler.
 */

/** What the chat page endpoints drive; the wrapper adds callbacks (with retries) on top of the state. */
export interface ChatDriver {
  say(customer: string, text: string, opts: { menuId?: string; nickname?: string }): Promise<{ msgid: string; callbackStatus: number }>;
  image(customer: string, nickname?: string, file?: SimulatedMedia): Promise<{ msgid: string; callbackStatus: number }>;
  voice(customer: string, nickname?: string, file?: SimulatedMedia): Promise<{ msgid: string; callbackStatus: number }>;
  enter(customer: string, opts: { scene?: string; sceneParam?: string; nickname?: string; link?: string }): Promise<{ welcomeCode: string; callbackStatus: number }>;
  servicerSays(customer: string, servicerId: string, text: string): Promise<{ msgid: string; callbackStatus: number }>;
  setState(customer: string, state: ServiceStateValue, servicerId?: string): void;
  transcript(customer: string): SimulatorMessage[];
  serviceState(customer: string): { state: ServiceStateValue; servicerId?: string };
  info(): Record<string, unknown>;
}

/** Mountable request handler: resolves false when the path is not the simulator's. */
export type SimulatorHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Normalises a mount prefix to '' or '/x/y' (leading slash, no trailing slash). */
export function normalizePathPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  // A framework may already have drained the stream; then there is nothing left to read.
  if (req.readableEnded) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reply: WecomReply };

/** JSON + zod at the trust boundary: 47001 for unparseable JSON, 40058 for the wrong shape. */
function parseWecomBody<S extends z.ZodType>(schema: S, raw: string): Parsed<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reply: wecomError(WecomErrcode.badJson, 'data format error') };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const hint = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return { ok: false, reply: wecomError(WecomErrcode.invalidParameter, `invalid parameter, ${hint}`) };
  }
  return { ok: true, value: result.data };
}

interface ApiRoute {
  method: 'GET' | 'POST';
  /** 'token' needs a valid access_token in the query. */
  auth: 'token' | 'none';
  counter?: 'gettokenCalls' | 'syncCalls' | 'sendCalls';
  run(query: URLSearchParams, raw: string, res: ServerResponse): WecomReply | undefined;
}

function postRoute<S extends z.ZodType>(
  schema: S,
  run: (body: z.infer<S>, query: URLSearchParams) => WecomReply,
  extra: Pick<ApiRoute, 'counter'> & { auth?: ApiRoute['auth'] } = {},
): ApiRoute {
  return {
    method: 'POST',
    auth: extra.auth ?? 'token',
    ...(extra.counter === undefined ? {} : { counter: extra.counter }),
    run(query, raw) {
      const parsed = parseWecomBody(schema, raw);
      return parsed.ok ? run(parsed.value, query) : parsed.reply;
    },
  };
}

function buildApiRoutes(state: SimulatorState): Record<string, ApiRoute> {
  return {
    '/cgi-bin/gettoken': {
      method: 'GET',
      auth: 'none',
      counter: 'gettokenCalls',
      run: (q) => state.getToken(q.get('corpid') ?? undefined, q.get('corpsecret') ?? undefined),
    },
    '/cgi-bin/kf/sync_msg': postRoute(syncMsgBody, (b) => state.syncMsg(b), { counter: 'syncCalls' }),
    '/cgi-bin/kf/send_msg': postRoute(sendMsgBody, (b) => state.sendMsg(b), { counter: 'sendCalls' }),
    '/cgi-bin/kf/send_msg_on_event': postRoute(sendMsgOnEventBody, (b) => state.sendMsgOnEvent(b), { counter: 'sendCalls' }),
    '/cgi-bin/kf/service_state/get': postRoute(serviceStateGetBody, (b) => state.getServiceState(b)),
    '/cgi-bin/kf/service_state/trans': postRoute(serviceStateTransBody, (b) => state.transServiceState(b)),
    '/cgi-bin/kf/customer/batchget': postRoute(customerBatchgetBody, (b) => state.batchgetCustomers(b)),
    '/cgi-bin/kf/add_contact_way': postRoute(addContactWayBody, (b) => state.contactWays.addContactWay(b)),
    '/cgi-bin/externalcontact/add_msg_template': postRoute(addMsgTemplateBody, (b) => state.contactWays.addMsgTemplate(b)),
    '/cgi-bin/webhook/send': postRoute(robotBody, (b, q) => state.robotSend(q.get('key') ?? undefined, b), { auth: 'none' }),
    '/cgi-bin/message/send': postRoute(appMessageBody, (b) => state.appSend(b)),
    '/cgi-bin/externalcontact/get_corp_tag_list': postRoute(corpTagListBody, (b) => state.contacts.corpTagList(b)),
    '/cgi-bin/externalcontact/add_corp_tag': postRoute(addCorpTagBody, (b) => state.contacts.addCorpTag(b)),
    '/cgi-bin/externalcontact/mark_tag': postRoute(markTagBody, (b) => state.contacts.markTag(b)),
    '/cgi-bin/externalcontact/get': { method: 'GET', auth: 'token', run: (q) => state.contacts.get(q.get('external_userid')) },
    '/cgi-bin/externalcontact/get_follow_user_list': { method: 'GET', auth: 'token', run: () => state.contacts.followUserList() },
    '/cgi-bin/externalcontact/batch/get_by_user': postRoute(byUserBody, (b) => state.contacts.byUser(b)),
    '/cgi-bin/media/get': {
      method: 'GET',
      auth: 'token',
      run(q, _raw, res) {
        const media = state.mediaGet(q.get('media_id') ?? '');
        if (media === undefined) return wecomError(WecomErrcode.invalidMediaId, 'invalid media_id');
        res.writeHead(200, { 'content-type': media.contentType, 'content-length': media.data.length });
        res.end(media.data);
        return undefined;
      },
    },
  };
}

async function handleApi(route: ApiRoute, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, state: SimulatorState): Promise<void> {
  if (route.counter) state.counters[route.counter] += 1;
  // WeCom answers API errors with HTTP 200 and an errcode.
  if (req.method !== route.method) {
    await readBody(req).catch(() => '');
    sendJson(res, 200, route.method === 'GET' ? wecomError(WecomErrcode.requireGet, 'require GET method') : wecomError(WecomErrcode.requirePost, 'require POST method'));
    return;
  }
  const raw = route.method === 'POST' ? await readBody(req) : '';
  if (route.auth === 'token') {
    const denied = state.checkToken(query.get('access_token') ?? undefined);
    if (denied) {
      sendJson(res, 200, denied);
      return;
    }
  }
  const reply = route.run(query, raw, res);
  if (reply !== undefined) sendJson(res, 200, reply);
}

/** Chat page JSON endpoints: plain 400 `{error}` on bad input, not WeCom-shaped. */
async function handlePage(rest: string, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, driver: ChatDriver): Promise<boolean> {
  const pageBody = async <S extends z.ZodType>(schema: S): Promise<z.infer<S> | undefined> => {
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req));
    } catch {
      sendJson(res, 400, { error: 'body must be JSON' });
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      return undefined;
    }
    return parsed.data;
  };
  const route = `${req.method ?? 'GET'} ${rest}`;
  switch (route) {
    case 'GET /api/info':
      sendJson(res, 200, driver.info());
      return true;
    case 'GET /api/transcript': {
      const customer = query.get('customer') ?? '';
      const after = Math.max(0, Number.parseInt(query.get('after') ?? '0', 10) || 0);
      const all = driver.transcript(customer);
      sendJson(res, 200, { customer, ...driver.serviceState(customer), total: all.length, messages: all.slice(after) });
      return true;
    }
    case 'POST /api/say': {
      const b = await pageBody(pageSayBody);
      if (b) sendJson(res, 200, await driver.say(b.customer, b.text, { ...(b.menuId ? { menuId: b.menuId } : {}), ...(b.nickname ? { nickname: b.nickname } : {}) }));
      return true;
    }
    case 'POST /api/image':
    case 'POST /api/voice': {
      const b = await pageBody(pageMediaBody);
      if (!b) return true;
      const file = b.dataBase64 ? { data: Buffer.from(b.dataBase64, 'base64'), contentType: b.contentType ?? 'application/octet-stream' } : undefined;
      const send = route === 'POST /api/voice' ? driver.voice : driver.image;
      sendJson(res, 200, await send(b.customer, b.nickname || undefined, file));
      return true;
    }
    case 'POST /api/enter': {
      const b = await pageBody(pageEnterBody);
      if (b) {
        const opts = { ...(b.scene ? { scene: b.scene } : {}), ...(b.sceneParam ? { sceneParam: b.sceneParam } : {}), ...(b.nickname ? { nickname: b.nickname } : {}), ...(b.link ? { link: b.link } : {}) };
        try {
          sendJson(res, 200, await driver.enter(b.customer, opts));
        } catch (err) {
          sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
        }
      }
      return true;
    }
    case 'POST /api/servicer': {
      const b = await pageBody(pageServicerBody);
      if (!b) return true;
      try {
        sendJson(res, 200, await driver.servicerSays(b.customer, b.servicerId, b.text));
      } catch (err) {
        sendJson(res, 409, { error: err instanceof Error ? err.message : String(err) });
      }
      return true;
    }
    case 'POST /api/state': {
      const b = await pageBody(pageStateBody);
      if (b) {
        driver.setState(b.customer, b.state, b.servicerId);
        sendJson(res, 200, driver.serviceState(b.customer));
      }
      return true;
    }
    default:
      return false;
  }
}

/** Builds the mountable handler for one simulator. */
export function createSimulatorHandler(deps: { state: SimulatorState; driver: ChatDriver; pathPrefix: string; uiDir?: string }): SimulatorHandler {
  const prefix = normalizePathPrefix(deps.pathPrefix);
  const page = chatPageFiles(deps.uiDir);
  const routes = buildApiRoutes(deps.state);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    let rest: string;
    if (prefix === '') {
      rest = url.pathname;
      // Without a prefix only claim our own trees, so a host server keeps everything else.
      if (rest !== '/' && !rest.startsWith('/cgi-bin/') && !rest.startsWith('/api/') && !rest.startsWith('/static/')) return false;
    } else if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) {
      rest = url.pathname.slice(prefix.length);
    } else {
      return false;
    }
    try {
      if (rest === '' || rest === '/') {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          sendJson(res, 405, { error: 'method not allowed' });
          return true;
        }
        const html = page.html(prefix);
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': Buffer.byteLength(html),
          'cache-control': 'no-store',
          'content-security-policy': CHAT_PAGE_CSP,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        });
        res.end(req.method === 'HEAD' ? undefined : html);
        return true;
      }
      const asset = rest.startsWith('/static/') && (req.method === 'GET' || req.method === 'HEAD') ? page.file(rest.slice('/static/'.length)) : undefined;
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'no-cache', 'content-security-policy': CHAT_PAGE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
        res.end(req.method === 'HEAD' ? undefined : asset.body);
        return true;
      }
      const route = routes[rest];
      if (route) {
        await handleApi(route, req, res, url.searchParams, deps.state);
        return true;
      }
      if (rest.startsWith('/api/') && (await handlePage(rest, req, res, url.searchParams, deps.driver))) return true;
      sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
      return true;
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        sendJson(res, 413, { errcode: WecomErrcode.invalidParameter, errmsg: 'request body too large' });
        return true;
      }
      console.error('[simulator] request failed', err);
      if (!res.headersSent) sendJson(res, 500, { errcode: -1, errmsg: 'system busy' });
      else res.end();
      return true;
    }
  };
}

/** Starts a standalone node:http server around a handler; resolves with the server and its origin. */
export async function startSimulatorServer(handler: SimulatorHandler, port: number, host: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
      },
      (err: unknown) => {
        console.error('[simulator] handler crashed', err);
        if (!res.headersSent) sendJson(res, 500, { errcode: -1, errmsg: 'system busy' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, origin: `http://${shownHost}:${address.port}` };
}
