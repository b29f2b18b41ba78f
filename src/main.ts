import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdminRoutes } from './admin/api/createAdminRoutes.ts';
import { ensureOwner } from './admin/firstRun.ts';
import { deadLettersRoutes } from './admin/api/deadLettersRoutes.ts';
import { sessionsRoutes } from './admin/api/sessionsRoutes.ts';
import { createAnalytics, createFlowDefinitions, type FlowDefinitions } from './analytics/index.ts';
import { backfillConsent, createCampaignModule, type CampaignModule } from './campaigns/index.ts';
import { createContactClient } from './channels/wecom/contactClient.ts';
import { createKfClient, createWecomChannel, type KfClient, type WecomChannel } from './channels/wecom/index.ts';
import { loadConfig, loadEnvFile, type Config } from './config.ts';
import { createConversationService, type ConversationService } from './conversation/conversationService.ts';
import { createLlmUsageTracker } from './conversation/llmUsageTracker.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { maskPii } from './core/maskPii.ts';
import { createTranscriptAudit, type TranscriptAudit } from './core/transcriptAudit.ts';
import { createFlowCatalog, type FlowCatalog } from './engine/index.ts';
import { advisorSignIn, createEscalationModule, type EscalationModule, type EscalationModuleDeps } from './escalation/index.ts';
import { createFollowUpModule, type FollowUpModule, type FollowUpModuleDeps } from './followup/index.ts';
import { answerNotReady } from './http/answerNotReady.ts';
import { createAuth } from './http/auth.ts';
import { createApp, type RawHandler } from './http/createApp.ts';
import { uiKitDir, uiRoutes } from './http/uiRoutes.ts';
import { signInBrake } from './http/signInBrake.ts';
import { createJobQueue, type JobQueue, type QueueConnection } from './jobs/jobQueue.ts';
import { startPeriodicTask } from './jobs/periodicTask.ts';
import { createAnalyzer, createRuleAnalyzer } from './nlu/index.ts';
import { createConversationSummarizer } from './nlu/llm/summarizeConversation.ts';
import { createSpeechTranscriber } from './nlu/llm/transcribeSpeech.ts';
import { withWechatFaces } from './nlu/wechatFaces.ts';
import { createPrivacyModule, type PrivacyModule } from './privacy/index.ts';
import { createWecomSimulator, type WecomSimulator } from './simulator/wecomSimulator.ts';
import { createStores, type ServiceStores } from './store/createStores.ts';
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

/** Started things, stopped in reverse order. */
type Stoppables = Array<() => Promise<void>>;

/**
 * Wires every part of huifang and starts listening. This is the only place that sees all
 * folders; tests call it to run the real service in-process. Wiring has two phases: every part
 * is constructed (`constructParts`), then the few that need each other are connected
 * (`connectParts`); only then do workers start and the app take requests.
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
  const connections = await startStores({ mongodbUri: config.mongodbUri, redisUrl: config.redisUrl, redisClusterNodes: config.redisClusterNodes, dataDir: config.dataDir, keyPrefix: config.redisKeyPrefix, logger });
  const stoppables: Stoppables = [];
  try {
    // Listen first so the simulator knows where to call back; until the app is attached below,
    // every request is answered 503 NOT_READY.
    const server = await listen(config.http.port, config.http.host);
    stoppables.push(() => new Promise<void>((done) => server.close(() => done())));
    const url = serviceUrl(server, config);
    await options.onListening?.(url);

    const stores = await createStores(connections, { timeZone: config.surveyTimeZone });
    const parts = await constructParts({ config, url, connections, stores, logger });
    connectParts(parts);
    await startWorkers(parts, stoppables, logger);
    server.removeListener('request', answerNotReady);
    const app = await createServiceApp(parts);
    server.on('request', app.callback());
    logger.info({ url }, 'huifang is listening');
    await ensureOwner({ adminToken: config.adminToken, users: stores.admin.users, audit: stores.admin.audit, baseUrl: url, logger });
    return runningService(parts, app, stoppables);
  } catch (error) {
    for (const stop of stoppables.reverse()) await stop().catch(() => undefined);
    await connections.close();
    throw error;
  }
}

/** What every part is built from. */
interface Wiring {
  config: Readonly<Config>;
  url: string;
  connections: Stores;
  stores: ServiceStores;
  logger: Logger;
}

