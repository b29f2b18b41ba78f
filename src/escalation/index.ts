import { randomBytes } from 'node:crypto';
import { connector } from '../core/connector.ts';
import { isRetryableError } from '../core/errors.ts';
import type { EscalationHooks } from '../conversation/conversationService.ts';
import type { AdvisorRepository, ConversationSummarizer, EscalationRepository, EscalationRuntimeStore } from '../core/escalations.ts';
import type { Logger } from '../core/logger.ts';
import type { ChannelPort, LockService } from '../core/ports.ts';
import type { SessionRecord, SessionRepository } from '../core/sessions.ts';
import { createJobQueue, type QueueConnection } from '../jobs/jobQueue.ts';
import { recordRobotSends } from './advisorNotifications.ts';
import { createAdvisorNotifier, type AdvisorNotifier, type AppTarget, type RobotTarget } from './advisorNotifier.ts';
import type { Route } from '../http/route.ts';
import { consoleRoutes } from './consoleRoutes.ts';
import { serializeEscalationWrites } from './serializedEscalations.ts';
import {
  createEscalationService,
  type ConversationControl,
  type EscalationJob,
  type EscalationService,
  type EscalationServiceDeps,
  type EscalationSettings,
  type EscalationTimer,
} from './escalationService.ts';

export { createAdvisorNotifier, ROBOT_LIMIT, type AdvisorNotifier, type AppTarget, type RobotItem, type RobotTarget } from './advisorNotifier.ts';
export { DEFAULT_NOTICE, type ConsoleActor, type EscalationService, type EscalationSettings } from './escalationService.ts';
export { generateAdvisorToken, hashAdvisorToken } from './advisorTokens.ts';
export { advisorSignIn } from './consoleRoutes.ts';

export interface EscalationModuleDeps {
  escalations: EscalationRepository;
  advisors: AdvisorRepository;
  sessions: SessionRepository;
  runtime: EscalationRuntimeStore;
  locks: LockService;
  channel: ChannelPort;
  /** Group robot webhook, if any. */
  robot?: RobotTarget;
  /** Self-built app for messages to the chosen advisor, if configured. */
  app?: AppTarget;
  summarizer?: ConversationSummarizer;
  /** The session's flow sets `privacy.llmFullText`: the summarizer may read personal numbers. */
  llmFullText?: (session: SessionRecord) => Promise<boolean>;
  /** BullMQ connection (our Redis URL and `keys.bullPrefix`). */
  queue: QueueConnection;
  settings: Omit<EscalationSettings, 'renotifyRounds'> & { renotifyRounds?: number };
  logger: Logger;
  /** Pause before a robot flush so bursts merge (default 1000 ms). */
  robotGatherMs?: number;
  /** Analytics (escalation counts, first reply, resolution). */
  responses?: EscalationServiceDeps['responses'];
  /** Privacy: masking for console users an escalation is not theirs, and the transcript-read audit. */
  mask: EscalationServiceDeps['mask'];
  reads: EscalationServiceDeps['reads'];
}

/** The escalation module, wired: hooks for the conversation layer, routes, and its queue workers. */
export interface EscalationModule {
  hooks: EscalationHooks;
  service: EscalationService;
  /** Second wiring phase: the conversation service, built with this module's hooks. */
  connect(conversation: ConversationControl): void;
  notifier: AdvisorNotifier;
  /** The console page and API, and advisor management. */
  routes: Route[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once no hand-over or notification job is waiting or running (delayed timers excluded). */
  whenIdle(options?: { timeoutMs?: number }): Promise<void>;
}

/** Retry policy of escalation work: through any outage, never on a failure that will not pass. */
const UNTIL_BACK = { attempts: 100_000, backoffMs: 1_000, maxBackoffMs: 30_000, retryOnlyIf: isRetryableError } as const;

/**
 * Builds the escalation module: the service, its two durable queues (`escalations` for
 * hand-overs and notifications with bounded retries; `escalation-timers` for the detractor
 * reason deadline and the reply SLA reminders) and the console/advisor routes.
 *
 * @example
 * const escalation = createEscalationModule(deps);
 * const conversation = createConversationService({ ...deps, escalations: escalation.hooks });
 * escalation.connect(conversation);
 * await escalation.start();
 */
export function createEscalationModule(deps: EscalationModuleDeps): EscalationModule {
  const jobs = createJobQueue<EscalationJob>({
    name: 'escalations',
    redisUrl: deps.queue.redisUrl,
    openClient: deps.queue.openClient,
    prefix: deps.queue.prefix,
    logger: deps.logger,
    concurrency: 4,
    // A hand-over or an alert waits out a WeCom or store outage (backoff capped at 30 s, about a
    // month of attempts); a failure that will not pass fails the job at once.
    ...UNTIL_BACK,
  });
  const timers = createJobQueue<EscalationTimer>({
    name: 'escalation-timers',
    redisUrl: deps.queue.redisUrl,
    openClient: deps.queue.openClient,
    prefix: deps.queue.prefix,
    logger: deps.logger,
    concurrency: 2,
    ...UNTIL_BACK,
  });
  const escalations = serializeEscalationWrites(deps.escalations, deps.locks);
  const conversation = connector<ConversationControl>('escalation → conversation');
  const notifier = createAdvisorNotifier({
    robot: deps.robot,
    app: deps.app,
    runtime: deps.runtime,
    locks: deps.locks,
    logger: deps.logger,
    gatherMs: deps.robotGatherMs,
    // Unique ids: a flush that is already running must not swallow the next one.
    scheduleFlush: (delayMs) => jobs.add({ kind: 'robot' }, { jobId: `robot-${Date.now()}-${randomBytes(3).toString('hex')}`, delayMs }),
    onRobotSent: (items) => recordRobotSends(escalations, items),
  });
  const service = createEscalationService({
    escalations,
    advisors: deps.advisors,
    sessions: deps.sessions,
    channel: deps.channel,
    conversation: conversation.get,
    runtime: deps.runtime,
    notifier,
    summarizer: deps.summarizer,
    llmFullText: deps.llmFullText,
    jobs,
    timers,
    settings: { ...deps.settings, renotifyRounds: deps.settings.renotifyRounds ?? 3 },
    logger: deps.logger,
    responses: deps.responses,
    mask: deps.mask,
    reads: deps.reads,
  });
  const ready = service;
  const routes = consoleRoutes({ service: ready, advisors: deps.advisors, logger: deps.logger });

  return {
    hooks: ready.hooks,
    service: ready,
    connect: conversation.connect,
    notifier,
    routes,
    async start() {
      await jobs.start(async (job) => ready.runJob(job));
      await timers.start(async (timer) => ready.runTimer(timer));
      // Robot sections left from before a restart go out now.
      if (notifier.hasRobot && (await deps.runtime.robotOutbox.size()) > 0) await jobs.add({ kind: 'robot' }, { jobId: `robot-start-${Date.now()}` });
    },
    async stop() {
      await timers.stop();
      await jobs.stop();
    },
    whenIdle(options) {
      return jobs.whenIdle(options);
    },
  };
}
