import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AccessTokenCache, TokenScope } from '../../core/channelState.ts';
import type { Logger } from '../../core/logger.ts';
import type { ServiceState } from '../../core/ports.ts';
import { WECOM_BUSY_ERRCODES, WecomApiError, WecomHttpStatusError, WecomUnavailableError } from './wecomErrors.ts';
import { fetchWecomJson } from './wecomHttp.ts';

/** errcodes meaning "this access token is no good": refresh once and retry. */
const TOKEN_REJECTED = new Set([40014, 42001]);
/** errcodes worth a bounded retry with backoff: system busy, call rate limits. */
/** errcodes retried here, and never taken as an answer about a message. */
export const TRANSIENT_ERRCODES = WECOM_BUSY_ERRCODES;
const TRANSIENT = TRANSIENT_ERRCODES;

export interface KfClientOptions {
  corpId: string;
  /** The secret whose token is used: the 微信客服 secret for kf calls, an app secret for message/send. */
  secret: string;
  /** e.g. https://qyapi.weixin.qq.com (no trailing slash needed). */
  apiBase: string;
  tokens: AccessTokenCache;
  logger: Logger;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Retries after the first try for network errors, -1, 45009, 45033 (default 2). */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter (default 200 ms). */
  retryDelayMs?: number;
}

/** A kf text or menu body, as `send_msg` / `send_msg_on_event` expect it. */
export type KfMessageContent =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'msgmenu'; msgmenu: { head_content?: string; list: KfMenuEntry[]; tail_content?: string } };

/** One menu entry; `click` ids come back as `text.menu_id` when the customer taps them. */
export type KfMenuEntry =
  | { type: 'click'; click: { id: string; content: string } }
  | { type: 'view'; view: { url: string; content: string } }
  | { type: 'text'; text: { content: string; no_newline?: 0 | 1 } };

/** A customer as `kf/customer/batchget` describes them. */
export interface KfCustomer {
  externalUserId: string;
  nickname?: string;
  avatar?: string;
  gender?: number;
  unionId?: string;
  enterSessionContext?: { scene?: string; sceneParam?: string };
}

/** One page of `kf/sync_msg`; items stay unparsed so one odd item cannot sink the page. */
export interface SyncPage {
  nextCursor: string;
  hasMore: boolean;
  items: unknown[];
}

/** Typed client for the WeCom server APIs the channel and the advisor notifications use. */
export interface KfClient {
  /** A valid access token (cached across processes); `forceRefresh` replaces the cached one. */
  getAccessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  syncMessages(request: { cursor?: string; token?: string; openKfId?: string; limit?: number }): Promise<SyncPage>;
  sendMessage(request: { toUser: string; openKfId: string; msgId?: string; content: KfMessageContent }): Promise<{ msgId: string }>;
  sendMessageOnEvent(request: { code: string; msgId?: string; content: KfMessageContent }): Promise<{ msgId: string }>;
  getServiceState(request: { openKfId: string; externalUserId: string }): Promise<{ state: ServiceState; servicerId?: string }>;
  transferServiceState(request: {
    openKfId: string;
    externalUserId: string;
    state: ServiceState;
    servicerId?: string;
  }): Promise<{ msgCode?: string }>;
  batchGetCustomers(
    externalUserIds: string[],
    options?: { needEnterSessionContext?: boolean },
  ): Promise<{ customers: KfCustomer[]; invalidExternalUserIds: string[] }>;
  /** `kf/add_contact_way`: a customer-facing kf link; entries through it carry `scene` (≤32 bytes, [0-9a-zA-Z_-]). */
  addContactWay(request: { openKfId: string; scene?: string }): Promise<{ url: string }>;
  /**
   * `externalcontact/add_msg_template` (客户联系; needs a client built with that secret): a
   * mass-send task for `sender` to the listed customers. `failList` names customers it could not include.
   */
  addMsgTemplate(request: {
    sender: string;
    externalUserIds: string[];
    text?: string;
    link?: { title: string; url: string; desc?: string; picUrl?: string };
  }): Promise<{ msgId: string; failList: string[] }>;
  /** `message/send` to members; needs a client built with that app's secret. Body as WeCom documents it. */
  sendAppMessage(body: Record<string, unknown>): Promise<AppMessageResult>;
  /** Group robot webhook (no token); `key` is the webhook key, or pass the full webhook `url`. */
  sendWebhook(target: { key: string } | { url: string }, body: Record<string, unknown>): Promise<void>;
  /**
   * Escape hatch for other token-authenticated POST APIs: same token refresh, retry and error
   * rules; the result is validated with `schema`.
   */
  post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>>;
  /**
   * `media/get`: a customer's voice note (AMR) or picture by its temporary media id (3 days),
   * with the same token, timeout and retry rules; at most `MEDIA_MAX_BYTES`.
   */
  getMedia(mediaId: string): Promise<{ data: Buffer; contentType: string }>;
  /** The same for token-authenticated GET APIs (e.g. `externalcontact/get`), with `query` added to the URL. */
  get<S extends z.ZodType>(path: string, query: Record<string, string>, schema: S): Promise<z.infer<S>>;
}

