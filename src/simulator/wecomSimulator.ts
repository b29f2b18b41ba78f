import { request as httpRequest, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes, randomInt } from 'node:crypto';
import {
  buildKfEventXml,
  callbackUrlWithQuery,
  encryptCallback,
  sealCallback,
  signCallback,
  type SealedCallback,
} from './callbackCrypto.ts';
import { createSimulatorHandler, normalizePathPrefix, startSimulatorServer, type ChatDriver, type SimulatorHandler } from './simulatorServer.ts';
import { SimulatorState, type SimulatedMedia } from './simulatorState.ts';
import type {
  CallbackAttempt,
  ServiceStateValue,
  SimulatorMessage,
  SimulatorOptions,
  WecomSimulator,
} from './simulatorTypes.ts';

export type { CallbackAttempt, ServiceStateValue, SimulatorMessage, SimulatorOptions, WecomReply, WecomSimulator } from './simulatorTypes.ts';
export {
  buildKfEventXml,
  callbackUrlWithQuery,
  decryptCallback,
  encryptCallback,
  generateEncodingAesKey,
  sealCallback,
  signCallback,
} from './callbackCrypto.ts';
export { WecomErrcode } from './simulatorState.ts';

/** Defaults: fixed so `npm start` and .env examples line up; the AES key is WeCom's published sample key. */
export const SIMULATOR_DEFAULTS = {
  corpId: 'wwsimcorp0001',
  token: 'huifangSimToken',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  kfSecret: 'simKfSecret0001',
  appSecret: 'simAppSecret0001',
  contactSecret: 'simContactSecret01',
  openKfId: 'wkSIMULATED001',
  servicers: ['advisor1', 'advisor2'],
} as const;

/** WeCom retries a failed callback this many more times. */
const CALLBACK_RETRIES = 3;

type Listener = (e: { customerId: string; message: SimulatorMessage }) => void;

class Simulator implements WecomSimulator {
  readonly corpId: string;
  readonly token: string;
  readonly encodingAesKey: string;
  readonly kfSecret: string;
  readonly appSecret: string;
  readonly contactSecret: string;
  readonly openKfId: string;
  apiBase = '';
  readonly handle: SimulatorHandler;

  private callbackUrl: string | undefined;
  private readonly state: SimulatorState;
  private readonly pathPrefix: string;
  private readonly retryCallbacks: boolean;
  private readonly retryDelayMs: number;
  private readonly callbackTimeoutMs: number;
  private readonly listeners = new Set<Listener>();
  private readonly attempts: CallbackAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<ClientRequest>();
  private lastCallback: { url: string; sealed: SealedCallback } | undefined;
  private server: Server | undefined;
  private closed = false;

  constructor(options: SimulatorOptions) {
    this.corpId = options.corpId ?? SIMULATOR_DEFAULTS.corpId;
    this.token = options.token ?? SIMULATOR_DEFAULTS.token;
    this.encodingAesKey = options.encodingAesKey ?? SIMULATOR_DEFAULTS.encodingAesKey;
    if (!/^[a-zA-Z0-9]{43}$/.test(this.encodingAesKey) || Buffer.from(`${this.encodingAesKey}=`, 'base64').length !== 32) {
      throw new Error('encodingAesKey must be 43 characters of [a-zA-Z0-9] decoding to 32 bytes');
    }
    this.kfSecret = options.kfSecret ?? SIMULATOR_DEFAULTS.kfSecret;
    this.appSecret = options.appSecret ?? SIMULATOR_DEFAULTS.appSecret;
    this.contactSecret = options.contactSecret ?? SIMULATOR_DEFAULTS.contactSecret;
    this.openKfId = options.openKfId ?? SIMULATOR_DEFAULTS.openKfId;
    this.callbackUrl = options.callbackUrl;
    this.pathPrefix = normalizePathPrefix(options.pathPrefix);
    this.retryCallbacks = options.retryCallbacks ?? false;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.callbackTimeoutMs = options.callbackTimeoutMs ?? 5000;
    this.state = new SimulatorState(
      {
        corpId: this.corpId,
        secrets: [this.kfSecret, this.appSecret, this.contactSecret],
        openKfId: this.openKfId,
        tokenTtlMs: (options.tokenTtlSeconds ?? 7200) * 1000,
        servicers: [...(options.servicers ?? SIMULATOR_DEFAULTS.servicers)],
        now: options.now ?? Date.now,
        emptyPageEvery: options.emptyPageEvery ?? 0,
      },
      {
        message: (customerId, message) => this.emit(customerId, message),
        apiEvent: () => this.deliverInBackground(this.retryCallbacks),
      },
    );
    this.handle = createSimulatorHandler({ state: this.state, driver: this.chatDriver(), pathPrefix: this.pathPrefix, ...(options.uiDir ? { uiDir: options.uiDir } : {}) });
  }

