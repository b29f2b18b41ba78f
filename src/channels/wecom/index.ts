import { connector } from '../../core/connector.ts';
import type { ChannelStateStore } from '../../core/channelState.ts';
import type { Logger } from '../../core/logger.ts';
import type { InboundMessage } from '../../core/messages.ts';
import type { ChannelPort, LockService } from '../../core/ports.ts';
import { createJobQueue, type QueueConnection } from '../../jobs/jobQueue.ts';
import { startPeriodicTask, type PeriodicTask } from '../../jobs/periodicTask.ts';
import { createCallbackVerifier } from './callbackVerifier.ts';
import type { CallbackPayload } from './callbackXml.ts';
import { createKfClient, type KfClient } from './kfClient.ts';
import { APP_CHANNEL } from './kfMessages.ts';
import { createKfPuller, type KfPullJob } from './kfPuller.ts';
import { createPullScheduler } from './pullScheduler.ts';
import { createWecomPort } from './wecomPort.ts';
import type { Route } from '../../http/route.ts';
import { createWecomRoutes } from './wecomRoutes.ts';

export { createCallbackVerifier, type CallbackVerifier } from './callbackVerifier.ts';
export { createKfClient, type KfClient, type KfCustomer, type KfMessageContent, type KfMenuEntry } from './kfClient.ts';
export { APP_CHANNEL, KF_CHANNEL, KF_LIMITS, convertKfItem, renderKfMessage } from './kfMessages.ts';
export { KF_STOP_CODES } from './wecomPort.ts';
export { WecomApiError, WecomCallbackError, WecomUnavailableError } from './wecomErrors.ts';
export { splitUtf8, utf8Length } from './splitUtf8.ts';
export type { PullSummary } from './kfPuller.ts';

/** Credentials and endpoints, as `loadConfig()` provides them (`config.wecom` + api base + skew). */
export interface WecomChannelConfig {
  corpId: string;
  token: string;
  encodingAesKey: string;
  kfSecret: string;
  apiBase: string;
  /** `WECOM_MAX_SKEW_S`: callbacks further from our clock, or replayed within it, are refused; 0 turns both checks off. */
  maxSkewSeconds: number;
}

export interface WecomChannelDeps {
  config: WecomChannelConfig;
  /** `createRedisWecomState(redis, keys)` from store/. */
  state: ChannelStateStore;
  /** `createRedisLock(redis, keys)` from store/. */
  locks: LockService;
  /** BullMQ connection: our Redis URL and `keys.bullPrefix`. */
  queue: QueueConnection & { concurrency?: number };
  logger: Logger;
  /**
   * Resolves once the conversation layer durably accepted the message; throwing = retry later.
   * Given here, or later through `connect()` when the conversation is built with this channel.
   */
  onInbound?: InboundHandler;
  /** Tuning, mainly for tests. */
  options?: {
    /** Sends per customer message (default 5) and window (default 48 h). */
    sendLimit?: number;
    windowSeconds?: number;
    /** First pull: messages older than callback time minus this are history (default 300 s). */
    historyGraceSeconds?: number;
    /** Per-request timeout for WeCom calls (default 5000 ms) and retries (default 2). */
    apiTimeoutMs?: number;
    apiRetries?: number;
    apiRetryDelayMs?: number;
    /** Job retry backoff base (default 500 ms). */
    jobBackoffMs?: number;
    /** Items per sync_msg page (default and WeCom maximum 1000). */
    syncPageSize?: number;
    /** How often every process looks for notifications no pull has covered (default 2000 ms). */
    pullCheckMs?: number;
  };
}

/** The WeCom channel: callback routes, the kf `ChannelPort`, the API client, and its worker. */
export interface WecomChannel {
  /** GET/POST /wecom/callback. */
  routes: Route[];
  port: ChannelPort;
  client: KfClient;
  /** Second wiring phase: where pulled messages go, when not given at construction. */
  connect(onInbound: InboundHandler): void;
  /** Starts the queue worker in this process. */
  start(): Promise<void>;
  /** Lets running jobs finish, then closes the worker and the queue. */
  stop(): Promise<void>;
  /** Resolves once no callback job is waiting or running (tests, graceful shutdown). */
  whenIdle(options?: { timeoutMs?: number }): Promise<void>;
}

export type InboundHandler = (message: InboundMessage) => Promise<void>;

/** Queued work: a kf pull, or an app message to hand on. */
type WecomJob =
  | ({ type: 'kf_sync' } & KfPullJob)
  | { type: 'app_message'; msgId: string; fromUser: string; agentId: string; msgType: string; content?: string; createTime: number };

const QUEUE_NAME = 'wecom-callbacks';