/** Largest media file fetched (WeCom caps pictures at 10 MB; a 60 s AMR voice note is ~100 KB). */
export const MEDIA_MAX_BYTES = 10 * 1024 * 1024;
const mediaResponse = z.object({ data: z.instanceof(Buffer), contentType: z.string() });

const base = z.object({ errcode: z.number().int().default(0), errmsg: z.string().default('') });

const tokenResponse = z.object({ access_token: z.string().min(1).max(2048), expires_in: z.number().int().positive() });
const syncResponse = z.object({
  next_cursor: z.string().default(''),
  has_more: z.union([z.number(), z.boolean()]).default(0),
  msg_list: z.array(z.unknown()).default([]),
});
const sendResponse = z.object({ msgid: z.string().default('') });
const stateResponse = z
  .object({
    service_state: z.number().int().min(0).max(4),
    servicer_userid: z.string().optional(),
    service_userid: z.string().optional(),
  })
  .transform((r) => ({ state: r.service_state as ServiceState, servicerId: r.servicer_userid || r.service_userid || undefined }));
const transResponse = z.object({ msg_code: z.string().optional() });
const customerSchema = z.object({
  external_userid: z.string(),
  nickname: z.string().optional(),
  avatar: z.string().optional(),
  gender: z.number().optional(),
  unionid: z.string().optional(),
  enter_session_context: z
    .object({ scene: z.string().optional(), scene_param: z.string().optional() })
    .optional(),
});
const batchGetResponse = z.object({
  customer_list: z.array(customerSchema).default([]),
  invalid_external_userid: z.array(z.string()).default([]),
});
const contactWayResponse = z.object({ url: z.string().url() });
const msgTemplateResponse = z.object({ msgid: z.string().default(''), fail_list: z.array(z.string()).default([]) });
const appMessageResponse = z.object({
  invaliduser: z.string().optional(),
  invalidparty: z.string().optional(),
  invalidtag: z.string().optional(),
  unlicenseduser: z.string().optional(),
  msgid: z.string().optional(),
  response_code: z.string().optional(),
});

/** Result of `message/send`; a partial failure still succeeds, so check `invalidUser`. */
export interface AppMessageResult {
  msgId?: string;
  invalidUser?: string;
  invalidParty?: string;
  invalidTag?: string;
  unlicensedUser?: string;
}

/**
 * The transport under every WeCom call: the access token (cached across processes), a timeout
 * per request, and the retry rules the client's doc comment lists.
 */
