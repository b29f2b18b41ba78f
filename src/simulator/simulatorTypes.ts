import type { IncomingMessage, ServerResponse } from 'node:http';

/** WeCom kf session state: 0 new, 1 smart assistant (bot), 2 queue, 3 human servicer, 4 ended. */
export type ServiceStateValue = 0 | 1 | 2 | 3 | 4;

/** Settings of one simulated corp with one kf account; every field has a working default. */
export interface SimulatorOptions {
  corpId?: string;
  token?: string;
  /** 43 chars of [a-zA-Z0-9]; base64 of it plus '=' is the 32-byte AES key. */
  encodingAesKey?: string;
  kfSecret?: string;
  /** Secret of the self-built app used for `message/send`; gettoken accepts it beside kfSecret. */
  appSecret?: string;
  /** 客户联系 secret (externalcontact APIs such as add_msg_template); gettoken accepts it too. */
  contactSecret?: string;
  openKfId?: string;
  /** Where encrypted kf_msg_or_event callbacks are POSTed (our /wecom/callback). */
  callbackUrl?: string;
  /** Lifetime of access tokens, default 7200. */
  tokenTtlSeconds?: number;
  /** Mount point, e.g. '/simulator' → chat page at /simulator, API at /simulator/cgi-bin/... Default ''. */
  pathPrefix?: string;
  /** The product's UI kit folder (its DOM helpers and favicon serve the chat page); default src/http/public. */
  uiDir?: string;
  /** Advisor userids known to the fake corp (all "receiving"), default ['advisor1', 'advisor2']. */
  servicers?: string[];
  /** Simulated clock in epoch ms, default Date.now. Drives every expiry and window. */
  now?: () => number;
  /** Every Nth sync_msg call that has data pending returns an empty page with has_more=1 (N ≥ 2). */
  emptyPageEvery?: number;
  /** Retry a callback up to 3 more times in the background after a non-200 or timeout. Default false. */
  retryCallbacks?: boolean;
  /** Pause before each background retry, default 1000 ms. */
  retryDelayMs?: number;
  /** WeCom gives up on a callback after 5 s; default 5000 ms. */
  callbackTimeoutMs?: number;
}

/**
 * One entry of a customer's conversation. `direction` is seen from our service: 'in' is what
 * sync_msg hands the bot (customer origin 3, system events origin 4, servicer origin 5),
 * 'out' is what the bot sent through send_msg / send_msg_on_event (origin 0).
 * `body` is the type-named payload as on the wire (`text`, `msgmenu`, `image`, `event`...).
 */
export interface SimulatorMessage {
  msgid: string;
  direction: 'in' | 'out';
  origin: 3 | 4 | 5 | 0;
  /** Simulated epoch ms. */
  at: number;
  msgtype: string;
  body: unknown;
  customerId: string;
  servicerId?: string;
}

/** Result of one callback POST: HTTP status, or 0 when no URL is set, the connection failed or it timed out. */
export interface CallbackAttempt {
  at: number;
  status: number;
  redelivery: boolean;
}

/** The fake WeCom: drive the customer side from tests or the chat page, inspect what the bot did. */
export interface WecomSimulator {
  readonly corpId: string;
  readonly token: string;
  readonly encodingAesKey: string;
  readonly kfSecret: string;
  readonly appSecret: string;
  readonly contactSecret: string;
  readonly openKfId: string;
  /** Base URL to use as WECOM_API_BASE; set by listen(), set it yourself when mounting. */
  apiBase: string;
  setCallbackUrl(url: string): void;
  /** Queues a text for sync_msg, then POSTs an encrypted kf_msg_or_event callback. */
  customerSays(
    customerId: string,
    text: string,
    opts?: { menuId?: string; nickname?: string },
  ): Promise<{ msgid: string; callbackStatus: number }>;
  /** A picture (1×1 PNG unless `file` is given), fetched back through media/get. */
  customerSendsImage(customerId: string, file?: { data: Buffer; contentType: string }): Promise<{ msgid: string; callbackStatus: number }>;
  /** A voice note (the bundled one-second AMR unless `file` is given). */
  customerSendsVoice(customerId: string, file?: { data: Buffer; contentType: string }): Promise<{ msgid: string; callbackStatus: number }>;
  /** enter_session event; welcomeCode is '' when WeCom would not offer one (customer wrote within 48 h, or a person holds the session). */
  customerEnters(
    customerId: string,
    opts?: { scene?: string; sceneParam?: string; nickname?: string },
  ): Promise<{ welcomeCode: string; callbackStatus: number }>;
  /**
   * The customer opens a kf link in WeChat (one from kf/add_contact_way, with `&scene_param=`):
   * an enter_session with the link's scene and parameter. Throws for a link this corp never made.
   */
  customerOpensLink(customerId: string, url: string, opts?: { nickname?: string }): Promise<{ welcomeCode: string; callbackStatus: number }>;
  /** Mass-send tasks created through externalcontact/add_msg_template, in order. */
  msgTemplates(): Array<Record<string, unknown>>;
  /** Origin-5 text typed by an advisor in the WeCom client; throws unless state is 3 with that servicer. */
  servicerSays(customerId: string, servicerId: string, text: string): Promise<{ msgid: string; callbackStatus: number }>;
  /** A msg_send_fail event for a message the bot sent earlier (fail_type per WeCom, e.g. 4 or 6). */
  customerDeliveryFails(customerId: string, failMsgid: string, failType: number): Promise<{ msgid: string; callbackStatus: number }>;
  /** WeCom retries: POST the last encrypted body again, `times` times (default 1), statuses in order. */
  redeliverLastCallback(times?: number): Promise<number[]>;
  /** GET the callback URL with an encrypted echostr like the WeCom console does; ok when the plaintext comes back exactly. */
  verifyCallbackUrl(): Promise<{ status: number; ok: boolean; body: string }>;
  /** What the bot sent to this customer (send_msg, send_msg_on_event). */
  messagesTo(customerId: string): SimulatorMessage[];
  /** Both ways, including events, in order. */
  transcript(customerId: string): SimulatorMessage[];
  serviceState(customerId: string): { state: ServiceStateValue; servicerId?: string };
  /** Acts like a person in the WeCom client: no transition checks; moving to 3/4 emits session_status_change (+ callback in the background). */
  setServiceState(customerId: string, state: ServiceStateValue, servicerId?: string): void;
  /** Next API call with any token issued so far gets 40014. */
  invalidateTokens(): void;
  robotMessages(): unknown[];
  /** 客户联系: makes a customer an external contact of a member (as when they add an advisor on WeChat). */
  addExternalContact(input: { externalUserId: string; userId: string; unionId?: string; name?: string }): void;
  /** The unionid kf/customer/batchget reports for a kf customer. */
  setUnionId(customerId: string, unionId: string): void;
  /** Tags members put on an external contact, as "group/name", sorted. */
  contactTags(externalUserId: string): string[];
  appMessages(): unknown[];
  /** Request counts per endpoint, including rejected requests. */
  stats(): { gettokenCalls: number; syncCalls: number; sendCalls: number };
  callbackAttempts(): CallbackAttempt[];
  /** For mounting in another server; resolves false when the path is not the simulator's. Reads the raw body itself. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Standalone node:http server (host default 127.0.0.1, port default 0 = any); returns and sets apiBase. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Every message added to any transcript; returns an unsubscribe function. */
  onEvent(listener: (e: { customerId: string; message: SimulatorMessage }) => void): () => void;
}

/** A WeCom JSON API answer: errcode 0 means success. */
export interface WecomReply {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}
