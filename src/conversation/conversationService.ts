import type { ResponseRecorder } from '../analytics/ports.ts';
import type { Analysis, Analyzer } from '../core/analysis.ts';
import { AppError, ConflictError, NotFoundError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { conversationKey, type ConversationRef, type InboundMessage, type OutboundMessage } from '../core/messages.ts';
import type { ChannelPort, ConversationInbox, LockService } from '../core/ports.ts';
import type {
  CustomerRepository,
  PendingSend,
  SessionRecord,
  SessionRepository,
  SessionUpdate,
  TranscriptEntry,
} from '../core/sessions.ts';
import { runTurn, startSession, type Awaiting, type CompiledFlow, type EngineEvent, type TurnResult } from '../engine/index.ts';
import type { FlowCatalog } from './flowCatalog.ts';
import { mergeForWelcome, outboundText } from './outboundText.ts';
import { parseSceneParam } from './parseSceneParam.ts';

/** A delayed job for one session: an idle reminder or expiry. */
export interface TimerJob {
  kind: 'reminder' | 'expiry';
  sessionId: string;
  scheduledAt: string;
}

/** An escalation the engine asked for, handed to the advisor side. */
export interface EscalationRequest {
  session: SessionRecord;
  trigger: string;
  reason: string;
  stepId: string;
  advisors: string[];
}

/** What one turn meant for the advisor side, reported after its messages went out. */
export interface TurnOutcome {
  /** The session as saved by the turn. */
  session: SessionRecord;
  /** Escalations the engine raised in this turn (possibly none). */
  escalations: EscalationRequest[];
  /** This turn moved the session to `escalated`: the bot is silent from now on. */
  handedOver: boolean;
  /** When handed over: the line telling the customer a colleague will reply, and whether WeCom took it. */
  notice?: { text: string; delivered: boolean };
}

/** The advisor side (src/escalation/) as the conversation layer sees it. */
export interface EscalationHooks {
  /**
   * Asked before a customer's turn is saved: should the bot hand the conversation to a person in
   * this turn? (an automatic trigger fired, or a detractor has now said why). The intent
   * "转人工" needs no asking: the engine hands over by itself.
   */
  handOverNow(session: SessionRecord, result: TurnResult): Promise<boolean>;
  /** After a turn's messages were sent, when it raised escalations or handed over. */
  afterTurn(outcome: TurnOutcome): Promise<void>;
  /** A servicer's message or a WeCom session state change was recorded on an open session. */
  recorded(session: SessionRecord, message: InboundMessage): Promise<void>;
  /**
   * The session an active escalation still holds for this conversation, when the survey itself
   * has ended (e.g. a complaint in the last answer): advisors' messages are recorded there.
   */
  heldSession(conversationKey: string): Promise<SessionRecord | null>;
}

/** How `releaseToBot` gives the conversation back: resume the survey, thank and finish, or finish silently. */
export type ReleaseMode = 'resume' | 'finish' | 'silent';

export interface ConversationDeps {
  channel: ChannelPort;
  analyzer: Analyzer;
  sessions: SessionRepository;
  customers: CustomerRepository;
  catalog: FlowCatalog;
  inbox: ConversationInbox;
  locks: LockService;
  /** Durable queue that runs `drain(conversationKey)` in some process. */
  turns: { add(data: { conversationKey: string }): Promise<void> };
  /** Durable delayed jobs that call `handleTimer`. */
  timers: { add(data: TimerJob, options: { delayMs: number; jobId: string }): Promise<void> };
  settings: { timeZone: string; defaultFlowId: string; restartCooldownHours?: number };
  logger: Logger;
  now?: () => Date;
  /** The advisor side; without it escalations are only recorded on the session. */
  escalations?: EscalationHooks;
  /** Takes the LLM tokens spent for a session since the last call (recorded per session). */
  takeLlmUsage?: (sessionId: string) => { promptTokens: number; completionTokens: number; calls: number } | undefined;
  /** Analytics, told after every session save (it never throws). */
  responses?: ResponseRecorder;
}

export interface ConversationService {
  /** Accepts an inbound message durably (inbox + queued turn); resolves once both are stored. */
  accept(message: InboundMessage): Promise<void>;
  /** Handles everything queued for one conversation, in order, under its lock. */
  drain(conversationKey: string): Promise<void>;
  handleTimer(job: TimerJob): Promise<void>;
  /**
   * Hands an active or paused session to a person now (the bot says the flow's `escalated` line
   * and falls silent). False when the session is not active or paused.
   */
  handOver(sessionId: string): Promise<boolean>;
  /**
   * Gives an escalated session back to the bot: `resume` re-asks where it stopped, `finish`
   * thanks and completes, `silent` completes without a word. `eventCode` is a one-message WeCom
   * code (e.g. from ending a servicer's session) that carries the first message. False when the
   * session is not escalated.
   */
  releaseToBot(sessionId: string, options: { mode: ReleaseMode; eventCode?: string }): Promise<boolean>;
  /** Appends to a session's transcript under its conversation lock (messages sent outside a turn). */
  appendTranscript(sessionId: string, entries: TranscriptEntry[]): Promise<void>;
}

const CLOSED_REPLY = '感谢您的反馈，本次回访已经完成。如需帮助请直接留言，我们的同事会尽快联系您。';
const TEXT_ONLY_REPLY = '抱歉，我目前只能看懂文字消息，麻烦您用文字回复哦～';
const OPTED_IN_REPLY = '好的，已为您恢复消息提醒，感谢您的支持！';
const OPT_IN_PATTERN = /(恢复|重新订阅|继续发|可以发|开启提醒)/;

/**
 * The conversation turn: dedupe → per-conversation lock → load → understand → engine →
 * persist → send. Each inbound message becomes one revision-guarded session update holding the
 * new snapshot, answers, transcript and an outbox; the outbox is then sent with idempotency keys
 * and cleared, so a crash between the two resends rather than loses a reply.
 *
 * @example
 * const conversation = createConversationService(deps);
 * await conversation.accept(message); // from the channel
 * await conversation.drain(conversationKey(message.conversation)); // from the turn queue worker
 */
export function createConversationService(deps: ConversationDeps): ConversationService {
  const log = deps.logger.child({ module: 'conversation' });
  const clock = deps.now ?? (() => new Date());
  const cooldownMs = (deps.settings.restartCooldownHours ?? 24) * 3_600_000;

  async function accept(message: InboundMessage): Promise<void> {
    const key = conversationKey(message.conversation);
    await deps.inbox.push(key, JSON.stringify(message));
    await deps.turns.add({ conversationKey: key });
  }

  async function drain(key: string): Promise<void> {
    await deps.locks.withLock(
      `conv:${key}`,
      async () => {
        // Bounded so one busy conversation cannot hold a worker forever; leftovers have their own jobs.
        for (let handled = 0; handled < 50; handled++) {
          const raw = await deps.inbox.peek(key);
          if (raw === null) return;
          const message = reviveInbound(raw);
          if (message) {
            try {
              await handleMessage(message);
            } catch (error) {
              // Bad data will not get better on retry: drop it, keep the conversation moving.
              if (!(error instanceof AppError) || error.status >= 500 || error instanceof ConflictError) throw error;
              log.warn({ conversationKey: key, msgId: message.id, code: error.code }, 'dropping inbound message that cannot be handled');
            }
          } else log.warn({ conversationKey: key }, 'dropping unreadable inbox item');
          await deps.inbox.ack(key);
        }
      },
      { ttlMs: 60_000, waitMs: 30_000 },
    );
  }

  async function handleMessage(message: InboundMessage): Promise<void> {
    const key = conversationKey(message.conversation);
    const mlog = log.child({ conversationKey: key, msgId: message.id, kind: message.kind });
    mlog.debug('handling inbound message');
    switch (message.kind) {
      case 'text':
        return handleCustomerMessage(message, message.text, message.menuId);
      case 'unsupported':
        return handleCustomerMessage(message, null, undefined);
      case 'enter_session':
        return handleEnter(message);
      case 'servicer_text':
        return recordOnly(message, { direction: 'out', author: 'advisor', text: message.text, at: message.sentAt, messageId: message.id, advisorId: message.servicerId });
      case 'send_failed':
        return recordOnly(message, { direction: 'out', author: 'system', text: `消息发送失败（${message.failType}）`, at: message.sentAt, messageId: message.id, delivery: 'failed' });
      case 'session_status':
        return recordOnly(message, { direction: 'in', author: 'system', text: `会话状态变化（${message.changeType}）`, at: message.sentAt, messageId: message.id });
    }
  }

  /** The customer's record, created on first contact. */
  async function loadCustomer(ref: ConversationRef) {
    // Read first: a write per message would cost FerretDB's single SQLite writer for nothing.
    return (await deps.customers.get(conversationKey(ref))) ?? (await deps.customers.upsert(ref, {}));
  }

  /** A customer's text (or an unreadable media message when `text` is null). */
  async function handleCustomerMessage(message: InboundMessage, text: string | null, menuId: string | undefined): Promise<void> {
    const now = clock();
    const ref = message.conversation;
    const key = conversationKey(ref);
    const customer = await loadCustomer(ref);
    const session = await deps.sessions.findOpen(key);
    if (session?.handledMessageIds.includes(message.id)) {
      await flush(session);
      return;
    }
    const inbound: TranscriptEntry = {
      direction: 'in',
      author: 'customer',
      text: text ?? `[${message.kind === 'unsupported' ? message.msgType : '消息'}]`,
      at: message.sentAt,
      messageId: message.id,
      ...(menuId ? { menuId } : {}),
    };

    if (customer.optedOut) {
      // Nothing starts for an opted-out customer until they ask for it back.
      if (text && OPT_IN_PATTERN.test(text)) {
        await deps.customers.upsert(ref, { optedOut: false });
        await deps.channel.send(ref, { kind: 'text', text: OPTED_IN_REPLY }, { idempotencyKey: `optin-${message.id}` });
        log.info({ conversationKey: key }, 'customer opted back in');
      }
      return;
    }

    if (!session) {
      const last = await deps.sessions.findLatest(key);
      if (last && now.getTime() - last.updatedAt.getTime() < cooldownMs) {
        // A "谢谢" after a finished survey must not start it again.
        const lastBot = [...last.transcript].reverse().find((t) => t.author === 'bot');
        await deps.sessions.appendTranscript(last.id, [inbound]);
        if (lastBot?.text !== CLOSED_REPLY) {
          const sent = await deps.channel.send(ref, { kind: 'text', text: CLOSED_REPLY }, { idempotencyKey: `closed-${message.id}` });
          await deps.sessions.appendTranscript(last.id, [botEntry(CLOSED_REPLY, `closed-${message.id}`, now, sent.status === 'sent' ? 'sent' : 'blocked')]);
        }
        return;
      }
      const flow = await deps.catalog.published(deps.settings.defaultFlowId);
      if (!flow) {
        log.error({ flowId: deps.settings.defaultFlowId }, 'default flow is not published; cannot start a survey');
        return;
      }
      await startFlow(flow, ref, { inbound, handledMessageId: message.id });
      return;
    }

    if (session.status === 'escalated') {
      // An advisor owns the conversation: record, stay silent.
      await deps.sessions.appendTranscript(session.id, [inbound]);
      return;
    }
    if (text === null) {
      await commitMessages(session, [{ kind: 'text', text: TEXT_ONLY_REPLY }], { inbound, handledMessageId: message.id });
      return;
    }

    const awaiting = session.awaiting as Awaiting | null;
    const analysis = await deps.analyzer.analyze(
      {
        question: awaiting?.question ?? 'text',
        text,
        range: awaiting?.range,
        options: awaiting?.options,
        multiple: awaiting?.multiple,
        now,
        timeZone: deps.settings.timeZone,
      },
      { sessionId: session.id },
    );
    const flow = await deps.catalog.version(session.flowId, session.flowVersion);
    const event: EngineEvent = { type: 'user.replied', text, ...(menuId ? { menuId } : {}), analysis };
    let result = runTurn(flow, JSON.parse(session.snapshot), event, now);
    if (deps.escalations && result.status !== 'escalated' && (await deps.escalations.handOverNow(session, result))) {
      result = handOverTurn(flow, result, now) ?? result;
    }
    await commitTurn(session, result, { inbound, handledMessageId: message.id });
  }

  async function handleEnter(message: Extract<InboundMessage, { kind: 'enter_session' }>): Promise<void> {
    const ref = message.conversation;
    const key = conversationKey(ref);
    const customer = await loadCustomer(ref);
    if (customer.optedOut) return;
    const session = await deps.sessions.findOpen(key);
    if (session?.handledMessageIds.includes(message.id)) {
      await flush(session);
      return;
    }
    if (session) {
      if (session.status === 'escalated') return;
      // Came back through a link: pick up where they were.
      const flow = await deps.catalog.version(session.flowId, session.flowVersion);
      const result = runTurn(flow, JSON.parse(session.snapshot), { type: 'user.returned' }, clock());
      await commitTurn(session, result, { handledMessageId: message.id, welcomeCode: message.welcomeCode });
      return;
    }
    const scene = parseSceneParam(message.sceneParam);
    const requested = scene.flowId ? await deps.catalog.published(scene.flowId).catch(() => null) : null;
    if (scene.flowId && !requested) log.warn({ sceneParam: message.sceneParam }, 'entry link names an unknown flow; using the default flow');
    const flow = requested ?? (await deps.catalog.published(deps.settings.defaultFlowId));
    if (!flow) {
      log.error({ flowId: deps.settings.defaultFlowId }, 'default flow is not published; cannot start a survey');
      return;
    }
    await startFlow(flow, ref, { handledMessageId: message.id, welcomeCode: message.welcomeCode, campaign: scene.campaign, reference: scene.reference, scene: message.scene });
  }

  async function recordOnly(message: InboundMessage, entry: TranscriptEntry): Promise<void> {
    const key = conversationKey(message.conversation);
    const session = (await deps.sessions.findOpen(key)) ?? (await deps.escalations?.heldSession(key)) ?? null;
    if (!session || session.handledMessageIds.includes(message.id)) return;
    await deps.sessions.appendTranscript(session.id, [entry]);
    if (deps.escalations && (message.kind === 'servicer_text' || message.kind === 'session_status')) {
      // Bookkeeping (first reply, who holds the chat) must not cost the transcript a replay.
      await deps.escalations.recorded(session, message).catch((error: unknown) => log.error({ err: error, sessionId: session.id }, 'escalation bookkeeping failed'));
    }
  }

  async function startFlow(
    flow: CompiledFlow,
    ref: ConversationRef,
    extra: { inbound?: TranscriptEntry; handledMessageId: string; welcomeCode?: string; campaign?: string; reference?: string; scene?: string },
  ): Promise<void> {
    const now = clock();
    const profile = await deps.channel.customerProfile?.(ref).catch(() => null);
    const customerFields: Record<string, string> = {};
    if (profile?.nickname) customerFields.nickname = profile.nickname;
    if (extra.campaign) customerFields.campaign = extra.campaign;
    if (extra.reference) customerFields.reference = extra.reference;
    // The entry link's WeCom scene, for analytics by entry point.
    if (extra.scene && /^[\w.-]{1,64}$/.test(extra.scene)) customerFields.scene = extra.scene;
    const result = startSession(flow, { customer: customerFields, now });
    const created = await deps.sessions.create({
      conversation: ref,
      conversationKey: conversationKey(ref),
      flowId: result.snapshot.flowId,
      flowVersion: result.snapshot.flowVersion,
      status: result.status,
      answers: result.answers,
      analysis: {},
      transcript: extra.inbound ? [extra.inbound] : [],
      snapshot: JSON.stringify(result.snapshot),
      awaiting: result.awaiting,
      outbox: toOutbox(`${conversationKey(ref)}-${extra.handledMessageId}`, result.messages, result.awaiting, extra.welcomeCode),
      handledMessageIds: [extra.handledMessageId],
      campaign: extra.campaign,
      customerFields,
    });
    log.info({ conversationKey: created.conversationKey, sessionId: created.id, flowId: created.flowId, flowVersion: created.flowVersion }, 'survey started');
    await deps.responses?.sessionChanged(created);
    await runEffects(created, result);
    await flush(created);
  }

  async function commitTurn(
    session: SessionRecord,
    result: TurnResult,
    extra: { inbound?: TranscriptEntry; handledMessageId?: string; welcomeCode?: string },
  ): Promise<void> {
    const now = clock();
    const analysis = { ...session.analysis };
    for (const effect of result.effects) {
      if (effect.type === 'answer.recorded' && effect.analysis) analysis[effect.stepId] = effect.analysis;
      if (effect.type === 'answer.withdrawn') delete analysis[effect.stepId];
    }
    const escalate = result.effects.find((e) => e.type === 'escalate');
    const completed = result.effects.some((e) => e.type === 'completed');
    const usage = deps.takeLlmUsage?.(session.id);
    const update: SessionUpdate = {
      status: result.status,
      answers: result.answers,
      analysis,
      snapshot: JSON.stringify(result.snapshot),
      awaiting: result.awaiting,
      outbox: [...session.outbox, ...toOutbox(`${session.id}-${session.rev + 1}`, result.messages, result.awaiting, extra.welcomeCode)],
      appendTranscript: extra.inbound ? [extra.inbound] : [],
      ...(extra.handledMessageId ? { handledMessageId: extra.handledMessageId } : {}),
      ...(escalate ? { escalation: { trigger: escalate.trigger, reason: escalate.reason, at: now } } : {}),
      ...(completed ? { completedAt: now } : {}),
      ...(usage ? { addLlmUsage: usage } : {}),
    };
    const saved = await deps.sessions.update(session.id, session.rev, update);
    if (!saved) throw new ConflictError('SESSION_CHANGED', 'The session changed during the turn; the turn will be retried', { sessionId: session.id });
    await deps.responses?.sessionChanged(saved);
    await runEffects(saved, result);
    const delivered = await flush(saved);
    await reportToAdvisors(session, saved, result, delivered);
  }

  /**
   * Tells the advisor side about the turn's escalations and hand-over, after the messages went
   * out: the customer hears "a colleague will reply" before WeCom moves the chat to a person
   * (who then owns it, and the API can no longer send).
   */
  async function reportToAdvisors(before: SessionRecord, saved: SessionRecord, result: TurnResult, delivered: TranscriptEntry[]): Promise<void> {
    if (!deps.escalations) return;
    const escalations: EscalationRequest[] = result.effects.flatMap((e) =>
      e.type === 'escalate' ? [{ session: saved, trigger: e.trigger, reason: e.reason, stepId: e.stepId, advisors: e.advisors }] : [],
    );
    const handedOver = before.status !== 'escalated' && saved.status === 'escalated';
    if (!escalations.length && !handedOver) return;
    const last = delivered.at(-1);
    const notice = handedOver && last && last.author === 'bot' ? { text: last.text, delivered: last.delivery === 'sent' } : undefined;
    try {
      await deps.escalations.afterTurn({ session: saved, escalations, handedOver, ...(notice ? { notice } : {}) });
    } catch (error) {
      // The turn is saved and sent; a retry would skip it as handled, so rethrowing helps nobody.
      log.error({ err: error, sessionId: saved.id }, 'escalation could not be handed to the advisor side');
    }
  }

  /** Sends messages that are not an engine turn (e.g. "text only, please"). */
  async function commitMessages(session: SessionRecord, messages: OutboundMessage[], extra: { inbound?: TranscriptEntry; handledMessageId?: string }) {
    const saved = await deps.sessions.update(session.id, session.rev, {
      outbox: [...session.outbox, ...toOutbox(`${session.id}-${session.rev + 1}`, messages, session.awaiting as Awaiting | null)],
      appendTranscript: extra.inbound ? [extra.inbound] : [],
      ...(extra.handledMessageId ? { handledMessageId: extra.handledMessageId } : {}),
    });
    if (!saved) throw new ConflictError('SESSION_CHANGED', 'The session changed during the turn; the turn will be retried', { sessionId: session.id });
    await deps.responses?.sessionChanged(saved);
    await flush(saved);
  }

  async function runEffects(session: SessionRecord, result: TurnResult): Promise<void> {
    for (const effect of result.effects) {
      switch (effect.type) {
        case 'opt_out':
          await deps.customers.upsert(session.conversation, { optedOut: true, optedOutAt: clock() });
          log.info({ conversationKey: session.conversationKey, sessionId: session.id }, 'customer opted out');
          break;
        case 'escalate':
          // Reported to the advisor side after the flush (reportToAdvisors).
          log.info({ conversationKey: session.conversationKey, sessionId: session.id, trigger: effect.trigger }, 'escalation requested');
          break;
        case 'schedule.reminder':
        case 'schedule.expiry': {
          const kind = effect.type === 'schedule.reminder' ? 'reminder' : 'expiry';
          const scheduledAt = clock().toISOString();
          await deps.timers.add(
            { kind, sessionId: session.id, scheduledAt },
            { delayMs: Math.round(effect.afterHours * 3_600_000), jobId: `${kind}-${session.id}-${session.rev}` },
          );
          break;
        }
        case 'completed':
          log.info({ conversationKey: session.conversationKey, sessionId: session.id }, 'survey completed');
          break;
        default:
          break;
      }
    }
  }

  /** Sends the outbox in order with idempotency keys, then clears it and records delivery (returned). */
  async function flush(session: SessionRecord): Promise<TranscriptEntry[]> {
    if (!session.outbox.length) return [];
    const now = clock();
    const entries: TranscriptEntry[] = [];
    let blocked = false;
    for (const pending of session.outbox) {
      let delivery: 'sent' | 'blocked' | 'failed' = 'blocked';
      if (!blocked) {
        try {
          const result = pending.welcomeCode
            ? await deps.channel.welcome(pending.welcomeCode, pending.message)
            : await deps.channel.send(session.conversation, pending.message, { idempotencyKey: pending.key });
          delivery = result.status === 'sent' ? 'sent' : 'blocked';
          // Once the channel refuses (budget, a person holds the chat), the rest would be refused too.
          blocked = result.status !== 'sent';
          if (blocked) log.info({ conversationKey: session.conversationKey, reason: result.status === 'blocked' ? result.reason : undefined }, 'channel refused a reply');
        } catch (error) {
          // A message the channel cannot render will not render on retry: record it as failed.
          // Anything else (network, WeCom down) propagates so the job retries the outbox.
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          log.error({ conversationKey: session.conversationKey, code: error.code, err: error.message }, 'reply could not be sent');
          delivery = 'failed';
        }
      }
      entries.push({ ...botEntry(outboundText(pending.message), pending.key, now, delivery), ...(pending.stepId ? { stepId: pending.stepId } : {}) });
    }
    let current: SessionRecord | null = session;
    for (let attempt = 0; attempt < 3 && current; attempt++) {
      const sentKeys = new Set(session.outbox.map((p) => p.key));
      const saved = await deps.sessions.update(current.id, current.rev, {
        outbox: current.outbox.filter((p) => !sentKeys.has(p.key)),
        appendTranscript: entries,
      });
      if (saved) {
        // The questions just sent are now in the transcript: analytics counts them as reached.
        await deps.responses?.sessionChanged(saved);
        return entries;
      }
      current = await deps.sessions.findById(session.id);
    }
    throw new ConflictError('SESSION_CHANGED', 'Could not record delivered messages', { sessionId: session.id });
  }

  async function handleTimer(job: TimerJob): Promise<void> {
    const found = await deps.sessions.findById(job.sessionId);
    if (!found) return;
    await deps.locks.withLock(`conv:${found.conversationKey}`, async () => {
      const session = await deps.sessions.findById(job.sessionId);
      if (!session || !['active', 'paused'].includes(session.status)) return;
      const scheduledAt = Date.parse(job.scheduledAt);
      // Any customer message since scheduling makes this timer stale (a newer one replaced it).
      if (session.transcript.some((t) => t.direction === 'in' && t.author === 'customer' && t.at.getTime() > scheduledAt)) return;
      const flow = await deps.catalog.version(session.flowId, session.flowVersion);
      const event: EngineEvent = job.kind === 'reminder' ? { type: 'reminder.due' } : { type: 'session.expired' };
      const result = runTurn(flow, JSON.parse(session.snapshot), event, clock());
      // Only the engine decides whether a reminder goes out (once per question).
      await commitTurn(session, { ...result, effects: result.effects.filter((e) => e.type !== 'schedule.reminder') }, {});
      log.info({ sessionId: session.id, kind: job.kind, status: result.status }, 'timer handled');
    });
  }

  /** Runs `fn` on the session under its conversation lock, with the session re-read inside. */
  async function underLock<T>(sessionId: string, fn: (session: SessionRecord) => Promise<T>): Promise<T> {
    const found = await deps.sessions.findById(sessionId);
    if (!found) throw new NotFoundError('SESSION_NOT_FOUND', `No session ${sessionId}`);
    return deps.locks.withLock(
      `conv:${found.conversationKey}`,
      async () => {
        const session = await deps.sessions.findById(sessionId);
        if (!session) throw new NotFoundError('SESSION_NOT_FOUND', `No session ${sessionId}`);
        return fn(session);
      },
      { ttlMs: 60_000, waitMs: 30_000 },
    );
  }

  async function handOver(sessionId: string): Promise<boolean> {
    return underLock(sessionId, async (session) => {
      if (session.status !== 'active' && session.status !== 'paused') return false;
      const flow = await deps.catalog.version(session.flowId, session.flowVersion);
      const result = runTurn(flow, JSON.parse(session.snapshot), HAND_OVER_EVENT, clock());
      if (result.status !== 'escalated') return false;
      await commitTurn(session, { ...result, effects: result.effects.filter((e) => e.type !== 'escalate') }, {});
      log.info({ sessionId, conversationKey: session.conversationKey }, 'handed over to a person');
      return true;
    });
  }

  async function releaseToBot(sessionId: string, options: { mode: ReleaseMode; eventCode?: string }): Promise<boolean> {
    return underLock(sessionId, async (session) => {
      if (session.status !== 'escalated') return false;
      const flow = await deps.catalog.version(session.flowId, session.flowVersion);
      const result = runTurn(flow, JSON.parse(session.snapshot), { type: 'agent.released', resume: options.mode === 'resume' }, clock());
      const quiet = options.mode === 'silent' ? { ...result, messages: [] } : result;
      await commitTurn(session, quiet, options.eventCode && options.mode !== 'silent' ? { welcomeCode: options.eventCode } : {});
      log.info({ sessionId, conversationKey: session.conversationKey, mode: options.mode, status: result.status }, 'released to the bot');
      return true;
    });
  }

  async function appendTranscript(sessionId: string, entries: TranscriptEntry[]): Promise<void> {
    // Under the lock: a turn's update and this append would otherwise race (FerretDB updates are not isolated).
    await underLock(sessionId, (session) => deps.sessions.appendTranscript(session.id, entries));
  }

  return { accept, drain, handleTimer, handOver, releaseToBot, appendTranscript };
}

/**
 * The engine enters its `escalated` state only on the escalate intent, so a hand-over decided
 * outside it (an automatic trigger) is fed to it as one: the bot then says the flow's
 * `escalated` line, stays silent, and `agent.released` resumes at the question it stopped on.
 */
const HAND_OVER_ANALYSIS: Analysis = { intent: 'escalate', score: null, sentiment: null, topics: [], timing: null, products: [], choices: null, source: {} };
const HAND_OVER_EVENT: EngineEvent = { type: 'user.replied', text: '', analysis: HAND_OVER_ANALYSIS };

/**
 * Turns a turn's result into a hand-over: answers and effects of the turn are kept, its next
 * question is replaced by the `escalated` line, and no reminder is scheduled. Null when the
 * session cannot be handed over any more (the turn finished the survey).
 */
function handOverTurn(flow: CompiledFlow, result: TurnResult, now: Date): TurnResult | null {
  if (result.status !== 'active' && result.status !== 'paused') return null;
  const handed = runTurn(flow, result.snapshot, HAND_OVER_EVENT, now);
  if (handed.status !== 'escalated') return null;
  return {
    ...handed,
    effects: [
      ...result.effects.filter((e) => e.type !== 'schedule.reminder' && e.type !== 'schedule.expiry'),
      ...handed.effects.filter((e) => e.type !== 'escalate'),
    ],
  };
}

function toOutbox(keyBase: string, messages: OutboundMessage[], awaiting: Awaiting | null, welcomeCode?: string): PendingSend[] {
  const stepId = awaiting?.stepId;
  const list: PendingSend[] = [];
  let rest = messages;
  if (welcomeCode) {
    const merged = mergeForWelcome(messages);
    if (merged.welcome) list.push({ key: `${keyBase}-w`, message: merged.welcome, welcomeCode, ...(stepId ? { stepId } : {}) });
    rest = merged.rest;
  }
  rest.forEach((message, index) => list.push({ key: `${keyBase}-${index}`, message, ...(stepId ? { stepId } : {}) }));
  return list;
}

function botEntry(text: string, key: string, at: Date, delivery: 'sent' | 'blocked' | 'failed'): TranscriptEntry {
  return { direction: 'out', author: 'bot', text, at, messageId: key, delivery };
}

/** Our own inbox items: JSON with the date as a string. Anything else is skipped. */
function reviveInbound(raw: string): InboundMessage | null {
  try {
    const value = JSON.parse(raw) as InboundMessage & { sentAt: string };
    if (!value || typeof value.id !== 'string' || !value.conversation || typeof value.kind !== 'string') return null;
    return { ...value, sentAt: new Date(value.sentAt) } as InboundMessage;
  } catch {
    return null;
  }
}