/** Parts every feature shares: flows, access control, the transcript-read audit. */
interface SharedParts {
  catalog: FlowCatalog;
  flowDefinitions: FlowDefinitions;
  transcriptReads: TranscriptAudit;
  usage: ReturnType<typeof createLlmUsageTracker>;
}

type Parts = Awaited<ReturnType<typeof constructParts>>;

/** Phase one: builds every part. Nothing here calls another part yet. */
async function constructParts(w: Wiring) {
  const { config, stores, logger } = w;
  const shared = await createSharedParts(w);
  const wecom = createWecom(w);
  const analytics = createAnalytics({
    rollups: stores.analytics.rollups,
    records: stores.analytics.records,
    flows: shared.flowDefinitions,
    timeZone: config.surveyTimeZone,
    minResponses: config.analytics.minResponses,
    logger,
  });
  const escalation = createEscalations(w, shared, wecom, analytics.recorder);
  const campaigns = await createCampaigns(w, shared.catalog, wecom);
  const followUp = createFollowUp(w, shared, wecom);
  const turns = createTurnQueue(w);
  // WeChat faces ([强], [发怒]) are read as the emoji they mean.
  const analyzer = withWechatFaces(createAnalyzer({ config, logger, onUsage: (u) => shared.usage.record(u) }));
  const conversation = createConversationService({
    channel: wecom.channel.port,
    analyzer,
    passingAnalyzer: createRuleAnalyzer(),
    sessions: stores.sessions,
    customers: campaigns.withConsent(stores.customers),
    catalog: shared.catalog,
    ...stores.conversation,
    locks: stores.locks,
    turns,
    settings: { timeZone: config.surveyTimeZone, defaultFlowId: config.defaultFlowId },
    logger,
    takeLlmUsage: (sessionId) => shared.usage.take(sessionId),
    escalations: escalation.hooks,
    followUp: followUp.hooks,
    responses: analytics.recorder,
    entries: campaigns.entries,
    reminders: campaigns.reminders,
    speech: config.speech ? createSpeechTranscriber({ ...config.speech, logger }) : undefined,
  });
  logger.info(config.speech ? 'voice notes are transcribed (ffmpeg converts AMR first)' : 'voice notes get a request to type (no SPEECH_BASE_URL / SPEECH_API_KEY)');
  logger.info(config.llm ? 'answers are read by the LLM where the rules are unsure, with the rules as fallback' : 'answers are read by the rule-based analyser (no OPENAI_API_KEY)');
  const privacy = createPrivacyModule({
    repo: stores.privacy.customerData,
    cache: stores.privacy.cache,
    audit: stores.admin.audit,
    locks: stores.locks,
    defaults: config.retention,
    settings: stores.privacy.retentionSettings,
    rewriter: stores.privacy.fileRewriter,
    logger,
  });
  return { ...w, ...shared, wecom, analytics, escalation, campaigns, followUp, turns, analyzer, conversation, privacy };
}

/** Phase two: the parts that point back at the conversation are given it. */
function connectParts(parts: Parts): void {
  parts.wecom.channel.connect((message) => parts.conversation.accept(message));
  parts.escalation.connect(parts.conversation);
  parts.followUp.connect(parts.conversation);
}

