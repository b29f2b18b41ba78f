import { connector } from '../core/connector.ts';
import type { FollowUpHooks } from '../conversation/conversationService.ts';
import type { AuditLog } from '../core/admin.ts';
import type { Logger } from '../core/logger.ts';
import type { LockService } from '../core/ports.ts';
import type { SessionFollowUp, SessionRepository } from '../core/sessions.ts';
import type { Flow } from '../engine/index.ts';
import type { Route } from '../http/route.ts';
import { createJobQueue, type JobQueue, type QueueConnection } from '../jobs/jobQueue.ts';
import { startPeriodicTask, type PeriodicTask } from '../jobs/periodicTask.ts';
import { createFollowUpHooks } from './followUpHooks.ts';
import type { CustomerTagStore, DeliveryStore, FollowUpLog, TaskStore, WebhookEndpointStore } from './ports.ts';
import { createTagSync, type TagJob, type TagSyncDeps } from './tags/tagSync.ts';
import { taskRoutes } from './taskRoutes.ts';
import { createTaskService, type TaskService } from './tasks/taskService.ts';
import { webhookRoutes } from './webhookRoutes.ts';
import { createOutboundGuard } from './webhooks/outboundGuard.ts';
import { createWebhookService, type DeliveryJob, type WebhookService } from './webhooks/webhookService.ts';
import type { WebhookPii } from './webhooks/payloads.ts';

export type { FollowUpLog, CustomerTagStore } from './ports.ts';

export interface FollowUpSettings {
  /** Webhook retries: first delay, longest delay, and how long after a round's first attempt to give up. */
  webhookRetry: { baseMs: number; maxMs: number; windowMs: number };
  webhookTimeoutMs: number;
  /** WEBHOOK_PII: personal numbers in payloads masked (default) or sent in full. */
  webhookPii?: WebhookPii;
  /** WEBHOOK_ALLOW_HOSTS: internal names, addresses or ranges receivers may be at (default none). */
  webhookAllowHosts?: readonly string[];
  /** Absolute base URL of this service (links in payloads) and of the console. */
  publicUrl: string;
  /** SURVEY_TIMEZONE: tasks due before a purchase window count its calendar days there. */
  timeZone: string;
}

export interface FollowUpModuleDeps {
  stores: {
    tasks: TaskStore;
    log: FollowUpLog;
    tags: CustomerTagStore;
    endpoints: WebhookEndpointStore;
    deliveries: DeliveryStore;
    taskEffects: { add(id: string): Promise<void>; remove(id: string): Promise<void>; list(): Promise<string[]> };
  };
  sessions: SessionRepository;
  locks: LockService;
  audit: AuditLog;
  flowOf: (flowId: string, version: number) => Promise<Flow>;
  /** 客户联系 tagging; absent when no 客户联系 secret is configured. */
  wecomTags?: Omit<TagSyncDeps, 'tags' | 'log' | 'logger'>;
  queue: QueueConnection;
  /** Privacy: masking for advisors a task is not theirs, and the transcript-read audit. */
  mask: Parameters<typeof taskRoutes>[0]['mask'];
  reads: Parameters<typeof taskRoutes>[0]['reads'];
  settings: FollowUpSettings;
  logger: Logger;
}

/** Writes a session's follow-up summary (the conversation service's recordFollowUp). */
export type RecordOnSession = (sessionId: string, change: (current: SessionFollowUp | undefined) => SessionFollowUp) => Promise<unknown>;

