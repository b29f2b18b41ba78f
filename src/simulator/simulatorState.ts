import { randomBytes, randomInt } from 'node:crypto';
import type {
  AppMessageBody,
  CustomerBatchgetBody,
  MessageContent,
  RobotBody,
  SendMsgBody,
  SendMsgOnEventBody,
  ServiceStateGetBody,
  ServiceStateTransBody,
  SyncMsgBody,
} from './simulatorSchemas.ts';
import { SimulatorContactWays } from './simulatorContactWays.ts';
import { SAMPLE_VOICE_AMR } from './sampleVoice.ts';
import { ContactDirectory } from './contactDirectory.ts';
import type { ServiceStateValue, SimulatorMessage, WecomReply } from './simulatorTypes.ts';

/**
 * In-memory state and rules of the fake WeCom corp: tokens, customers, the kf message log that
 * sync_msg pages through, send budgets and event codes. No HTTP here; simulatorServer.ts maps
 * requests onto these methods and wecomSimulator.ts adds callbacks.
 */

const SECOND = 1000;
const HOUR = 3600 * SECOND;
/** Customers must have written within 48 h for send_msg to work. */
const SESSION_WINDOW_MS = 48 * HOUR;
/** Callback sync tokens live 10 minutes. */
const SYNC_TOKEN_TTL_MS = 10 * 60 * SECOND;
/** Welcome codes and end-of-session codes live 20 s; queue/pick-up codes 48 h. */
const SHORT_CODE_TTL_MS = 20 * SECOND;
/** A first sync without cursor only sees the last 3 days. */
const HISTORY_MS = 72 * HOUR;
/** Temporary media ids live 3 days. */
const MEDIA_TTL_MS = 72 * HOUR;
const SENDS_PER_CUSTOMER_MESSAGE = 5;
const TEXT_MAX_BYTES = 2048;
const MENU_MAX_ITEMS = 10;
const MENU_HEAD_TAIL_MAX_BYTES = 1024;
const ROBOT_PER_MINUTE = 20;
const SYNC_MAX_LIMIT = 1000;

/**
 * WeCom errcodes the simulator answers with. Where WeCom's docs are vague these are our picks:
 * duplicate or malformed client msgid → 40058; unknown/used/expired send_msg_on_event code → 95007;
 * a state msg_code used after the session left that state → 95018; send_msg or trans on an ended
 * session (state 4) → 95013; forbidden transition → 95016; servicer not in the corp → 95014;
 * bad sync cursor or limit outside 1..1000 → 40058; robot over 20/min → 45009.
 */
export const WecomErrcode = {
  invalidSecret: 40001,
  invalidMediaId: 40007,
  invalidMsgtype: 40008,
  invalidCorpId: 40013,
  invalidToken: 40014,
  invalidParameter: 40058,
  invalidExternalUserid: 40096,
  missingToken: 41001,
  expiredToken: 42001,
  requireGet: 43001,
  requirePost: 43002,
  emptyContent: 44004,
  freqLimit: 45009,
  badJson: 47001,
  allRecipientsInvalid: 81013,
  invalidWebhookKey: 93000,
  invalidOpenKfid: 95000,
  sendCountLimit: 95001,
  sendTimeLimit: 95002,
  openKfidNotFound: 95004,
  invalidMsgToken: 95007,
  menuTooManyItems: 95008,
  invalidMenuItemType: 95009,
  sessionEnded: 95013,
  notServicer: 95014,
  invalidTransition: 95016,
  sessionStateInvalid: 95018,
} as const;

/** A WeCom error answer. */
export function wecomError(errcode: number, errmsg: string): WecomReply {
  return { errcode, errmsg };
}