/** The flow catalogue (with the flow files imported and audited), access control and the transcript-read audit. */
async function createSharedParts({ config, stores, logger }: Wiring): Promise<SharedParts> {
  const { flows } = stores;
  const { audit } = stores.admin;
  const catalog = createFlowCatalog({ flows, logger });
  const imported = await catalog.importDirectory(config.flowsDir);
  for (const r of imported) {
    if (r.status === 'imported') await audit.record({ actor: 'flows/ import', actorRole: 'system', action: 'flow.imported', flowId: r.flowId, version: r.version, note: `imported from ${r.file}` });
  }
  logger.info({ flows: imported.map((r) => `${r.file}: ${r.status}`) }, 'flow files checked');
  return {
    catalog,
    flowDefinitions: createFlowDefinitions({ flows, catalog }),
    // Every showing of a full transcript (API or console) is audited first; see core/transcriptAudit.ts.
    transcriptReads: createTranscriptAudit({ audit, logger }),
    usage: createLlmUsageTracker(),
  };
}

/** WeCom as the service talks to it: the real one, or the built-in simulator standing in for it. */
interface WecomSetup {
  simulator?: WecomSimulator;
  channel: WecomChannel;
  corpId: string;
  /** A WeCom API client for another secret (app messages, 客户联系), sharing the access-token cache. */
  clientFor(secret: string): KfClient;
  /** Group robot webhook (WECOM_ROBOT_WEBHOOK, or the simulator's robot so a newcomer sees alerts at once). */
  robotWebhook?: string;
  /** Self-built app for advisor messages (WECOM_APP_SECRET + WECOM_AGENT_ID, or the simulator's app). */
  app?: { secret: string; agentId: number };
  /** 客户联系 secret for tags (WECOM_CONTACT_SECRET) and for mass sends (CAMPAIGN_CONTACT_SECRET). */
  tagSecret?: string;
  massSendSecret?: string;
  defaultOpenKfId?: string;
  /** Requests the simulator answers before the app sees them. */
  rawHandlers: RawHandler[];
}

/** The one place that picks the simulator or real WeCom: with no WeCom credentials, the simulator stands in. */
function createWecom({ config, url, connections, stores, logger }: Wiring): WecomSetup {
  const simulator = config.wecom ? undefined : createWecomSimulator({ pathPrefix: '/simulator', retryCallbacks: true, uiDir: uiKitDir() });
  if (simulator) {
    simulator.apiBase = `${url}/simulator`;
    simulator.setCallbackUrl(`${url}/wecom/callback`);
    logger.info({ chat: `${url}/simulator` }, 'no WeCom credentials: the built-in WeCom simulator stands in; chat as a customer at /simulator');
  }
  const credentials = config.wecom ?? { corpId: simulator!.corpId, token: simulator!.token, encodingAesKey: simulator!.encodingAesKey, kfSecret: simulator!.kfSecret };
  const apiBase = simulator ? simulator.apiBase : config.wecomApiBase;
  const channel = createWecomChannel({
    config: { ...credentials, apiBase, maxSkewSeconds: config.wecomMaxSkewSeconds },
    state: stores.wecom.state,
    locks: stores.locks,
    queue: queueConnection(connections),
    logger,
  });
  return {
    ...(simulator ? { simulator } : {}),
    channel,
    corpId: credentials.corpId,
    clientFor: (secret) => createKfClient({ corpId: credentials.corpId, secret, apiBase, tokens: stores.wecom.state.tokens, logger }),
    robotWebhook: config.wecomRobotWebhook ?? (simulator ? `${simulator.apiBase}/cgi-bin/webhook/send?key=sim` : undefined),
    app: config.wecomApp ?? (simulator ? { secret: simulator.appSecret, agentId: 1000002 } : undefined),
    tagSecret: config.wecomContactSecret ?? simulator?.contactSecret,
    massSendSecret: config.campaigns.contactSecret ?? simulator?.contactSecret,
    defaultOpenKfId: config.campaigns.openKfId ?? simulator?.openKfId,
    rawHandlers: simulator ? [(req, res) => simulator.handle(req, res)] : [],
  };
}