export interface FollowUpModule {
  hooks: FollowUpHooks;
  /** Second wiring phase: the conversation service, built with this module's hooks. */
  connect(conversation: { recordFollowUp: RecordOnSession }): void;
  tasks: TaskService;
  webhooks: WebhookService;
  /** Webhooks (admin), follow-up tasks (admin list; console). */
  routes: Route[];
  /** What follow-up did for a session (its log) and the customer's tags now. */
  sessionFollowUp(session: { id: string; conversationKey: string }): Promise<{ log: unknown[]; customerTags: unknown }>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once no webhook or tag job is waiting or running (retries waiting their backoff count). */
  whenIdle(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * The closed loop after each session: rules → tasks for advisors, tags on the customer (and in
 * WeCom), signed webhooks to the merchant's systems. Two durable queues: `webhooks` (one job per
 * delivery, retried with capped exponential backoff until the retry window ends) and `wecom-tags`.
 *
 * @example
 * const followUp = createFollowUpModule(deps);
 * const conversation = createConversationService({ ...deps, followUp: followUp.hooks });
 * followUp.connect(conversation);
 * await followUp.start();
 */
export function createFollowUpModule(deps: FollowUpModuleDeps): FollowUpModule {
  const { settings } = deps;
  const recordOnSession = connector<RecordOnSession>('follow-up → conversation');
  const deliveryQueue: JobQueue<DeliveryJob> = createJobQueue({
    name: 'webhooks',
    ...deps.queue,
    logger: deps.logger,
    concurrency: 8,
    // The retry window ends the retries (webhookService dead-letters), not an attempt count.
    attempts: 100_000,
    backoffMs: settings.webhookRetry.baseMs,
    maxBackoffMs: settings.webhookRetry.maxMs,
    keepCompletedSeconds: 7 * 24 * 3600,
  });
  const tagQueue: JobQueue<TagJob> | undefined = deps.wecomTags
    ? createJobQueue({ name: 'wecom-tags', ...deps.queue, logger: deps.logger, concurrency: 2, attempts: 8, backoffMs: 2_000, keepCompletedSeconds: 24 * 3600 })
    : undefined;

  const guard = createOutboundGuard({ allowHosts: settings.webhookAllowHosts ?? [] });
  const webhooks = createWebhookService({
    guard,
    endpoints: deps.stores.endpoints,
    deliveries: deps.stores.deliveries,
    log: deps.stores.log,
    queue: deliveryQueue,
    settings: { retryWindowMs: settings.webhookRetry.windowMs, timeoutMs: settings.webhookTimeoutMs, pii: settings.webhookPii ?? 'masked' },
    logger: deps.logger,
  });
  const tasks = createTaskService({
    tasks: deps.stores.tasks,
    log: deps.stores.log,
    sessions: deps.sessions,
    locks: deps.locks,
    audit: deps.audit,
    webhooks,
    recordOnSession: (id, change) => recordOnSession.get()(id, change),
    effects: deps.stores.taskEffects,
    consoleUrl: `${settings.publicUrl}/console`,
    logger: deps.logger,
  });
  const tagSync = deps.wecomTags ? createTagSync({ ...deps.wecomTags, tags: deps.stores.tags, log: deps.stores.log, logger: deps.logger }) : undefined;
  const hooks = createFollowUpHooks({
    flowOf: deps.flowOf,
    tasks,
    tags: deps.stores.tags,
    ...(tagQueue ? { tagJobs: tagQueue } : {}),
    webhooks,
    log: deps.stores.log,
    publicUrl: settings.publicUrl,
    timeZone: settings.timeZone,
    logger: deps.logger,
  });
  const routes = [...webhookRoutes({ webhooks, audit: deps.audit }), ...taskRoutes({ tasks, mask: deps.mask, reads: deps.reads })];
  let sweeper: PeriodicTask | undefined;

  return {
    hooks,
    connect: (conversation) => recordOnSession.connect(conversation.recordFollowUp),
    tasks,
    webhooks,
    routes,
    async sessionFollowUp(session) {
      const [log, tags] = await Promise.all([deps.stores.log.read(session.id), deps.stores.tags.get(session.conversationKey)]);
      return {
        log: log.map((e) => ({ ...e, at: e.at.toISOString() })),
        customerTags: tags ? { tags: tags.tags, sessionId: tags.sessionId, updatedAt: tags.updatedAt.toISOString(), wecom: tags.wecom ? { ...tags.wecom, at: tags.wecom.at.toISOString() } : null } : null,
      };
    },
    async start() {
      await deliveryQueue.start((job) => webhooks.attempt(job));
      if (tagQueue && tagSync) await tagQueue.start((job) => tagSync.sync(job));
      sweeper = startPeriodicTask({ name: 'task-close-effects', everyMs: 30_000, run: () => tasks.sweep(), logger: deps.logger });
    },
    async stop() {
      await sweeper?.stop();
      await tagQueue?.stop();
      await deliveryQueue.stop();
      await guard.close();
    },
    async whenIdle(options) {
      await deliveryQueue.whenIdle(options);
      await tagQueue?.whenIdle(options);
    },
  };
}