/**
 * Builds the WeCom channel. The routes only verify and count kf notifications (then this process
 * pulls, coalescing bursts) or queue app messages; pulled kf messages are handed to `onInbound`
 * one by one, in order per account.
 *
 * @example
 * const state = createRedisWecomState(redis, keys);
 * const wecom = createWecomChannel({
 *   config: { ...config.wecom, apiBase: config.wecomApiBase, maxSkewSeconds: config.wecomMaxSkewSeconds },
 *   state, locks: createRedisLock(redis, keys), queue: { redisUrl, prefix: keys.bullPrefix },
 *   logger, onInbound: (m) => conversations.accept(m),
 * });
 * await wecom.start();
 */
export function createWecomChannel(deps: WecomChannelDeps): WecomChannel {
  const { config, state, logger } = deps;
  const options = deps.options ?? {};
  const limits = { perWindow: options.sendLimit ?? 5, windowSeconds: options.windowSeconds ?? 48 * 3600 };
  const log = logger.child({ module: 'wecom' });
  const inbound = connector<InboundHandler>('WeCom channel → conversation');
  if (deps.onInbound) inbound.connect(deps.onInbound);
  const onInbound: InboundHandler = (message) => inbound.get()(message);

  const client = createKfClient({
    corpId: config.corpId,
    secret: config.kfSecret,
    apiBase: config.apiBase,
    tokens: state.tokens,
    logger,
    timeoutMs: options.apiTimeoutMs,
    retries: options.apiRetries,
    retryDelayMs: options.apiRetryDelayMs,
  });
  const verifier = createCallbackVerifier({
    corpId: config.corpId,
    token: config.token,
    encodingAesKey: config.encodingAesKey,
    maxSkewSeconds: config.maxSkewSeconds,
  });
  const queue = createJobQueue<WecomJob>({
    name: QUEUE_NAME,
    redisUrl: deps.queue.redisUrl,
    openClient: deps.queue.openClient,
    prefix: deps.queue.prefix,
    logger,
    concurrency: deps.queue.concurrency,
    backoffMs: options.jobBackoffMs,
  });
  const puller = createKfPuller({
    client,
    state,
    locks: deps.locks,
    logger,
    onInbound,
    budget: { limit: limits.perWindow, windowSeconds: limits.windowSeconds },
    historyGraceSeconds: options.historyGraceSeconds,
    pageSize: options.syncPageSize,
  });

  const pulls = createPullScheduler({ puller, cursors: state.cursors, logger });
  let checks: PeriodicTask | undefined;

  async function accept(payload: CallbackPayload): Promise<void> {
    if (payload.type === 'kf_notification') {
      // Counting the notification in Redis is what makes it durable: any process pulls for it.
      const account = payload.openKfId ?? '*';
      await state.cursors.noteNotification(account);
      pulls.notify(account, payload.token, Date.now());
      return;
    }
    if (payload.type === 'app_message') {
      const jobId = `app-${safeId(payload.agentId)}-${safeId(payload.msgId)}`;
      await queue.add({ ...payload }, { jobId });
      return;
    }
    log.debug({ msgType: payload.msgType, event: payload.event }, 'callback ignored');
  }

  async function handOnAppMessage(job: Extract<WecomJob, { type: 'app_message' }>): Promise<void> {
    const ledgerId = `app:${job.agentId}:${job.msgId}`;
    await deps.locks.withLock(`wecom-app-msg:${job.agentId}:${job.msgId}`, async () => {
      if ((await state.ledger.handled([ledgerId])).size > 0) return;
      const base = {
        id: job.msgId,
        conversation: { channel: APP_CHANNEL, accountId: job.agentId, customerId: job.fromUser },
        sentAt: new Date(job.createTime * 1000),
      };
      const message: InboundMessage =
        job.msgType === 'text' ? { ...base, kind: 'text', text: job.content ?? '' } : { ...base, kind: 'unsupported', msgType: job.msgType };
      await onInbound(message);
      await state.ledger.markHandled(ledgerId, 4 * 24 * 3600);
    });
  }

  return {
    routes: createWecomRoutes({ verifier, accept, logger, replays: { nonces: state.nonces, windowSeconds: config.maxSkewSeconds } }),
    port: createWecomPort({ client, budget: state.budget, ledger: state.ledger, logger, limits }),
    client,
    connect: inbound.connect,
    async start() {
      await queue.start(async (job) => {
        if (job.type === 'kf_sync') await puller.pull(job);
        else await handOnAppMessage(job);
      });
      // Notifications no finished pull covers (another process died mid-pull, a pull failed).
      checks = startPeriodicTask({ name: 'kf-pull-check', everyMs: options.pullCheckMs ?? 2_000, run: () => pulls.check(), logger });
      await pulls.check();
      log.info('wecom worker started');
    },
    async stop() {
      await checks?.stop();
      await pulls.stop();
      await queue.stop();
    },
    async whenIdle(idleOptions) {
      await pulls.whenIdle(idleOptions);
      await queue.whenIdle(idleOptions);
    },
  };
}

function safeId(value: string): string {
  return value.replace(/[^0-9a-zA-Z_-]/g, '_').slice(0, 80);
}