/** The BullMQ connection every durable queue uses: our Redis and its key prefix. */
function queueConnection(connections: Stores): QueueConnection {
  return {
    redisUrl: connections.redisUrl,
    prefix: connections.keys.bullPrefix,
    ...(connections.openQueueClient ? { openClient: connections.openQueueClient } : {}),
  };
}

/**
 * Turns: a turn is retried until the stores are back (capped at 30 s apart, for about a month); a
 * message whose item keeps failing for a reason that will not pass is set aside instead.
 */
function createTurnQueue({ connections, logger }: Wiring): JobQueue<{ conversationKey: string }> {
  return createJobQueue({ ...queueConnection(connections), logger, name: 'turns', concurrency: 8, attempts: 100_000, backoffMs: 500, maxBackoffMs: 30_000 });
}

/** Hand-over to advisors, alerting them through the group robot and the self-built app. */
function createEscalations(w: Wiring, shared: SharedParts, wecom: WecomSetup, responses: EscalationModuleDeps['responses']): EscalationModule {
  const { config, url, stores, logger } = w;
  return createEscalationModule({
    ...stores.escalation,
    media: stores.conversation.media,
    sessions: stores.sessions,
    locks: stores.locks,
    channel: wecom.channel.port,
    ...advisorAlerts(wecom, logger),
    summarizer: config.llm ? createConversationSummarizer({ ...config.llm, logger, onUsage: (u) => shared.usage.record(u) }) : undefined,
    llmFullText: async (session) => (await shared.catalog.version(session.flowId, session.flowVersion)).flow.privacy.llmFullText,
    queue: queueConnection(w.connections),
    settings: {
      consoleUrl: `${config.publicUrl ?? url}/console`,
      renotifyMinutes: config.escalation.renotifyMinutes,
      reasonWaitMinutes: config.escalation.reasonWaitMinutes,
    },
    logger,
    responses,
    mask: maskPii,
    reads: shared.transcriptReads,
  });
}

/**
 * Where advisor alerts go: the group robot and app messages. The webhook URL holds a secret key,
 * so only a hash of it names its rate window.
 */
function advisorAlerts(wecom: WecomSetup, logger: Logger): Pick<EscalationModuleDeps, 'robot' | 'app'> {
  const webhook = wecom.robotWebhook;
  const robot = webhook
    ? { name: createHash('sha256').update(webhook).digest('hex').slice(0, 16), send: (body: Record<string, unknown>) => wecom.channel.client.sendWebhook({ url: webhook }, body) }
    : undefined;
  if (!robot) logger.warn('WECOM_ROBOT_WEBHOOK is not set: escalations reach advisors only through app messages and the console');
  const appConfig = wecom.app;
  const appClient = appConfig ? wecom.clientFor(appConfig.secret) : undefined;
  const app = appConfig && appClient ? { agentId: appConfig.agentId, send: (body: Record<string, unknown>) => appClient.sendAppMessage(body) } : undefined;
  return { ...(robot ? { robot } : {}), ...(app ? { app } : {}) };
}

/**
 * Campaigns, wired to MongoDB (campaigns, invitations), Redis (consent, fatigue, caps, counters,
 * timers) and WeCom (kf links; mass sends with the 客户联系 secret, or the simulator's). The link
 * secret is CAMPAIGN_LINK_SECRET, or one generated once and kept in MongoDB.
 */