  setCallbackUrl(url: string): void {
    this.callbackUrl = url;
  }

  // ------------------------------------------------------------ customer side

  async customerSays(customerId: string, text: string, opts: { menuId?: string; nickname?: string } = {}) {
    return this.says(customerId, text, opts, this.retryCallbacks);
  }

  private async says(customerId: string, text: string, opts: { menuId?: string; nickname?: string }, retry: boolean) {
    assertCustomerId(customerId);
    if (text === '') throw new Error('customerSays: WeChat does not send empty messages');
    const msgid = this.state.addCustomerText(customerId, text, opts.menuId, opts.nickname);
    return { msgid, callbackStatus: await this.deliverCallback(retry) };
  }

  async customerSendsImage(customerId: string, file?: SimulatedMedia) {
    return this.image(customerId, undefined, this.retryCallbacks, file);
  }

  async customerSendsVoice(customerId: string, file?: SimulatedMedia) {
    return this.voice(customerId, undefined, this.retryCallbacks, file);
  }

  private async image(customerId: string, nickname: string | undefined, retry: boolean, file?: SimulatedMedia) {
    assertCustomerId(customerId);
    const msgid = this.state.addCustomerImage(customerId, nickname, file);
    return { msgid, callbackStatus: await this.deliverCallback(retry) };
  }

  private async voice(customerId: string, nickname: string | undefined, retry: boolean, file?: SimulatedMedia) {
    assertCustomerId(customerId);
    const msgid = this.state.addCustomerVoice(customerId, nickname, file);
    return { msgid, callbackStatus: await this.deliverCallback(retry) };
  }

  async customerEnters(customerId: string, opts: { scene?: string; sceneParam?: string; nickname?: string } = {}) {
    return this.enter(customerId, opts, this.retryCallbacks);
  }

  async customerOpensLink(customerId: string, url: string, opts: { nickname?: string } = {}) {
    return this.enter(customerId, { ...opts, link: url }, this.retryCallbacks);
  }

  msgTemplates(): Array<Record<string, unknown>> {
    return structuredClone(this.state.contactWays.msgTemplates);
  }

  private async enter(customerId: string, opts: { scene?: string; sceneParam?: string; nickname?: string; link?: string }, retry: boolean) {
    assertCustomerId(customerId);
    const { link, ...rest } = opts;
    const welcomeCode = this.state.addEnterSession(customerId, link ? { ...rest, ...this.state.contactWays.resolve(link) } : rest);
    return { welcomeCode, callbackStatus: await this.deliverCallback(retry) };
  }

  async servicerSays(customerId: string, servicerId: string, text: string) {
    return this.servicerText(customerId, servicerId, text, this.retryCallbacks);
  }

  private async servicerText(customerId: string, servicerId: string, text: string, retry: boolean) {
    const msgid = this.state.addServicerText(customerId, servicerId, text);
    return { msgid, callbackStatus: await this.deliverCallback(retry) };
  }