function createWecomCaller(options: KfClientOptions) {
  const apiBase = options.apiBase.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const log = options.logger.child({ module: 'wecom-api' });
  const scope: TokenScope = {
    corpId: options.corpId,
    secretHash: createHash('sha256').update(options.secret).digest('hex').slice(0, 16),
  };

  async function fetchToken() {
    const url = `${apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(options.corpId)}&corpsecret=${encodeURIComponent(options.secret)}`;
    const data = await call('/cgi-bin/gettoken', url, undefined, tokenResponse, null);
    log.info({ expiresIn: data.expires_in }, 'fetched a new access token');
    return { token: data.access_token, expiresInSeconds: data.expires_in };
  }

  function getToken(rejected?: string): Promise<string> {
    return options.tokens.get(scope, fetchToken, rejected ? { rejected } : {});
  }

  /**
   * One API call with the retry rules. `authed` is null for token-less calls (gettoken, webhook);
   * otherwise the path without query, to which the access token is appended.
   */
  async function call<S extends z.ZodType>(
    path: string,
    url: string | null,
    body: unknown,
    schema: S,
    authed: { query?: Record<string, string>; binary?: boolean } | null,
  ): Promise<z.infer<S>> {
    let attempt = 0;
    let refreshed = false;
    let unanswered = false;
    let rejected: string | undefined;
    for (;;) {
      let target = url ?? '';
      if (authed) {
        const token = await getToken(rejected);
        rejected = undefined;
        const query = new URLSearchParams({ ...authed.query, access_token: token });
        target = `${apiBase}${path}?${query.toString()}`;
      }
      let json: unknown;
      try {
        json = await fetchWecomJson(target, body, { timeoutMs, ...(authed?.binary ? { binary: { maxBytes: MEDIA_MAX_BYTES } } : {}) });
      } catch (error) {
        // An HTTP error status is WeCom saying no; anything else (timeout, reset) may have been done.
        if (!(error instanceof WecomHttpStatusError)) unanswered = true;
        if (attempt < retries) {
          log.warn({ path, attempt: attempt + 1, err: (error as Error).message }, 'WeCom call failed; retrying');
          await backoff(attempt++);
          continue;
        }
        throw new WecomUnavailableError(path, (error as Error).message, error, { outcomeUnknown: unanswered });
      }
      const head = base.safeParse(json);
      if (!head.success) throw new WecomUnavailableError(path, 'answer is not a WeCom JSON object');
      const { errcode, errmsg } = head.data;
      if (errcode === 0) {
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          throw new WecomUnavailableError(path, `unexpected answer shape: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
        }
        return parsed.data;
      }
      if (authed && TOKEN_REJECTED.has(errcode) && !refreshed) {
        refreshed = true;
        rejected = new URL(target).searchParams.get('access_token') ?? undefined;
        log.info({ path, errcode }, 'access token rejected; refreshing once');
        continue;
      }
      if (TRANSIENT.has(errcode) && attempt < retries) {
        log.warn({ path, errcode, attempt: attempt + 1 }, 'WeCom busy or rate-limited; retrying');
        await backoff(attempt++);
        continue;
      }
      throw new WecomApiError(path, errcode, errmsg, { afterUnansweredAttempt: unanswered });
    }
  }

  function backoff(attempt: number): Promise<void> {
    const delay = retryDelayMs * 2 ** attempt;
    return new Promise((r) => setTimeout(r, delay / 2 + Math.random() * delay));
  }

  return { call, getToken };
}

/**
 * Creates the WeCom API client. Every call has a timeout; network errors, bad HTTP answers and
 * errcodes -1/45009/45033 get bounded retries with backoff; 40014/42001 force one token refresh
 * and one retry; every other non-zero errcode throws `WecomApiError`.
 *
 * @example
 * const client = createKfClient({ corpId, secret: kfSecret, apiBase, tokens: state.tokens, logger });
 * const page = await client.syncMessages({ token, openKfId, cursor });
 */
export function createKfClient(options: KfClientOptions): KfClient {
  const { call, getToken } = createWecomCaller(options);
  const apiBase = options.apiBase.replace(/\/+$/, '');

  function post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return call(path, null, body ?? {}, schema, {});
  }

  return {
    get: (path, query, schema) => call(path, null, undefined, schema, { query }),
    getMedia: (mediaId) => call('/cgi-bin/media/get', null, undefined, mediaResponse, { query: { media_id: mediaId }, binary: true }),
    async getAccessToken(tokenOptions = {}) {
      if (!tokenOptions.forceRefresh) return getToken();
      const current = await getToken();
      return getToken(current);
    },

    async syncMessages(request) {
      const body: Record<string, unknown> = { limit: request.limit ?? 1000 };
      if (request.cursor) body.cursor = request.cursor;
      if (request.token) body.token = request.token;
      if (request.openKfId) body.open_kfid = request.openKfId;
      const data = await post('/cgi-bin/kf/sync_msg', body, syncResponse);
      return { nextCursor: data.next_cursor, hasMore: data.has_more === 1 || data.has_more === true, items: data.msg_list };
    },

    async sendMessage(request) {
      const body = { touser: request.toUser, open_kfid: request.openKfId, ...(request.msgId ? { msgid: request.msgId } : {}), ...request.content };
      const data = await post('/cgi-bin/kf/send_msg', body, sendResponse);
      return { msgId: data.msgid || request.msgId || '' };
    },

    async sendMessageOnEvent(request) {
      const body = { code: request.code, ...(request.msgId ? { msgid: request.msgId } : {}), ...request.content };
      const data = await post('/cgi-bin/kf/send_msg_on_event', body, sendResponse);
      return { msgId: data.msgid || request.msgId || '' };
    },

    async getServiceState(request) {
      return post('/cgi-bin/kf/service_state/get', { open_kfid: request.openKfId, external_userid: request.externalUserId }, stateResponse);
    },

    async transferServiceState(request) {
      const body = {
        open_kfid: request.openKfId,
        external_userid: request.externalUserId,
        service_state: request.state,
        ...(request.servicerId ? { servicer_userid: request.servicerId } : {}),
      };
      const data = await post('/cgi-bin/kf/service_state/trans', body, transResponse);
      return { msgCode: data.msg_code || undefined };
    },

    async batchGetCustomers(externalUserIds, batchOptions = {}) {
      if (externalUserIds.length === 0 || externalUserIds.length > 100) {
        throw new RangeError('batchGetCustomers takes 1 to 100 external user ids');
      }
      const data = await post(
        '/cgi-bin/kf/customer/batchget',
        { external_userid_list: externalUserIds, need_enter_session_context: batchOptions.needEnterSessionContext ? 1 : 0 },
        batchGetResponse,
      );
      return {
        customers: data.customer_list.map((c) => ({
          externalUserId: c.external_userid,
          nickname: c.nickname,
          avatar: c.avatar,
          gender: c.gender,
          unionId: c.unionid,
          enterSessionContext: c.enter_session_context
            ? { scene: c.enter_session_context.scene, sceneParam: c.enter_session_context.scene_param }
            : undefined,
        })),
        invalidExternalUserIds: data.invalid_external_userid,
      };
    },

    async addContactWay(request) {
      if (request.scene !== undefined && !/^[0-9a-zA-Z_-]{1,32}$/.test(request.scene)) throw new RangeError('scene must be 1–32 of [0-9a-zA-Z_-]');
      const data = await post('/cgi-bin/kf/add_contact_way', { open_kfid: request.openKfId, ...(request.scene ? { scene: request.scene } : {}) }, contactWayResponse);
      return { url: data.url };
    },

    async addMsgTemplate(request) {
      const body = {
        chat_type: 'single',
        external_userid: request.externalUserIds,
        sender: request.sender,
        ...(request.text ? { text: { content: request.text } } : {}),
        ...(request.link
          ? { attachments: [{ msgtype: 'link', link: { title: request.link.title, url: request.link.url, ...(request.link.desc ? { desc: request.link.desc } : {}), ...(request.link.picUrl ? { picurl: request.link.picUrl } : {}) } }] }
          : {}),
      };
      const data = await post('/cgi-bin/externalcontact/add_msg_template', body, msgTemplateResponse);
      return { msgId: data.msgid, failList: data.fail_list };
    },

    async sendAppMessage(body) {
      const data = await post('/cgi-bin/message/send', body, appMessageResponse);
      return {
        msgId: data.msgid,
        invalidUser: data.invaliduser || undefined,
        invalidParty: data.invalidparty || undefined,
        invalidTag: data.invalidtag || undefined,
        unlicensedUser: data.unlicenseduser || undefined,
      };
    },

    async sendWebhook(target, body) {
      const url = 'url' in target ? target.url : `${apiBase}/cgi-bin/webhook/send?key=${encodeURIComponent(target.key)}`;
      await call('/cgi-bin/webhook/send', url, body, base, null);
    },

    post,
  };
}