async function createCampaigns({ config, stores, logger }: Wiring, catalog: FlowCatalog, wecom: WecomSetup): Promise<CampaignModule> {
  const { store, invitations, state, timers } = stores.campaigns;
  const linkSecret = config.campaigns.linkSecret ?? (await store.storedSecret('invitation-links', () => randomBytes(32).toString('base64url')));
  const contact = wecom.massSendSecret ? wecom.clientFor(wecom.massSendSecret) : undefined;
  void backfillConsent({ marker: stores.campaigns.consentBackfill, optedOutCustomerIds: stores.campaigns.optedOutCustomerIds, state, logger });
  return createCampaignModule({
    store,
    invitations,
    state,
    timers,
    wecom: {
      addContactWay: async (openKfId, scene) => (await wecom.channel.client.addContactWay({ openKfId, scene })).url,
      ...(contact
        ? {
            addMsgTemplate: async (r: { sender: string; externalUserId: string; text: string; link: { title: string; url: string; desc?: string } }) => {
              const result = await contact.addMsgTemplate({ sender: r.sender, externalUserIds: [r.externalUserId], text: r.text, link: r.link });
              return { msgId: result.msgId, failed: result.failList.length > 0 };
            },
          }
        : {}),
    },
    flowExists: async (flowId) => (await catalog.published(flowId).catch(() => null)) !== null,
    audit: stores.admin.audit,
    settings: {
      timeZone: config.surveyTimeZone,
      fatigueDays: config.campaigns.fatigueDays,
      linkSecret: Buffer.from(linkSecret),
      eventsSecret: config.campaigns.eventsSigningSecret,
      defaultOpenKfId: wecom.defaultOpenKfId,
    },
    logger,
  });
}