function ok(fields: Record<string, unknown> = {}): WecomReply {
  return { errcode: 0, errmsg: 'ok', ...fields };
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function isReply(x: unknown): x is WecomReply {
  return typeof x === 'object' && x !== null && 'errcode' in x;
}

interface Customer {
  id: string;
  nickname: string;
  avatar: string;
  state: ServiceStateValue;
  servicerId?: string;
  lastCustomerMsgAt?: number;
  sentSinceCustomerMsg: number;
  enterContext?: { scene?: string; sceneParam?: string; at: number };
  transcript: SimulatorMessage[];
}

interface LogEntry {
  seq: number;
  at: number;
  item: Record<string, unknown>;
}

interface IssuedToken {
  expiresAt: number;
  revoked: boolean;
}

interface EventCode {
  customerId: string;
  /** 'welcome' codes work in any state; 'state' codes only while the session is still in `state`. */
  kind: 'welcome' | 'state';
  state: ServiceStateValue;
  expiresAt: number;
  used: boolean;
  msgtypes: readonly string[];
}

/** Configuration the state needs, already defaulted. */
export interface StateConfig {
  corpId: string;
  secrets: string[];
  openKfId: string;
  tokenTtlMs: number;
  servicers: string[];
  now: () => number;
  emptyPageEvery: number;
}

/** Notifications the wrapper turns into onEvent listeners and background callbacks. */
export interface StateHooks {
  message(customerId: string, message: SimulatorMessage): void;
  /** An API call (service_state/trans) appended sync data; WeCom would send a callback. */
  apiEvent(): void;
}

const SEND_MSG_TYPES = ['text', 'image', 'voice', 'video', 'file', 'link', 'miniprogram', 'msgmenu', 'location', 'business_card', 'ca_link'];
const MENU_ITEM_TYPES = ['click', 'view', 'miniprogram', 'text'];
const ROBOT_TYPES = ['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card'];
const TRANSITIONS: Record<ServiceStateValue, readonly ServiceStateValue[]> = {
  0: [1, 2, 3, 4],
  1: [1, 2, 3, 4],
  2: [2, 3, 4],
  3: [3, 4],
  4: [],
};

/** 1×1 transparent PNG served for every simulated media id. */
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** A file the customer sends (served back by media/get). */
export interface SimulatedMedia {
  data: Buffer;
  contentType: string;
}

/** The fake corp's memory; one instance per simulator. */
export class SimulatorState {
  readonly counters = { gettokenCalls: 0, syncCalls: 0, sendCalls: 0 };
  readonly robotBodies: unknown[] = [];
  readonly appBodies: unknown[] = [];
  /** kf links (add_contact_way) and mass-send tasks (add_msg_template). */
  readonly contactWays: SimulatorContactWays;

  private readonly customers = new Map<string, Customer>();
  private readonly log: LogEntry[] = [];
  private seq = 0;
  private idCounter = 0;
  private syncCallsWithData = 0;
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly currentToken = new Map<string, string>();
  private readonly syncTokens = new Map<string, number>();
  private readonly codes = new Map<string, EventCode>();
  private readonly usedMsgids = new Set<string>();
  private readonly media = new Map<string, { expiresAt: number; data: Buffer; contentType: string }>();
  private readonly robotSends = new Map<string, number[]>();
  /** kf customer → unionid (WeCom knows one when a WeChat developer account is bound). */
  private readonly unionIds = new Map<string, string>();
  /** 客户联系: members' external contacts and corp tags. */
  readonly contacts: ContactDirectory;

  constructor(
    readonly config: StateConfig,
    private readonly hooks: StateHooks,
  ) {
    this.contactWays = new SimulatorContactWays(config);
    this.contacts = new ContactDirectory(config.servicers, config.now);
  }

  setUnionId(customerId: string, unionId: string): void {
    this.unionIds.set(customerId, unionId);
  }

  now(): number {
    return this.config.now();
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${randomBytes(6).toString('hex')}${this.idCounter.toString(36)}`;
  }

  // ---------------------------------------------------------------- tokens

  /** GET /cgi-bin/gettoken: the same token while valid, a new one after expiry or invalidation. */
  getToken(corpid: string | undefined, secret: string | undefined): WecomReply {
    if (corpid !== this.config.corpId) return wecomError(WecomErrcode.invalidCorpId, 'invalid corpid');
    if (secret === undefined || !this.config.secrets.includes(secret)) {
      return wecomError(WecomErrcode.invalidSecret, 'invalid credential');
    }
    const now = this.now();
    const current = this.currentToken.get(secret);
    const issued = current === undefined ? undefined : this.tokens.get(current);
    if (current !== undefined && issued !== undefined && !issued.revoked && issued.expiresAt > now) {
      return ok({ access_token: current, expires_in: Math.ceil((issued.expiresAt - now) / 1000) });
    }
    // Real tokens are long opaque strings; length here is in the same ballpark (≤512 bytes).
    const token = `SIM${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, { expiresAt: now + this.config.tokenTtlMs, revoked: false });
    this.currentToken.set(secret, token);
    return ok({ access_token: token, expires_in: Math.round(this.config.tokenTtlMs / 1000) });
  }

  /** undefined when the token may call APIs, else the WeCom error. */
  checkToken(token: string | undefined): WecomReply | undefined {
    if (token === undefined || token === '') return wecomError(WecomErrcode.missingToken, 'access_token missing');
    const issued = this.tokens.get(token);
    if (issued === undefined || issued.revoked) return wecomError(WecomErrcode.invalidToken, 'invalid access_token');
    if (issued.expiresAt <= this.now()) return wecomError(WecomErrcode.expiredToken, 'access_token expired');
    return undefined;
  }

  invalidateTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  /** A fresh callback Token for sync_msg, valid 10 minutes. */
  issueSyncToken(): string {
    const token = `ENC${randomBytes(24).toString('base64url')}`;
    this.syncTokens.set(token, this.now() + SYNC_TOKEN_TTL_MS);
    return token;
  }

  // ---------------------------------------------------------------- customer side

  private ensureCustomer(id: string, nickname?: string): Customer {
    let c = this.customers.get(id);
    if (c === undefined) {
      c = {
        id,
        nickname: nickname ?? `微信用户${id.slice(-4)}`,
        avatar: `https://wx.qlogo.cn/mmhead/sim/${encodeURIComponent(id)}/0`,
        state: 0,
        sentSinceCustomerMsg: 0,
        transcript: [],
      };
      this.customers.set(id, c);
    } else if (nickname !== undefined && nickname !== '') {
      c.nickname = nickname;
    }
    return c;
  }

  private record(c: Customer, message: SimulatorMessage): void {
    c.transcript.push(message);
    this.hooks.message(c.id, structuredClone(message));
  }

  private append(item: Record<string, unknown>): void {
    this.seq += 1;
    this.log.push({ seq: this.seq, at: this.now(), item });
  }

  /** A message typed by the customer re-opens the 48 h window and the 5-message allowance. */
  private customerWrote(c: Customer): void {
    if (c.state === 4) {
      c.state = 0;
      delete c.servicerId;
    }
    c.lastCustomerMsgAt = this.now();
    c.sentSinceCustomerMsg = 0;
  }

  private addCustomerMessage(c: Customer, msgtype: string, payload: Record<string, unknown>): string {
    this.customerWrote(c);
    const msgid = `from_msgid_${randomInt(1e9, 1e10 - 1)}${String(this.seq + 1).padStart(8, '0')}`;
    this.append({
      msgid,
      open_kfid: this.config.openKfId,
      external_userid: c.id,
      send_time: this.nowSeconds(),
      origin: 3,
      msgtype,
      [msgtype]: payload,
    });
    this.record(c, { msgid, direction: 'in', origin: 3, at: this.now(), msgtype, body: payload, customerId: c.id });
    return msgid;
  }

  addCustomerText(customerId: string, text: string, menuId?: string, nickname?: string): string {
    const c = this.ensureCustomer(customerId, nickname);
    return this.addCustomerMessage(c, 'text', menuId === undefined ? { content: text } : { content: text, menu_id: menuId });
  }

  /** A picture (a 1×1 PNG unless `file` is given); stickers a customer saved travel the same way. */
  addCustomerImage(customerId: string, nickname?: string, file?: SimulatedMedia): string {
    return this.addCustomerMedia(customerId, 'image', file ?? { data: PIXEL_PNG, contentType: 'image/png' }, nickname);
  }

  /** A voice note: AMR, as WeCom sends by default (`voice_format` 0); the bundled sample unless `file` is given. */
  addCustomerVoice(customerId: string, nickname?: string, file?: SimulatedMedia): string {
    return this.addCustomerMedia(customerId, 'voice', file ?? { data: SAMPLE_VOICE_AMR, contentType: 'audio/amr' }, nickname);
  }

  private addCustomerMedia(customerId: string, msgtype: 'image' | 'voice', file: SimulatedMedia, nickname?: string): string {
    const c = this.ensureCustomer(customerId, nickname);
    const mediaId = `2${randomBytes(24).toString('base64url')}`;
    this.media.set(mediaId, { expiresAt: this.now() + MEDIA_TTL_MS, ...file });
    return this.addCustomerMessage(c, msgtype, { media_id: mediaId });
  }

  private addEvent(c: Customer, event: Record<string, unknown>): string {
    const msgid = this.nextId('ev_');
    // Event items carry open_kfid/external_userid only inside `event`, as on the wire.
    this.append({ msgid, send_time: this.nowSeconds(), origin: 4, msgtype: 'event', event });
    this.record(c, { msgid, direction: 'in', origin: 4, at: this.now(), msgtype: 'event', body: event, customerId: c.id });
    return msgid;
  }

  /** enter_session; returns the welcome_code or '' when WeCom would not offer one. */
  addEnterSession(customerId: string, opts: { scene?: string; sceneParam?: string; nickname?: string }): string {
    const c = this.ensureCustomer(customerId, opts.nickname);
    const now = this.now();
    c.enterContext = { at: now, ...(opts.scene === undefined ? {} : { scene: opts.scene }), ...(opts.sceneParam === undefined ? {} : { sceneParam: opts.sceneParam }) };
    const recentlyWrote = c.lastCustomerMsgAt !== undefined && now - c.lastCustomerMsgAt <= SESSION_WINDOW_MS;
    const personHolds = c.state === 2 || c.state === 3;
    const welcomeCode = recentlyWrote || personHolds ? '' : this.issueCode({ customerId, kind: 'welcome', state: c.state, ttlMs: SHORT_CODE_TTL_MS, msgtypes: ['text', 'msgmenu'] });
    this.addEvent(c, {
      event_type: 'enter_session',
      open_kfid: this.config.openKfId,
      external_userid: c.id,
      ...(opts.scene === undefined ? {} : { scene: opts.scene }),
      ...(opts.sceneParam === undefined ? {} : { scene_param: opts.sceneParam }),
      ...(welcomeCode === '' ? {} : { welcome_code: welcomeCode }),
    });
    return welcomeCode;
  }

  addServicerText(customerId: string, servicerId: string, text: string): string {
    const c = this.customers.get(customerId);
    if (c === undefined) throw new Error(`servicerSays: unknown customer ${customerId}`);
    if (c.state !== 3 || c.servicerId !== servicerId) {
      throw new Error(`servicerSays: ${servicerId} does not hold ${customerId} (state ${c.state}, servicer ${c.servicerId ?? 'none'})`);
    }
    const msgid = this.nextId('svc_');
    this.append({
      msgid,
      open_kfid: this.config.openKfId,
      external_userid: c.id,
      send_time: this.nowSeconds(),
      origin: 5,
      servicer_userid: servicerId,
      msgtype: 'text',
      text: { content: text },
    });
    this.record(c, { msgid, direction: 'in', origin: 5, at: this.now(), msgtype: 'text', body: { content: text }, customerId: c.id, servicerId });
    return msgid;
  }

  addSendFail(customerId: string, failMsgid: string, failType: number): string {
    const c = this.ensureCustomer(customerId);
    return this.addEvent(c, {
      event_type: 'msg_send_fail',
      open_kfid: this.config.openKfId,
      external_userid: c.id,
      fail_msgid: failMsgid,
      fail_type: failType,
    });
  }

  private issueCode(input: { customerId: string; kind: EventCode['kind']; state: ServiceStateValue; ttlMs: number; msgtypes: readonly string[] }): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      customerId: input.customerId,
      kind: input.kind,
      state: input.state,
      expiresAt: this.now() + input.ttlMs,
      used: false,
      msgtypes: input.msgtypes,
    });
    return code;
  }

  /**
   * Applies a state change. Entering 2/3/4 from another state issues a msg_code; entering 3
   * (or changing servicer) and entering 4 push a session_status_change event.
   */
  private applyState(c: Customer, to: ServiceStateValue, servicerId: string | undefined): string | undefined {
    const from = c.state;
    const oldServicer = c.servicerId;
    c.state = to;
    if (to === 3 && servicerId !== undefined) c.servicerId = servicerId;
    else delete c.servicerId;

    let msgCode: string | undefined;
    if ((to === 2 || to === 3 || to === 4) && to !== from) {
      msgCode = this.issueCode({
        customerId: c.id,
        kind: 'state',
        state: to,
        ttlMs: to === 4 ? SHORT_CODE_TTL_MS : SESSION_WINDOW_MS,
        msgtypes: to === 4 ? ['text', 'msgmenu'] : ['text'],
      });
    }
    const base = { event_type: 'session_status_change', open_kfid: this.config.openKfId, external_userid: c.id };
    if (to === 3 && (from !== 3 || oldServicer !== servicerId)) {
      this.addEvent(c, {
        ...base,
        change_type: from === 2 ? 1 : 2,
        ...(oldServicer === undefined ? {} : { old_servicer_userid: oldServicer }),
        ...(servicerId === undefined ? {} : { new_servicer_userid: servicerId }),
        ...(msgCode === undefined ? {} : { msg_code: msgCode }),
      });
    } else if (to === 4 && from !== 4) {
      this.addEvent(c, {
        ...base,
        change_type: 3,
        ...(oldServicer === undefined ? {} : { old_servicer_userid: oldServicer }),
        ...(msgCode === undefined ? {} : { msg_code: msgCode }),
      });
    }
    return msgCode;
  }

  /** Test/chat-page override: no transition rules. Returns whether sync data was added. */
  forceState(customerId: string, to: ServiceStateValue, servicerId?: string): boolean {
    const c = this.ensureCustomer(customerId);
    const before = this.seq;
    this.applyState(c, to, servicerId);
    return this.seq !== before;
  }

  // ---------------------------------------------------------------- views

  transcript(customerId: string): SimulatorMessage[] {
    return structuredClone(this.customers.get(customerId)?.transcript ?? []);
  }

  serviceState(customerId: string): { state: ServiceStateValue; servicerId?: string } {
    const c = this.customers.get(customerId);
    if (c === undefined) return { state: 0 };
    return c.servicerId === undefined ? { state: c.state } : { state: c.state, servicerId: c.servicerId };
  }

  mediaGet(mediaId: string): SimulatedMedia | undefined {
    const media = this.media.get(mediaId);
    return media !== undefined && media.expiresAt > this.now() ? { data: media.data, contentType: media.contentType } : undefined;
  }

  // ---------------------------------------------------------------- kf API

  private checkOpenKfid(openKfid: string): WecomReply | undefined {
    if (openKfid === this.config.openKfId) return undefined;
    if (!/^wk[0-9A-Za-z_-]{4,}$/.test(openKfid)) return wecomError(WecomErrcode.invalidOpenKfid, 'invalid open_kfid');
    return wecomError(WecomErrcode.openKfidNotFound, 'open_kfid not exist');
  }

  private encodeCursor(seq: number): string {
    return Buffer.from(`simcur:${seq}`).toString('base64url');
  }

  private decodeCursor(cursor: string): number | undefined {
    const m = /^simcur:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    const seq = m?.[1] === undefined ? NaN : Number(m[1]);
    return Number.isSafeInteger(seq) && seq <= this.seq ? seq : undefined;
  }

  /** POST /cgi-bin/kf/sync_msg. */
  syncMsg(body: SyncMsgBody): WecomReply {
    const now = this.now();
    if (body.token !== undefined && body.token !== '') {
      if (bytes(body.token) > 128) return wecomError(WecomErrcode.invalidParameter, 'invalid token, too long');
      const expiresAt = this.syncTokens.get(body.token);
      if (expiresAt === undefined || expiresAt <= now) return wecomError(WecomErrcode.invalidMsgToken, 'invalid msg token');
    }
    if (body.open_kfid !== undefined) {
      const bad = this.checkOpenKfid(body.open_kfid);
      if (bad) return bad;
    }
    const limit = body.limit ?? SYNC_MAX_LIMIT;
    if (limit < 1 || limit > SYNC_MAX_LIMIT) return wecomError(WecomErrcode.invalidParameter, `invalid limit, must be 1..${SYNC_MAX_LIMIT}`);

    let after = 0;
    const hasCursor = body.cursor !== undefined && body.cursor !== '';
    if (hasCursor) {
      const decoded = bytes(body.cursor ?? '') <= 64 ? this.decodeCursor(body.cursor ?? '') : undefined;
      if (decoded === undefined) return wecomError(WecomErrcode.invalidParameter, 'invalid cursor');
      after = decoded;
    }
    const pending = this.log.filter((e) => e.seq > after && (hasCursor || e.at >= now - HISTORY_MS));
    if (pending.length > 0) {
      this.syncCallsWithData += 1;
      const every = this.config.emptyPageEvery;
      if (every >= 2 && this.syncCallsWithData % every === 0) {
        // WeCom documents that an empty page with has_more=1 can happen; clients must keep paging.
        return ok({ next_cursor: this.encodeCursor(after), has_more: 1, msg_list: [] });
      }
    }
    const page = pending.slice(0, limit);
    const last = page.at(-1);
    const nextSeq = last !== undefined ? last.seq : hasCursor ? after : this.seq;
    return ok({
      next_cursor: this.encodeCursor(nextSeq),
      has_more: pending.length > page.length ? 1 : 0,
      msg_list: page.map((e) => structuredClone(e.item)),
    });
  }

  /** Validates a client msgid (≤32 bytes, [0-9a-zA-Z_-], unique per kf account) or makes one up. */
  private takeMsgid(msgid: string | undefined): WecomReply | string {
    if (msgid === undefined || msgid === '') return this.nextId('');
    if (bytes(msgid) > 32 || !/^[0-9a-zA-Z_-]+$/.test(msgid)) return wecomError(WecomErrcode.invalidParameter, 'invalid msgid');
    if (this.usedMsgids.has(msgid)) return wecomError(WecomErrcode.invalidParameter, 'invalid msgid, duplicate msgid');
    return msgid;
  }

  /** Checks the type-named payload against WeCom's limits; returns it or the error. */
  private checkContent(content: MessageContent, allowed: readonly string[]): WecomReply | Record<string, unknown> {
    const type = content.msgtype;
    if (!allowed.includes(type)) return wecomError(WecomErrcode.invalidMsgtype, `invalid message type ${type}`);
    const payload = (content as Record<string, unknown>)[type];
    if (typeof payload !== 'object' || payload === null) return wecomError(WecomErrcode.invalidParameter, `missing ${type}`);
    if (type === 'text' && content.text) {
      if (content.text.content === '') return wecomError(WecomErrcode.emptyContent, 'empty content');
      if (bytes(content.text.content) > TEXT_MAX_BYTES) {
        return wecomError(WecomErrcode.invalidParameter, `content exceed max length ${TEXT_MAX_BYTES} bytes`);
      }
    }
    if (type === 'msgmenu' && content.msgmenu) {
      const menu = content.msgmenu;
      if (menu.list.length > MENU_MAX_ITEMS) return wecomError(WecomErrcode.menuTooManyItems, `menu items exceed ${MENU_MAX_ITEMS}`);
      if (bytes(menu.head_content ?? '') > MENU_HEAD_TAIL_MAX_BYTES || bytes(menu.tail_content ?? '') > MENU_HEAD_TAIL_MAX_BYTES) {
        return wecomError(WecomErrcode.invalidParameter, `head_content/tail_content exceed ${MENU_HEAD_TAIL_MAX_BYTES} bytes`);
      }
      if (menu.list.length === 0 && !menu.head_content && !menu.tail_content) return wecomError(WecomErrcode.emptyContent, 'empty content');
      for (const item of menu.list) {
        if (!MENU_ITEM_TYPES.includes(item.type)) return wecomError(WecomErrcode.invalidMenuItemType, `invalid menu item type ${item.type}`);
        const bad = this.checkMenuItem(item);
        if (bad) return bad;
      }
    }
    if (['image', 'voice', 'video', 'file'].includes(type)) {
      const mediaId = (payload as { media_id?: unknown }).media_id;
      if (typeof mediaId !== 'string' || mediaId === '') return wecomError(WecomErrcode.invalidMediaId, 'invalid media_id');
    }
    return payload as Record<string, unknown>;
  }

  private checkMenuItem(item: NonNullable<MessageContent['msgmenu']>['list'][number]): WecomReply | undefined {
    const label = (s: string) => bytes(s) >= 1 && bytes(s) <= 128;
    const bad = (why: string) => wecomError(WecomErrcode.invalidParameter, `invalid menu item: ${why}`);
    switch (item.type) {
      case 'click':
        if (!item.click) return bad('click missing');
        if (bytes(item.click.id) < 1 || bytes(item.click.id) > 64) return bad('click.id must be 1..64 bytes');
        if (!label(item.click.content)) return bad('click.content must be 1..128 bytes');
        return undefined;
      case 'view':
        if (!item.view) return bad('view missing');
        if (!/^https?:\/\//.test(item.view.url) || bytes(item.view.url) > 2048) return bad('view.url');
        if (!label(item.view.content)) return bad('view.content must be 1..128 bytes');
        return undefined;
      case 'miniprogram':
        if (!item.miniprogram || item.miniprogram.appid === '' || !label(item.miniprogram.content)) return bad('miniprogram');
        return undefined;
      default:
        if (!item.text || item.text.content === '') return bad('text missing');
        return undefined;
    }
  }

  private recordOut(c: Customer, msgid: string, msgtype: string, body: unknown): void {
    this.usedMsgids.add(msgid);
    this.record(c, { msgid, direction: 'out', origin: 0, at: this.now(), msgtype, body: structuredClone(body), customerId: c.id });
  }

  /** POST /cgi-bin/kf/send_msg. */
  sendMsg(body: SendMsgBody): WecomReply {
    const badKf = this.checkOpenKfid(body.open_kfid);
    if (badKf) return badKf;
    const c = this.customers.get(body.touser);
    if (c === undefined) return wecomError(WecomErrcode.invalidExternalUserid, 'invalid external userid');
    const msgid = this.takeMsgid(body.msgid);
    if (isReply(msgid)) return msgid;
    const payload = this.checkContent(body, SEND_MSG_TYPES);
    if (isReply(payload)) return payload;
    if (c.state === 2 || c.state === 3) return wecomError(WecomErrcode.sessionStateInvalid, 'send msg session status invalid');
    if (c.state === 4) return wecomError(WecomErrcode.sessionEnded, 'session already ended');
    if (c.lastCustomerMsgAt === undefined || this.now() - c.lastCustomerMsgAt > SESSION_WINDOW_MS) {
      return wecomError(WecomErrcode.sendTimeLimit, 'send msg time limit: no customer message within 48 hours');
    }
    if (c.sentSinceCustomerMsg >= SENDS_PER_CUSTOMER_MESSAGE) {
      return wecomError(WecomErrcode.sendCountLimit, `send msg count limit: at most ${SENDS_PER_CUSTOMER_MESSAGE} per customer message`);
    }
    c.sentSinceCustomerMsg += 1;
    this.recordOut(c, msgid, body.msgtype, payload);
    return ok({ msgid });
  }

  /** POST /cgi-bin/kf/send_msg_on_event: one message per code; does not use the 5-message allowance. */
  sendMsgOnEvent(body: SendMsgOnEventBody): WecomReply {
    const code = this.codes.get(body.code);
    if (code === undefined || code.used || code.expiresAt <= this.now()) {
      return wecomError(WecomErrcode.invalidMsgToken, 'invalid code: unknown, used or expired');
    }
    const c = this.customers.get(code.customerId);
    if (c === undefined) return wecomError(WecomErrcode.invalidExternalUserid, 'invalid external userid');
    const msgid = this.takeMsgid(body.msgid);
    if (isReply(msgid)) return msgid;
    const payload = this.checkContent(body, code.msgtypes);
    if (isReply(payload)) return payload;
    if (code.kind === 'state' && c.state !== code.state) {
      return wecomError(WecomErrcode.sessionStateInvalid, 'send msg session status invalid: state changed since the code was issued');
    }
    code.used = true;
    this.recordOut(c, msgid, body.msgtype, payload);
    return ok({ msgid });
  }

  /** POST /cgi-bin/kf/service_state/get. */
  getServiceState(body: ServiceStateGetBody): WecomReply {
    const badKf = this.checkOpenKfid(body.open_kfid);
    if (badKf) return badKf;
    const c = this.customers.get(body.external_userid);
    if (c === undefined) return wecomError(WecomErrcode.invalidExternalUserid, 'invalid external userid');
    return ok({ service_state: c.state, servicer_userid: c.servicerId ?? '' });
  }

  /** POST /cgi-bin/kf/service_state/trans with WeCom's transition rules. */
  transServiceState(body: ServiceStateTransBody): WecomReply {
    const badKf = this.checkOpenKfid(body.open_kfid);
    if (badKf) return badKf;
    const c = this.customers.get(body.external_userid);
    if (c === undefined) return wecomError(WecomErrcode.invalidExternalUserid, 'invalid external userid');
    const to = body.service_state;
    if (to !== 0 && to !== 1 && to !== 2 && to !== 3 && to !== 4) return wecomError(WecomErrcode.invalidParameter, 'invalid service_state');
    if (c.state === 4) return wecomError(WecomErrcode.sessionEnded, 'session already ended');
    if (!TRANSITIONS[c.state].includes(to)) {
      return wecomError(WecomErrcode.invalidTransition, `invalid service state transition ${c.state} -> ${to}`);
    }
    let servicerId: string | undefined;
    if (to === 3) {
      servicerId = body.servicer_userid;
      if (servicerId === undefined || servicerId === '') return wecomError(WecomErrcode.invalidParameter, 'servicer_userid required for service_state 3');
      if (!this.config.servicers.includes(servicerId)) return wecomError(WecomErrcode.notServicer, 'servicer_userid is not a receiving servicer');
    }
    const before = this.seq;
    const msgCode = this.applyState(c, to, servicerId);
    if (this.seq !== before) this.hooks.apiEvent();
    return ok(msgCode === undefined ? {} : { msg_code: msgCode });
  }

  /** POST /cgi-bin/kf/customer/batchget. */
  batchgetCustomers(body: CustomerBatchgetBody): WecomReply {
    const ids = body.external_userid_list;
    if (ids.length < 1 || ids.length > 100) return wecomError(WecomErrcode.invalidParameter, 'external_userid_list must hold 1..100 ids');
    const now = this.now();
    const customerList: Record<string, unknown>[] = [];
    const invalid: string[] = [];
    for (const id of ids) {
      const c = this.customers.get(id);
      if (c === undefined) {
        invalid.push(id);
        continue;
      }
      const ctx = c.enterContext;
      customerList.push({
        external_userid: c.id,
        nickname: c.nickname,
        avatar: c.avatar,
        gender: 0,
        ...(this.unionIds.has(c.id) ? { unionid: this.unionIds.get(c.id) } : {}),
        ...(body.need_enter_session_context === 1 && ctx !== undefined && now - ctx.at <= SESSION_WINDOW_MS
          ? { enter_session_context: { scene: ctx.scene ?? '', scene_param: ctx.sceneParam ?? '' } }
          : {}),
      });
    }
    return ok({ customer_list: customerList, invalid_external_userid: invalid });
  }

  // ---------------------------------------------------------------- staff notifications

  /** POST /cgi-bin/webhook/send?key=: 20 messages per minute per robot key. */
  robotSend(key: string | undefined, body: RobotBody): WecomReply {
    if (key === undefined || key === '') return wecomError(WecomErrcode.invalidWebhookKey, 'invalid webhook url');
    if (!ROBOT_TYPES.includes(body.msgtype)) return wecomError(WecomErrcode.invalidMsgtype, `invalid message type ${body.msgtype}`);
    if (typeof body[body.msgtype] !== 'object' || body[body.msgtype] === null) {
      return wecomError(WecomErrcode.invalidParameter, `missing ${body.msgtype}`);
    }
    if (body.text && bytes(body.text.content) > 2048) return wecomError(WecomErrcode.invalidParameter, 'content exceed max length 2048 bytes');
    if (body.markdown && bytes(body.markdown.content) > 4096) return wecomError(WecomErrcode.invalidParameter, 'content exceed max length 4096 bytes');
    const now = this.now();
    const recent = (this.robotSends.get(key) ?? []).filter((t) => t > now - 60 * SECOND);
    if (recent.length >= ROBOT_PER_MINUTE) {
      this.robotSends.set(key, recent);
      return wecomError(WecomErrcode.freqLimit, 'api freq out of limit');
    }
    recent.push(now);
    this.robotSends.set(key, recent);
    this.robotBodies.push(structuredClone(body));
    return ok();
  }

  /** POST /cgi-bin/message/send: recipients outside the known servicers come back in invaliduser. */
  appSend(body: AppMessageBody): WecomReply {
    const users = (body.touser ?? '').split('|').filter((u) => u !== '');
    const hasOthers = (body.toparty ?? '') !== '' || (body.totag ?? '') !== '';
    if (users.length === 0 && !hasOthers) return wecomError(WecomErrcode.invalidParameter, 'touser, toparty and totag all empty');
    const invalid = users.filter((u) => u !== '@all' && !this.config.servicers.includes(u));
    if (invalid.length === users.length && !hasOthers) return wecomError(WecomErrcode.allRecipientsInvalid, 'user & party & tag all invalid');
    const payload = (body as Record<string, unknown>)[body.msgtype];
    if (typeof payload !== 'object' || payload === null) return wecomError(WecomErrcode.invalidParameter, `missing ${body.msgtype}`);
    if (body.text && body.text.content === '') return wecomError(WecomErrcode.emptyContent, 'empty content');
    this.appBodies.push(structuredClone(body));
    return ok({ invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: this.nextId(''), response_code: '' });
  }
}
