import { AppError, NotFoundError } from '../core/errors.ts';
import { conversationKey, type InboundMessage } from '../core/messages.ts';
import { openSessionStatuses, type SessionRecord, type TranscriptEntry, type TranscriptMedia } from '../core/sessions.ts';
import { runTurn, SnapshotMismatchError, type CompiledFlow, type EngineEvent, type TurnResult } from '../engine/index.ts';
import type { Logger } from '../core/logger.ts';
import type { ConversationDeps } from './conversationTypes.ts';
import { createMediaReader } from './customerMedia.ts';
import { createCustomerOptOut } from './customerOptOut.ts';
import { createEntryFlows } from './entryFlows.ts';
import type { OutboxRunner } from './outboxRunner.ts';
import { createReplyTurn } from './replyTurn.ts';
import type { SessionCommits } from './sessionCommits.ts';

export const CLOSED_REPLY = '感谢您的反馈，本次回访已经完成。如需帮助请直接留言，我们的同事会尽快联系您。';
const TEXT_ONLY_REPLY = '抱歉，我目前只能看懂文字消息，麻烦您用文字回复哦～';

/** A session the engine cannot run any more (its snapshot or flow version is unreadable). */
export class SessionUnusableError extends AppError {
  readonly sessionId: string;
  constructor(sessionId: string, cause: unknown) {
    super('SESSION_UNUSABLE', `Session ${sessionId} cannot be continued: ${cause instanceof Error ? cause.message : String(cause)}`, {
      status: 500,
      context: { sessionId },
      cause,
      retryable: false,
    });
    this.sessionId = sessionId;
  }
}

/**
 * What each kind of inbound message does: customer text starts or continues a survey (or gets a
 * closing line, or is only recorded while an advisor has the chat), an entry link starts the
 * flow it names, and advisors' messages and WeCom events are recorded. Every handler first
 * finishes what the session's last revision still owes (`outbox.complete`), so replies go out in
 * order and a replayed message only completes its own turn.
 */
export function createInboundHandlers(deps: ConversationDeps, outbox: OutboxRunner, commits: SessionCommits, clock: () => Date) {
  const log = deps.logger.child({ module: 'conversation' });
  const cooldownMs = (deps.settings.restartCooldownHours ?? 24) * 3_600_000;
  const optOut = createCustomerOptOut(deps);
  const { entryStart, defaultFlow } = createEntryFlows(deps, clock);
  const mediaReader = createMediaReader(deps);

  /** The conversation's newest session, with whatever its last revision owes carried out. */
  async function latestSession(key: string): Promise<SessionRecord | null> {
    const session = await deps.sessions.findLatest(key);
    if (session) await outbox.complete(session);
    return session;
  }

  const runOn = (session: SessionRecord, event: EngineEvent, now: Date) => runSessionTurn(deps.catalog, session, event, now);
  const replyTurn = createReplyTurn(deps, runOn);

  /**
   * What the customer said, read like typed text; `text` null when there are no words to read
   * (a picture, a voice note not understood): then `unread.reply` is said, and with `reask` the
   * current question again.
   */
  async function customerText(
    message: InboundMessage,
    text: string | null,
    menuId: string | undefined,
    unread: { reply: string; reask?: boolean; media?: TranscriptMedia } = { reply: TEXT_ONLY_REPLY },
  ): Promise<void> {
    const now = clock();
    const ref = message.conversation;
    const key = conversationKey(ref);
    const latest = await latestSession(key);
    if (latest?.handledMessageIds.includes(message.id)) return;
    const inbound = inboundEntry(message, text, menuId, unread.media);
    const session = latest && openSessionStatuses.includes(latest.status) ? latest : null;
    if (!session) return notSurveying(message, text, latest, inbound, now);
    const extra = { inbound, handledMessageId: message.id };
    // An advisor owns the conversation: record, stay silent.
    if (session.status === 'escalated') return void (await commits.commit(session, {}, extra));
    if (text === null) {
      // One message, so the re-ask costs the customer's 5-message allowance nothing extra.
      const again = unread.reask && session.lastBotText ? `\n${session.lastBotText}` : '';
      return void (await commits.commit(session, { messages: [{ kind: 'text', text: `${unread.reply}${again}` }] }, extra));
    }

    const result = await replyTurn(session, text, menuId, now);
    await commits.commit(session, { result }, extra);
  }

  /** A customer writes with no survey running: opted out, just finished one, or a new survey. */
  async function notSurveying(message: InboundMessage, text: string | null, latest: SessionRecord | null, inbound: TranscriptEntry, now: Date): Promise<void> {
    const ref = message.conversation;
    if (await optOut.answerOptedOut(message, text)) return;
    if (latest && now.getTime() - latest.updatedAt.getTime() < cooldownMs) {
      // A "谢谢" after a finished survey must not start it again; the closing line is said once.
      const messages = latest.lastBotText === CLOSED_REPLY ? [] : [{ kind: 'text' as const, text: CLOSED_REPLY }];
      await commits.commit(latest, { messages }, { inbound, handledMessageId: message.id });
      return;
    }
    const flow = await defaultFlow();
    if (!flow) return;
    await commits.start(flow, ref, { inbound, handledMessageId: message.id });
  }

  async function enter(message: Extract<InboundMessage, { kind: 'enter_session' }>): Promise<void> {
    const ref = message.conversation;
    const key = conversationKey(ref);
    const latest = await latestSession(key);
    if (latest?.handledMessageIds.includes(message.id)) return;
    if (await optOut.isOptedOut(key)) return;
    const session = latest && openSessionStatuses.includes(latest.status) ? latest : null;
    if (session) {
      if (session.status === 'escalated') return;
      // Came back through a link: pick up where they were.
      const { result } = await runOn(session, { type: 'user.returned' }, clock());
      await commits.commit(session, { result }, { handledMessageId: message.id, welcomeCode: message.welcomeCode });
      return;
    }
    const entry = await entryStart(message);
    if (!entry) return;
    await commits.start(entry.flow, ref, { handledMessageId: message.id, welcomeCode: message.welcomeCode, ...entry.extra });
  }

  /** A voice note is read as its transcript when heard; a picture or an unheard note is kept, acknowledged, and the question asked again. */
  async function customerMedia(message: Extract<InboundMessage, { kind: 'media' }>): Promise<void> {
    const latest = await latestSession(conversationKey(message.conversation));
    if (latest?.handledMessageIds.includes(message.id)) return;
    const reading = await mediaReader.read(message);
    if (reading.text !== null) return customerText(message, reading.text, undefined, { reply: TEXT_ONLY_REPLY, media: reading.media });
    return customerText(message, null, undefined, { reply: reading.reply, reask: true, media: reading.media });
  }

  const recordOnly = (message: InboundMessage, entry: TranscriptEntry) => recordOnOpenSession({ deps, outbox, commits, latestSession, log }, message, entry);

  async function handle(message: InboundMessage): Promise<void> {
    log.debug({ conversationKey: conversationKey(message.conversation), msgId: message.id, kind: message.kind }, 'handling inbound message');
    switch (message.kind) {
      case 'text':
        return customerText(message, message.text, message.menuId);
      case 'unsupported':
        return customerText(message, null, undefined);
      case 'media':
        return customerMedia(message);
      case 'enter_session':
        return enter(message);
      case 'servicer_text':
        return recordOnly(message, { direction: 'out', author: 'advisor', text: message.text, at: message.sentAt, messageId: message.id, advisorId: message.servicerId });
      case 'send_failed':
        return recordOnly(message, { direction: 'out', author: 'system', text: `消息发送失败（${message.failType}）`, at: message.sentAt, messageId: message.id, delivery: 'failed' });
      case 'session_status':
        return recordOnly(message, { direction: 'in', author: 'system', text: sessionStatusText(message.changeType), at: message.sentAt, messageId: message.id });
    }
  }

  return { handle, latestSession, runOn };
}