/** After each session: rules, tasks, tags (also in WeCom when a 客户联系 secret is set), webhooks. */
function createFollowUp(w: Wiring, shared: SharedParts, wecom: WecomSetup): FollowUpModule {
  const { config, url, stores, logger } = w;
  return createFollowUpModule({
    stores: stores.followUp,
    sessions: stores.sessions,
    locks: stores.locks,
    audit: stores.admin.audit,
    flowOf: (flowId, version) => shared.flowDefinitions.version(flowId, version),
    ...contactTagging(wecom, stores, logger),
    queue: queueConnection(w.connections),
    mask: maskPii,
    reads: shared.transcriptReads,
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
}

/**
 * 客户联系 tagging: with WECOM_CONTACT_SECRET (or the simulator's 客户联系 when it stands in for
 * WeCom), customers' tags also go to WeCom; otherwise they stay in huifang.
 */
function contactTagging(wecom: WecomSetup, stores: ServiceStores, logger: Logger): Pick<FollowUpModuleDeps, 'wecomTags'> {
  if (!wecom.tagSecret) {
    logger.info('WECOM_CONTACT_SECRET is not set: customer tags are kept in huifang only');
    return {};
  }
  return {
    wecomTags: {
      contacts: createContactClient(wecom.clientFor(wecom.tagSecret)),
      unionIdOf: async (customerId) => (await wecom.channel.client.batchGetCustomers([customerId])).customers[0]?.unionId,
      state: stores.wecom.tagState,
    },
  };
}

/** Starts queue workers and periodic sweeps; each start adds its stop. */
async function startWorkers(parts: Parts, stoppables: Stoppables, logger: Logger): Promise<void> {
  const { conversation, campaigns, privacy, escalation, followUp, wecom, turns } = parts;
  await turns.start(async (job) => conversation.drain(job.conversationKey));
  stoppables.push(() => turns.stop());
  const every = (name: string, everyMs: number, run: () => Promise<unknown>) => {
    const task = startPeriodicTask({ name, everyMs, run: async () => void (await run()), logger });
    stoppables.push(() => task.stop());
  };
  // Every process sweeps: claims are atomic in Redis, so nothing runs twice.
  every('timers', 5_000, () => conversation.runDueTimers());
  every('campaign-timers', 5_000, () => campaigns.runDueTimers());
  stoppables.push(async () => privacy.diskScrub.stop());
  // Hourly; one process at a time (a Redis lock), resuming from the cursor the last one kept.
  every('retention', 3_600_000, () => privacy.retention.sweepUnlessBusy());
  every('stranded-inboxes', 10_000, () => conversation.resumeStranded());
  // Whatever a stopped or crashed process left waiting is queued at once, not after the delay.
  await conversation.resumeStranded({ olderThanMs: 0 });
  await escalation.start();
  stoppables.push(() => escalation.stop());
  await followUp.start();
  stoppables.push(() => followUp.stop());
  await wecom.channel.start();
  // Stopped in reverse: no new pulls, then the turns in progress finish (their escalation
  // reports still find the escalation queue open), then the queues close.
  stoppables.push(() => conversation.stop());
  stoppables.push(() => wecom.channel.stop());
}

/** The Koa app: every feature's routes, with the simulator's endpoints in front when it stands in. */
async function createServiceApp(parts: Parts) {
  const { config, stores, connections, logger, transcriptReads, conversation, followUp, analytics, privacy, campaigns, escalation, wecom } = parts;
  return createApp({
    logger,
    readiness: connections.readiness,
    trustProxy: config.http.trustProxy,
    signInBrake: signInBrake({
      failures: stores.signInFailures,
      settings: { perAddress: config.signIn.failureLimit, perTokenPrefix: 3 * config.signIn.failureLimit, windowMs: config.signIn.windowMs },
      logger,
    }),
    // One sign-in for every route: admin users and ADMIN_TOKEN, and advisors for the console.
    auth: createAuth({ adminToken: () => config.adminToken, users: stores.admin.users, advisors: advisorSignIn(stores.escalation.advisors) }),
    document: API_DOCUMENT,
    routes: [
      ...wecom.channel.routes,
      ...escalation.routes,
      ...sessionsRoutes({ sessions: stores.sessions, reads: transcriptReads, followUpOf: (session) => followUp.sessionFollowUp(session) }),
      ...deadLettersRoutes({ deadLetters: stores.conversation.deadLetters, requeue: (id) => conversation.requeue(id), audit: stores.admin.audit }),
      ...campaigns.routes,
      ...(await createAdminRoutes({
        flows: stores.flows,
        sessions: stores.sessions,
        users: stores.admin.users,
        audit: stores.admin.audit,
        catalog: parts.catalog,
        analyzer: parts.analyzer,
        defaultFlowId: config.defaultFlowId,
        timeZone: config.surveyTimeZone,
        logger,
      })),
      ...privacy.routes,
      ...(await analytics.routes()),
      ...followUp.routes,
      ...(await uiRoutes()),
    ],
    rawHandlers: wecom.rawHandlers,
  });
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

function runningService(parts: Parts, app: RunningService['app'], stoppables: Stoppables): RunningService {
  const { url, connections, logger, wecom, conversation, catalog, escalation, campaigns, followUp, privacy, turns } = parts;
  let stopping: Promise<void> | undefined;
  return {
    url,
    app,
    stores: connections,
    logger,
    simulator: wecom.simulator,
    channel: wecom.channel,
    conversation,
    catalog,
    escalation,
    campaigns,
    followUp,
    privacy,
    async idle(timeoutMs = 30_000) {
      // A turn can trigger sends whose callbacks queue more work; settle twice.
      for (let round = 0; round < 2; round++) {
        await wecom.channel.whenIdle({ timeoutMs });
        await conversation.whenIdle({ timeoutMs });
        await turns.whenIdle({ timeoutMs });
        await escalation.whenIdle({ timeoutMs });
      }
    },
    stop() {
      // Stop accepting, let in-flight requests and jobs finish, then close stores and embedded servers.
      stopping ??= (async () => {
        for (const stop of stoppables.reverse()) await stop().catch((error: unknown) => logger.warn({ err: error }, 'stop step failed'));
        await wecom.simulator?.close().catch(() => undefined);
        await connections.close();
        logger.info('huifang stopped');
      })();
      return stopping;
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

function serviceUrl(server: Server, config: Readonly<Config>): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  return `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`;
}

async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    loadEnvFile();
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
