import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdminRoutes } from './admin/api/createAdminRoutes.ts';
import { deadLettersRoutes } from './admin/api/deadLettersRoutes.ts';
import { createAnalytics, createFlowDefinitions } from './analytics/index.ts';
import { createCampaignModule, type CampaignModule } from './campaigns/index.ts';
import { sessionsRoutes } from './admin/api/sessionsRoutes.ts';
import { createKfClient, createWecomChannel, type WecomChannel } from './channels/wecom/index.ts';
import { loadConfig, type Config } from './config.ts';
import { createConversationService, type ConversationService } from './conversation/conversationService.ts';
import { createFlowCatalog, type FlowCatalog } from './conversation/flowCatalog.ts';
import { createLlmUsageTracker } from './conversation/llmUsageTracker.ts';
import { createLogger, type Logger } from './core/logger.ts';
import type { InboundMessage } from './core/messages.ts';
import { answerNotReady } from './http/answerNotReady.ts';
import { createAuth } from './http/auth.ts';
import { createApp, type RawHandler } from './http/createApp.ts';
import { landingRoutes } from './http/landingRoutes.ts';
import { signInBrake } from './http/signInBrake.ts';
import { advisorSignIn, createEscalationModule, type EscalationModule } from './escalation/index.ts';
import { createContactClient } from './channels/wecom/contactClient.ts';
import { createFollowUpModule, type FollowUpModule } from './followup/index.ts';
import { createJobQueue, type JobQueue } from './jobs/jobQueue.ts';
import { startPeriodicTask } from './jobs/periodicTask.ts';
import { createAnalyzer } from './nlu/index.ts';
import { maskPii } from './privacy/maskPii.ts';
import { createTranscriptAudit } from './privacy/transcriptAudit.ts';
import { createPrivacyModule, type PrivacyModule } from './privacy/index.ts';
import { createConversationSummarizer } from './nlu/llm/summarizeConversation.ts';
import { createWecomSimulator, type WecomSimulator } from './simulator/wecomSimulator.ts';
import { createAdminUserRepository, createAuditLog, ensureAdminIndexes } from './store/mongo/adminRepository.ts';
import { createResponseRecordStore, ensureAnalyticsIndexes } from './store/mongo/analyticsRepository.ts';
import { createCampaignRepository, createInvitationRepository, optedOutCustomerIds } from './store/mongo/campaignRepository.ts';
import {
  createCustomerTagStore,
  createDeliveryStore,
  createFollowUpLog,
  createTaskEffectsSet,
  createTaskStore,
  createWebhookEndpointStore,
} from './store/mongo/followUpRepository.ts';
import { createRedisWecomTagState } from './store/redis/redisWecomContacts.ts';
import { createAdvisorRepository, createEscalationRepository, ensureEscalationIndexes } from './store/mongo/escalationRepository.ts';
import { createFlowRepository, ensureFlowIndexes } from './store/mongo/flowRepository.ts';
import { createCustomerRepository } from './store/mongo/customerRepository.ts';
import { createCustomerDataRepository, createRetentionSettings } from './store/mongo/privacyRepository.ts';
import { createRedisFileRewriter } from './store/redis/redisFileRewriter.ts';
import { createRedisPrivacy } from './store/redis/redisPrivacy.ts';
import { createDeadLetterRepository } from './store/mongo/deadLetterRepository.ts';
import { createSessionRepository, ensureSessionIndexes } from './store/mongo/sessionRepository.ts';
import { withOpenSessionCache } from './store/redis/cachedSessionRepository.ts';
import { createRedisInbox } from './store/redis/redisInbox.ts';
import { createRedisRevisions } from './store/redis/redisRevisions.ts';
import { createRedisOutboxProgress } from './store/redis/redisOutboxProgress.ts';
import { createRedisTimers } from './store/redis/redisTimers.ts';
import { createRedisLock } from './store/redis/redisLock.ts';
import { createRedisSignInFailures } from './store/redis/redisSignInFailures.ts';
import { createRedisRollups } from './store/redis/redisRollups.ts';
import { createRedisEscalationState } from './store/redis/redisEscalationState.ts';
import { createRedisWecomState } from './store/redis/redisWecomState.ts';
import { createRedisCampaignState } from './store/redis/redisCampaignState.ts';
import { startStores, type Stores } from './store/startStores.ts';