export type InboundHandlers = ReturnType<typeof createInboundHandlers>;

const MEDIA_LABELS = { voice: '[语音]', image: '[图片]' } as const;

function inboundEntry(message: InboundMessage, text: string | null, menuId: string | undefined, media?: TranscriptMedia): TranscriptEntry {
  const label = message.kind === 'media' ? MEDIA_LABELS[message.mediaType] : `[${message.kind === 'unsupported' ? message.msgType : '消息'}]`;
  return {
    direction: 'in',
    author: 'customer',
    // A heard voice note reads as its words, marked as voice; the audio stays beside it.
    text: text === null ? label : message.kind === 'media' ? `${label} ${text}` : text,
    at: message.sentAt,
    messageId: message.id,
    ...(menuId ? { menuId } : {}),
    ...(media ? { media } : {}),
  };
}

/** The flow version a session runs on, and its restored turn; unreadable ones end the session. */
export async function runSessionTurn(catalog: ConversationDeps['catalog'], session: SessionRecord, event: EngineEvent, now: Date): Promise<{ flow: CompiledFlow; result: TurnResult }> {
  try {
    const flow = await catalog.version(session.flowId, session.flowVersion);
    return { flow, result: runTurn(flow, JSON.parse(session.snapshot), event, now) };
  } catch (error) {
    if (error instanceof SnapshotMismatchError || error instanceof NotFoundError || error instanceof SyntaxError) throw new SessionUnusableError(session.id, error);
    throw error;
  }
}

/** Advisors' messages and WeCom events: recorded on the open session, or the one an escalation holds. */
async function recordOnOpenSession(
  ctx: { deps: ConversationDeps; outbox: OutboxRunner; commits: SessionCommits; latestSession: (key: string) => Promise<SessionRecord | null>; log: Logger },
  message: InboundMessage,
  entry: TranscriptEntry,
): Promise<void> {
  const { deps, outbox, commits, log } = ctx;
  const key = conversationKey(message.conversation);
  const latest = await ctx.latestSession(key);
  const session = latest && openSessionStatuses.includes(latest.status) ? latest : ((await deps.escalations?.heldSession(key)) ?? null);
  if (!session || session.handledMessageIds.includes(message.id)) return;
  if (session !== latest) await outbox.complete(session);
  const saved = await commits.commit(session, {}, { inbound: entry, handledMessageId: message.id });
  if (deps.escalations && (message.kind === 'servicer_text' || message.kind === 'session_status')) {
    // Bookkeeping (first reply, who holds the chat) must not cost the transcript a replay.
    await deps.escalations.recorded(saved, message).catch((error: unknown) => log.error({ err: error, sessionId: saved.id }, 'escalation bookkeeping failed'));
  }
}

// WeCom's change_type values (kf/sync_msg event session_status_change) in words.
const SESSION_STATUS_TEXT: Record<number, string> = { 1: '企业微信：接待人员接入了会话', 2: '企业微信：会话转给了另一位接待人员', 3: '企业微信：接待人员结束了会话', 4: '企业微信：接待人员重新接入了已结束的会话' };

/** A WeCom session-status event as the transcript says it. */
export function sessionStatusText(changeType: number | string): string {
  return SESSION_STATUS_TEXT[Number(changeType)] ?? '企业微信：会话状态有变化';
}