  async customerDeliveryFails(customerId: string, failMsgid: string, failType: number) {
    assertCustomerId(customerId);
    const msgid = this.state.addSendFail(customerId, failMsgid, failType);
    return { msgid, callbackStatus: await this.deliverCallback(this.retryCallbacks) };
  }

  // ------------------------------------------------------------ inspection

  messagesTo(customerId: string): SimulatorMessage[] {
    return this.state.transcript(customerId).filter((m) => m.direction === 'out');
  }

  transcript(customerId: string): SimulatorMessage[] {
    return this.state.transcript(customerId);
  }

  serviceState(customerId: string): { state: ServiceStateValue; servicerId?: string } {
    return this.state.serviceState(customerId);
  }

  setServiceState(customerId: string, state: ServiceStateValue, servicerId?: string): void {
    if (state === 3 && servicerId === undefined) throw new Error('setServiceState: state 3 needs a servicerId');
    if (this.state.forceState(customerId, state, servicerId)) this.deliverInBackground(this.retryCallbacks);
  }

  invalidateTokens(): void {
    this.state.invalidateTokens();
  }

  addExternalContact(input: { externalUserId: string; userId: string; unionId?: string; name?: string }): void {
    this.state.contacts.addContact(input);
  }

  setUnionId(customerId: string, unionId: string): void {
    this.state.setUnionId(customerId, unionId);
  }

  contactTags(externalUserId: string): string[] {
    return this.state.contacts.tagsOf(externalUserId);
  }

  robotMessages(): unknown[] {
    return structuredClone(this.state.robotBodies);
  }

  appMessages(): unknown[] {
    return structuredClone(this.state.appBodies);
  }

  stats() {
    return { ...this.state.counters };
  }

  callbackAttempts(): CallbackAttempt[] {
    return this.attempts.map((a) => ({ ...a }));
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(customerId: string, message: SimulatorMessage): void {
    for (const listener of this.listeners) {
      try {
        listener({ customerId, message });
      } catch (err) {
        // A broken listener (e.g. a closed page stream) must not break the simulated WeCom.
        console.error('[simulator] onEvent listener threw', err);
      }
    }
  }

  // ------------------------------------------------------------ callbacks

  /** Encrypts a fresh kf_msg_or_event (new sync Token) and POSTs it; returns the first attempt's status. */
  private async deliverCallback(retry: boolean): Promise<number> {
    const url = this.callbackUrl;
    if (url === undefined || url === '' || this.closed) return 0;
    const createTime = Math.floor(this.state.now() / 1000);
    const sealed = sealCallback({
      token: this.token,
      encodingAesKey: this.encodingAesKey,
      corpId: this.corpId,
      plaintext: buildKfEventXml({ corpId: this.corpId, createTime, syncToken: this.state.issueSyncToken(), openKfId: this.openKfId }),
      timestamp: createTime,
    });
    this.lastCallback = { url, sealed };
    const status = await this.postCallback(url, sealed, false);
    if (status !== 200 && retry) this.scheduleRetry(url, sealed, CALLBACK_RETRIES);
    return status;
  }

  private deliverInBackground(retry: boolean): void {
    this.deliverCallback(retry).catch((err: unknown) => console.error('[simulator] background callback failed', err));
  }

  private scheduleRetry(url: string, sealed: SealedCallback, left: number): void {
    if (left <= 0 || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.postCallback(url, sealed, true).then((status) => {
        if (status !== 200) this.scheduleRetry(url, sealed, left - 1);
      });
    }, this.retryDelayMs);
    this.timers.add(timer);
  }

  private async postCallback(url: string, sealed: SealedCallback, redelivery: boolean): Promise<number> {
    const { status } = await this.send(callbackUrlWithQuery(url, sealed), 'POST', sealed.body, 'text/xml');
    this.attempts.push({ at: this.state.now(), status, redelivery });
    return status;
  }