/** A running service: its URL and a graceful stop. */
export interface RunningService {
  url: string;
  /** The HTTP application (its routers are what /api/openapi.json describes). */
  app: ReturnType<typeof createApp>;
  stores: Stores;
  logger: Logger;
  /** The built-in WeCom stand-in, when no WeCom credentials are configured. */
  simulator?: WecomSimulator;
  channel: WecomChannel;
  conversation: ConversationService;
  catalog: FlowCatalog;
  /** Hand-over to advisors: hooks, console routes, notification queues. */
  escalation: EscalationModule;
  /** Campaigns: invitations, entry attribution, reminders, mass sends. */
  campaigns: CampaignModule;
  /** After each session: rules, follow-up tasks, tags, webhooks. */
  followUp: FollowUpModule;
  /** Erasure, access requests and the retention sweep (issue 15). */
  privacy: PrivacyModule;
  /** Resolves once callbacks and turns queued so far are handled (tests, shutdown). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires every part of huifang and starts listening. This is the only place that sees all
 * folders; tests call it to run the real service in-process.
 *
 * @example
 * const service = await startService(loadConfig());
 * await service.stop();
 */
export async function startService(
  config: Readonly<Config>,
  // onListening: runs once the port is open and before the app is attached (tests use it).
  options: { logger?: Logger; onListening?: (url: string) => Promise<void> } = {},
): Promise<RunningService> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const stores = await startStores({
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
    dataDir: config.dataDir,
    keyPrefix: config.redisKeyPrefix,
    logger,
  });
  const stoppables: Array<() => Promise<void>> = [];
  try {
    // Listen first so the simulator knows where to call back; until the app is attached below,
    // every request is answered 503 NOT_READY.
    const server = await listen(config.http.port, config.http.host);
    stoppables.push(() => new Promise<void>((done) => server.close(() => done())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`;
    await options.onListening?.(url);

    await ensureSessionIndexes(stores.mongo);
    await ensureFlowIndexes(stores.mongo);
    const sessions = withOpenSessionCache(
      createSessionRepository(
        stores.mongo,
        stores.ferretdb ? { revisionCheck: 'read-then-write', revisions: createRedisRevisions(stores.redis, stores.keys) } : { revisionCheck: 'filter' },
      ),
      stores.redis,
      stores.keys,
    );
    const customers = createCustomerRepository(stores.mongo);
    await ensureAdminIndexes(stores.mongo);
    const flows = createFlowRepository(stores.mongo);
    const audit = createAuditLog(stores.mongo);
    const catalog = createFlowCatalog({ flows, logger });
    const imported = await catalog.importDirectory(config.flowsDir);
    for (const r of imported) {
      if (r.status === 'imported') await audit.record({ actor: 'flows/ import', actorRole: 'system', action: 'flow.imported', flowId: r.flowId, version: r.version, note: `imported from ${r.file}` });
    }
    logger.info({ flows: imported.map((r) => `${r.file}: ${r.status}`) }, 'flow files checked');

    const adminUsers = createAdminUserRepository(stores.mongo);
    // Every showing of a full transcript (API or console) is audited first; see src/privacy/.
    const transcriptReads = createTranscriptAudit({ audit, logger });
    await ensureAnalyticsIndexes(stores.mongo);
    const flowDefinitions = createFlowDefinitions({ flows, catalog });
    const analytics = createAnalytics({
      rollups: createRedisRollups(stores.redis, stores.keys),
      records: createResponseRecordStore(stores.mongo, { timeZone: config.surveyTimeZone, revisionCheck: stores.ferretdb ? 'read-then-write' : 'filter' }),
      flows: flowDefinitions,
      timeZone: config.surveyTimeZone,
      minResponses: config.analytics.minResponses,
      logger,
    });

    const simulator = config.wecom ? undefined : createWecomSimulator({ pathPrefix: '/simulator', retryCallbacks: true });
    if (simulator) {
      simulator.apiBase = `${url}/simulator`;
      simulator.setCallbackUrl(`${url}/wecom/callback`);
      logger.info({ chat: `${url}/simulator` }, 'no WeCom credentials: the built-in WeCom simulator stands in; chat as a customer at /simulator');
    }
    const wecom = config.wecom ?? {
      corpId: simulator!.corpId,
      token: simulator!.token,
      encodingAesKey: simulator!.encodingAesKey,
      kfSecret: simulator!.kfSecret,
    };

    const deadLetters = createDeadLetterRepository(stores.mongo);
    const usage = createLlmUsageTracker();
    const analyzer = createAnalyzer({ config, logger, onUsage: (u) => usage.record(u) });
    logger.info(config.llm ? 'answers are read by the LLM where the rules are unsure, with the rules as fallback' : 'answers are read by the rule-based analyser (no OPENAI_API_KEY)');
    const locks = createRedisLock(stores.redis, stores.keys);
    const queueBase = { redisUrl: stores.redisUrl, prefix: stores.keys.bullPrefix, logger };
    // A turn is retried until the stores are back (capped at 30 s apart, for about a month); a
    // message whose item keeps failing for a reason that will not pass is set aside instead.
    const turns: JobQueue<{ conversationKey: string }> = createJobQueue({
      ...queueBase,
      name: 'turns',
      concurrency: 8,
      attempts: 100_000,
      backoffMs: 500,
      maxBackoffMs: 30_000,
    });

    // The channel and the conversation need each other: inbound messages go through this slot.
    let acceptInbound: (message: InboundMessage) => Promise<void> = () => Promise.reject(new Error('conversation not ready'));
    const channel = createWecomChannel({
      config: { ...wecom, apiBase: simulator ? simulator.apiBase : config.wecomApiBase, maxSkewSeconds: config.wecomMaxSkewSeconds },
      state: createRedisWecomState(stores.redis, stores.keys),
      locks,
      queue: { redisUrl: stores.redisUrl, prefix: stores.keys.bullPrefix },
      logger,
      onInbound: (message) => acceptInbound(message),
    });
    await ensureEscalationIndexes(stores.mongo);
    const advisors = createAdvisorRepository(stores.mongo);
    const escalation = createEscalationModule({
      escalations: createEscalationRepository(stores.mongo),
      advisors,
      sessions,
      runtime: createRedisEscalationState(stores.redis, stores.keys),
      locks,
      channel: channel.port,
      // Built below with this module's hooks; only called once both exist.
      conversation: () => conversation,
      ...advisorAlerts(config, { client: channel.client, simulator, wecom, tokens: createRedisWecomState(stores.redis, stores.keys).tokens, logger }),
      summarizer: config.llm ? createConversationSummarizer({ ...config.llm, logger, onUsage: (u) => usage.record(u) }) : undefined,
      llmFullText: async (session) => (await catalog.version(session.flowId, session.flowVersion)).flow.privacy.llmFullText,
      queue: { redisUrl: stores.redisUrl, prefix: stores.keys.bullPrefix },
      settings: {
        consoleUrl: `${config.publicUrl ?? url}/console`,
        renotifyMinutes: config.escalation.renotifyMinutes,
        reasonWaitMinutes: config.escalation.reasonWaitMinutes,
      },
      logger,
      responses: analytics.recorder,
      mask: maskPii,
      reads: transcriptReads,
    });
    const campaigns = await createCampaigns(config, { stores, audit, catalog, channel, simulator, wecom, logger });
    const followUp = createFollowUpModule({
      stores: {
        tasks: createTaskStore(stores.mongo, stores.redis, stores.keys),
        log: createFollowUpLog(stores.mongo, locks),
        tags: createCustomerTagStore(stores.mongo, locks),
        endpoints: createWebhookEndpointStore(stores.mongo),
        deliveries: createDeliveryStore(stores.mongo, stores.redis, stores.keys, locks),
        taskEffects: createTaskEffectsSet(stores.redis, stores.keys),
      },
      sessions,
      locks,
      audit,
      flowOf: (flowId, version) => flowDefinitions.version(flowId, version),
      // Built below with this module's hooks; only called once both exist.
      recordOnSession: () => conversation.recordFollowUp,
      ...contactTagging(config, { channel, simulator, wecom, redisState: createRedisWecomTagState(stores.redis, stores.keys), tokens: createRedisWecomState(stores.redis, stores.keys).tokens, logger }),
      queue: { redisUrl: stores.redisUrl, prefix: stores.keys.bullPrefix },
      mask: maskPii,
      reads: transcriptReads,
      settings: {
        webhookRetry: { baseMs: config.webhooks.retryBaseMs, maxMs: config.webhooks.retryMaxMs, windowMs: config.webhooks.retryWindowMs },
        webhookTimeoutMs: config.webhooks.timeoutMs,
        webhookPii: config.webhooks.pii,
        webhookAllowHosts: config.webhooks.allowHosts,
        publicUrl: config.publicUrl ?? url,
        timeZone: config.surveyTimeZone,
      },
      logger,
    });
    const conversation = createConversationService({
      channel: channel.port,
      analyzer,
      sessions,
      customers: campaigns.withConsent(customers),
      catalog,
      inbox: createRedisInbox(stores.redis, stores.keys),
      locks,
      turns,
      progress: createRedisOutboxProgress(stores.redis, stores.keys),
      timers: createRedisTimers(stores.redis, stores.keys),
      deadLetters,
      settings: { timeZone: config.surveyTimeZone, defaultFlowId: config.defaultFlowId },
      logger,
      takeLlmUsage: (sessionId) => usage.take(sessionId),
      escalations: escalation.hooks,
      followUp: followUp.hooks,
      responses: analytics.recorder,
      entries: campaigns.entries,
      reminders: campaigns.reminders,
    });
    acceptInbound = (message) => conversation.accept(message);
    await turns.start(async (job) => conversation.drain(job.conversationKey));
    stoppables.push(() => turns.stop());
    // Every process sweeps: claims are atomic in Redis, so nothing runs twice.
    const dueTimers = startPeriodicTask({ name: 'timers', everyMs: 5_000, run: () => conversation.runDueTimers(), logger });
    stoppables.push(() => dueTimers.stop());
    const campaignTimers = startPeriodicTask({ name: 'campaign-timers', everyMs: 5_000, run: () => campaigns.runDueTimers(), logger });
    stoppables.push(() => campaignTimers.stop());
    const privacy = createPrivacyModule({
      repo: createCustomerDataRepository(stores.mongo),
      cache: createRedisPrivacy(stores.redis, stores.keys),
      audit,
      locks,
      defaults: config.retention,
      settings: createRetentionSettings(stores.mongo),
      rewriter: createRedisFileRewriter(stores.redis),
      logger,
    });
    stoppables.push(async () => privacy.diskScrub.stop());
    // Hourly; one process at a time (a Redis lock), resuming from the cursor the last one kept.
    const retentionSweep = startPeriodicTask({ name: 'retention', everyMs: 3_600_000, run: () => privacy.retention.sweepUnlessBusy(), logger });
    stoppables.push(() => retentionSweep.stop());
    const stranded = startPeriodicTask({ name: 'stranded-inboxes', everyMs: 10_000, run: () => conversation.resumeStranded(), logger });
    stoppables.push(() => stranded.stop());
    // Whatever a stopped or crashed process left waiting is queued at once, not after the delay.
    await conversation.resumeStranded({ olderThanMs: 0 });
    await escalation.start();
    stoppables.push(() => escalation.stop());
    await followUp.start();
    stoppables.push(() => followUp.stop());
    await channel.start();
    // Stopped in reverse: no new pulls, then the turns in progress finish (their escalation
    // reports still find the escalation queue open), then the queues close.
    stoppables.push(() => conversation.stop());
    stoppables.push(() => channel.stop());

    const rawHandlers: RawHandler[] = simulator ? [(req, res) => simulator.handle(req, res)] : [];
    const app = createApp({
      logger,
      readiness: stores.readiness,
      trustProxy: config.http.trustProxy,
      signInBrake: signInBrake({
        failures: createRedisSignInFailures(stores.redis, stores.keys),
        settings: { perAddress: config.signIn.failureLimit, perTokenPrefix: 3 * config.signIn.failureLimit, windowMs: config.signIn.windowMs },
        logger,
      }),
      // One sign-in for every route: admin users and ADMIN_TOKEN, and advisors for the console.
      auth: createAuth({ adminToken: () => config.adminToken, users: adminUsers, advisors: advisorSignIn(advisors) }),
      document: API_DOCUMENT,
      routes: [
        ...channel.routes,
        ...escalation.routes,
        ...sessionsRoutes({ sessions, reads: transcriptReads, followUpOf: (session) => followUp.sessionFollowUp(session) }),
        ...deadLettersRoutes({ deadLetters, requeue: (id) => conversation.requeue(id), audit }),
        ...campaigns.routes,
        ...(await createAdminRoutes({
          flows,
          sessions,
          users: adminUsers,
          audit,
          catalog,
          analyzer,
          defaultFlowId: config.defaultFlowId,
          timeZone: config.surveyTimeZone,
          logger,
        })),
        ...privacy.routes,
        ...(await analytics.routes()),
        ...followUp.routes,
        ...landingRoutes(),
      ],
      rawHandlers,
    });
    server.removeListener('request', answerNotReady);
    server.on('request', app.callback());
    logger.info({ url }, 'huifang is listening');

    let stopping: Promise<void> | undefined;
    return {
      url,
      app,
      stores,
      logger,
      simulator,
      channel,
      conversation,
      catalog,
      escalation,
      campaigns,
      followUp,
      privacy,
      async idle(timeoutMs = 30_000) {
        // A turn can trigger sends whose callbacks queue more work; settle twice.
        for (let round = 0; round < 2; round++) {
          await channel.whenIdle({ timeoutMs });
          await conversation.whenIdle({ timeoutMs });
          await turns.whenIdle({ timeoutMs });
          await escalation.whenIdle({ timeoutMs });
        }
      },
      stop() {
        // Stop accepting, let in-flight requests and jobs finish, then close stores and embedded servers.
        stopping ??= (async () => {
          for (const stop of stoppables.reverse()) await stop().catch((error: unknown) => logger.warn({ err: error }, 'stop step failed'));
          await simulator?.close().catch(() => undefined);
          await stores.close();
          logger.info('huifang stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const stop of stoppables.reverse()) await stop().catch(() => undefined);
    await stores.close();
    throw error;
  }
}

const API_DOCUMENT = {
  title: 'huifang API',
  version: '1',
  description:
    'Survey flows, sessions, analytics, campaigns, follow-up, privacy and the advisor console. Authenticate with `Authorization: Bearer <token>`: ' +
    'ADMIN_TOKEN acts as user `admin` (role admin); per-user tokens come from POST /api/users. ' +
    'After AUTH_FAILURE_LIMIT (10) refused tokens within a minute from one client address, every request with credentials from it answers 429 AUTH_RATE_LIMITED with Retry-After until the minute ends. ' +
    'Roles: viewer (read, validate, diff, analytics), ' +
    'editor (+ save versions, preview), admin (+ publish, roll back, archive, users, campaigns, webhooks, privacy). Console routes (`x-required-role: advisor`) ' +
    'take an advisor token, ADMIN_TOKEN or an admin user’s token. `x-access` names who may call each route: public, signed (the signature is the ' +
    'authentication), console, or a role. Every flow save is a new immutable version, refused with 409 DRAFT_CONFLICT when another was saved since its `baseVersion`.',
};

/**
 * Where advisor alerts go: the group robot (`WECOM_ROBOT_WEBHOOK`, or the simulator's robot so a
 * newcomer sees alerts at once) and app messages (`WECOM_APP_SECRET` + `WECOM_AGENT_ID`, or the
 * simulator's app). The webhook URL holds a secret key, so only a hash of it names its rate window.
 */
function advisorAlerts(
  config: Readonly<Config>,
  deps: { client: WecomChannel['client']; simulator?: WecomSimulator; wecom: { corpId: string }; tokens: Parameters<typeof createKfClient>[0]['tokens']; logger: Logger },
): Pick<Parameters<typeof createEscalationModule>[0], 'robot' | 'app'> {
  const webhook = config.wecomRobotWebhook ?? (deps.simulator ? `${deps.simulator.apiBase}/cgi-bin/webhook/send?key=sim` : undefined);
  const robot = webhook
    ? { name: createHash('sha256').update(webhook).digest('hex').slice(0, 16), send: (body: Record<string, unknown>) => deps.client.sendWebhook({ url: webhook }, body) }
    : undefined;
  if (!robot) deps.logger.warn('WECOM_ROBOT_WEBHOOK is not set: escalations reach advisors only through app messages and the console');
  const appConfig = config.wecomApp ?? (deps.simulator ? { secret: deps.simulator.appSecret, agentId: 1000002 } : undefined);
  const apiBase = deps.simulator ? deps.simulator.apiBase : config.wecomApiBase;
  const appClient = appConfig ? createKfClient({ corpId: deps.wecom.corpId, secret: appConfig.secret, apiBase, tokens: deps.tokens, logger: deps.logger }) : undefined;
  const app = appConfig && appClient ? { agentId: appConfig.agentId, send: (body: Record<string, unknown>) => appClient.sendAppMessage(body) } : undefined;
  return { ...(robot ? { robot } : {}), ...(app ? { app } : {}) };
}

/**
 * Campaigns, wired to MongoDB (campaigns, invitations), Redis (consent, fatigue, caps, counters,
 * timers) and WeCom (kf links; mass sends with the 客户联系 secret, or the simulator's). The link
 * secret is CAMPAIGN_LINK_SECRET, or one generated once and kept in MongoDB.
 */
async function createCampaigns(
  config: Readonly<Config>,
  deps: { stores: Stores; audit: ReturnType<typeof createAuditLog>; catalog: FlowCatalog; channel: WecomChannel; simulator?: WecomSimulator; wecom: { corpId: string }; logger: Logger },
): Promise<CampaignModule> {
  const { stores } = deps;
  const store = createCampaignRepository(stores.mongo);
  const linkSecret = config.campaigns.linkSecret ?? (await store.storedSecret('invitation-links', () => randomBytes(32).toString('base64url')));
  const contactSecret = config.campaigns.contactSecret ?? deps.simulator?.contactSecret;
  const apiBase = deps.simulator ? deps.simulator.apiBase : config.wecomApiBase;
  const tokens = createRedisWecomState(stores.redis, stores.keys).tokens;
  const contact = contactSecret ? createKfClient({ corpId: deps.wecom.corpId, secret: contactSecret, apiBase, tokens, logger: deps.logger }) : undefined;
  const state = createRedisCampaignState(stores.redis, stores.keys);
  void backfillConsent(stores, state, deps.logger);
  return createCampaignModule({
    store,
    invitations: createInvitationRepository(stores.mongo),
    state,
    timers: createRedisTimers(stores.redis, { ...stores.keys, timersDue: stores.keys.campaignTimersDue, timersPayload: stores.keys.campaignTimersPayload }),
    wecom: {
      addContactWay: async (openKfId, scene) => (await deps.channel.client.addContactWay({ openKfId, scene })).url,
      ...(contact
        ? {
            addMsgTemplate: async (r: { sender: string; externalUserId: string; text: string; link: { title: string; url: string; desc?: string } }) => {
              const result = await contact.addMsgTemplate({ sender: r.sender, externalUserIds: [r.externalUserId], text: r.text, link: r.link });
              return { msgId: result.msgId, failed: result.failList.length > 0 };
            },
          }
        : {}),
    },
    flowExists: async (flowId) => (await deps.catalog.published(flowId).catch(() => null)) !== null,
    audit: deps.audit,
    settings: {
      timeZone: config.surveyTimeZone,
      fatigueDays: config.campaigns.fatigueDays,
      linkSecret: Buffer.from(linkSecret),
      eventsSecret: config.campaigns.eventsSigningSecret,
      defaultOpenKfId: config.campaigns.openKfId ?? deps.simulator?.openKfId,
    },
    logger: deps.logger,
  });
}

/**
 * Customers who opted out in a chat before campaigns existed: copied into the campaigns' consent
 * list once per Redis (a marker key), in the background; later opt-outs are mirrored as they happen.
 */
async function backfillConsent(stores: Stores, state: ReturnType<typeof createRedisCampaignState>, logger: Logger): Promise<void> {
  const marker = `${stores.keys.campaignConsent}:backfilled`;
  try {
    if ((await stores.redis.set(marker, new Date().toISOString(), 'NX')) !== 'OK') return;
    let count = 0;
    for await (const customerId of optedOutCustomerIds(stores.mongo)) {
      await state.setOptedOut([`wx:${customerId}`], true);
      count += 1;
    }
    if (count) logger.info({ customers: count }, 'opted-out customers copied to the campaigns consent list');
  } catch (error) {
    await stores.redis.del(marker).catch(() => undefined);
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'consent backfill failed; the next start tries again');
  }
}

/**
 * 客户联系 tagging: with WECOM_CONTACT_SECRET (or the simulator's 客户联系 when it stands in for
 * WeCom), customers' tags also go to WeCom; otherwise they stay in huifang.
 */
function contactTagging(
  config: Readonly<Config>,
  deps: {
    channel: WecomChannel;
    simulator?: WecomSimulator;
    wecom: { corpId: string };
    redisState: ReturnType<typeof createRedisWecomTagState>;
    tokens: Parameters<typeof createKfClient>[0]['tokens'];
    logger: Logger;
  },
): Pick<Parameters<typeof createFollowUpModule>[0], 'wecomTags'> {
  const secret = config.wecomContactSecret ?? deps.simulator?.contactSecret;
  if (!secret) {
    deps.logger.info('WECOM_CONTACT_SECRET is not set: customer tags are kept in huifang only');
    return {};
  }
  const apiBase = deps.simulator ? deps.simulator.apiBase : config.wecomApiBase;
  const client = createKfClient({ corpId: deps.wecom.corpId, secret, apiBase, tokens: deps.tokens, logger: deps.logger });
  return {
    wecomTags: {
      contacts: createContactClient(client),
      unionIdOf: async (customerId) => (await deps.channel.client.batchGetCustomers([customerId])).customers[0]?.unionId,
      state: deps.redisState,
    },
  };
}

function listen(port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolveServer, reject) => {
    const server = createServer(answerNotReady);
    // Keep-alive sockets would hold server.close() open for their idle timeout.
    server.keepAliveTimeout = 5_000;
    server.once('error', reject);
    server.listen(port, host, () => resolveServer(server));
  });
}

async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel });
  let service: RunningService;
  try {
    service = await startService(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, 'huifang could not start');
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