  async redeliverLastCallback(times = 1): Promise<number[]> {
    const last = this.lastCallback;
    if (last === undefined) throw new Error('redeliverLastCallback: no callback was delivered yet');
    const statuses: number[] = [];
    for (let i = 0; i < times; i++) statuses.push(await this.postCallback(last.url, last.sealed, true));
    return statuses;
  }

  async verifyCallbackUrl(): Promise<{ status: number; ok: boolean; body: string }> {
    const url = this.callbackUrl;
    if (url === undefined || url === '') throw new Error('verifyCallbackUrl: no callback URL set');
    // WeCom's echostr plaintext is a random number string.
    const plain = randomBytes(8).readBigUInt64BE().toString();
    const echostr = encryptCallback(this.encodingAesKey, plain, this.corpId);
    const timestamp = String(Math.floor(this.state.now() / 1000));
    const nonce = String(randomInt(1e8, 1e9));
    const target = new URL(url);
    target.searchParams.set('msg_signature', signCallback(this.token, timestamp, nonce, echostr));
    target.searchParams.set('timestamp', timestamp);
    target.searchParams.set('nonce', nonce);
    target.searchParams.set('echostr', echostr);
    const { status, body } = await this.send(target.toString(), 'GET', undefined, undefined);
    return { status, ok: status === 200 && body === plain, body };
  }

  /** One HTTP exchange with WeCom's 5-second patience; status 0 on network failure or timeout. */
  private send(url: string, method: 'GET' | 'POST', body: string | undefined, contentType: string | undefined): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
      const target = new URL(url);
      const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (status: number, text: string) => {
        if (settled) return;
        settled = true;
        this.requests.delete(req);
        resolve({ status, body: text });
      };
      const headers: Record<string, string | number> = { 'user-agent': 'Mozilla/4.0 (WeCom simulator)' };
      if (body !== undefined) {
        headers['content-type'] = contentType ?? 'text/plain';
        headers['content-length'] = Buffer.byteLength(body);
      }
      // agent:false so no keep-alive socket outlives the test or the receiver's close().
      const req = request(target, { method, headers, agent: false, timeout: this.callbackTimeoutMs }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => finish(0, ''));
      });
      req.on('timeout', () => {
        req.destroy();
        finish(0, '');
      });
      req.on('error', () => finish(0, ''));
      this.requests.add(req);
      req.end(body);
    });
  }

  // ------------------------------------------------------------ chat page + server

  private chatDriver(): ChatDriver {
    // People at the chat page get WeCom's real retry behaviour regardless of retryCallbacks.
    return {
      say: (customer, text, opts) => this.says(customer, text, opts, true),
      image: (customer, nickname, file) => this.image(customer, nickname, true, file),
      voice: (customer, nickname, file) => this.voice(customer, nickname, true, file),
      enter: (customer, opts) => this.enter(customer, opts, true),
      servicerSays: (customer, servicerId, text) => this.servicerText(customer, servicerId, text, true),
      setState: (customer, state, servicerId) => this.setServiceState(customer, state, servicerId),
      transcript: (customer) => this.transcript(customer),
      serviceState: (customer) => this.serviceState(customer),
      info: () => ({
        corpId: this.corpId,
        openKfId: this.openKfId,
        apiBase: this.apiBase,
        callbackUrl: this.callbackUrl ?? null,
        servicers: [...this.state.config.servicers],
      }),
    };
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('simulator is already listening');
    const { server, origin } = await startSimulatorServer(this.handle, port, host);
    this.server = server;
    this.apiBase = `${origin}${this.pathPrefix}`;
    return this.apiBase;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const req of this.requests) req.destroy();
    this.requests.clear();
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }
}

function assertCustomerId(customerId: string): void {
  if (!/^[0-9a-zA-Z_-]{1,64}$/.test(customerId)) throw new Error(`invalid customer id ${JSON.stringify(customerId)}`);
}

/** Creates a fake WeCom corp with one kf account; call listen() or mount handle() to serve it. */
export function createWecomSimulator(options: SimulatorOptions = {}): WecomSimulator {
  return new Simulator(options);
}
