import { isRetryableError } from '../core/errors.ts';
import { conversationKey, type InboundMessage } from '../core/messages.ts';
import { CONVERSATION_LOCK, type ConversationDeps, type ConversationService } from './conversationTypes.ts';
import { createInboundHandlers, SessionUnusableError } from './inboundHandlers.ts';
import { createConversationTimers } from './conversationTimers.ts';
import { createOutboxRunner } from './outboxRunner.ts';
import { createSessionControl } from './sessionControl.ts';
import { createSessionCommits } from './sessionCommits.ts';
import { createTurnDispatcher } from './turnDispatcher.ts';

export type {
  ConversationDeps,
  ConversationService,
  EscalationHooks,
  EscalationRequest,
  FollowUpHooks,
  ReleaseMode,
  SessionMilestoneReport,
  TimerJob,
  TurnOutcome,
} from './conversationTypes.ts';

/** A poison item is set aside after failing this many times (failures that may pass do not count). */
const MAX_ITEM_FAILURES = 3;
/** Said to a customer whose message had to be set aside: received, nothing for them to do. */
const SET_ASIDE_REPLY = '收到，谢谢您！';
/** Waiting messages with no attention for this long lost their process: queue a job for them. */
const STRANDED_AFTER_MS = 30_000;

/**
 * The conversation turn: dedupe → per-conversation lock → load → understand → engine →
 * persist → send. Each inbound message becomes one revision-guarded session update holding the
 * new state and an outbox of what it owes (replies, transcript, escalation, opt-out, timers);
 * the outbox is then carried out and every part of it is safe to replay, so a crash or an outage
 * delays work but never loses or doubles it. A message that keeps failing for a reason that will
 * not pass is set aside as a dead letter so the conversation goes on.
 *
 * @example
 * const conversation = createConversationService(deps);
 * await conversation.accept(message); // from the channel
 * await conversation.drain(conversationKey(message.conversation)); // from the turn queue worker
 */
export function createConversationService(deps: ConversationDeps): ConversationService {
  const log = deps.logger.child({ module: 'conversation' });
  const clock = deps.now ?? (() => new Date());
  const outbox = createOutboxRunner({ ...deps, now: clock });
  const commits = createSessionCommits(deps, outbox, clock);
  const inbound = createInboundHandlers(deps, outbox, commits, clock);
  const timers = createConversationTimers(deps, outbox, commits, inbound, clock);
  const control = createSessionControl(deps, outbox, commits, inbound, clock);

  const dispatcher = createTurnDispatcher({ drain: (key) => drain(key), turns: deps.turns, concurrency: deps.settings.turnConcurrency ?? 8, logger: deps.logger });

  async function accept(message: InboundMessage): Promise<void> {
    const key = conversationKey(message.conversation);
    // Once in the inbox the message is safe: this process handles it now, the sweep if it dies.
    await deps.inbox.push(key, JSON.stringify(message));
    dispatcher.kick(key);
    log.debug({ conversationKey: key, msgId: message.id }, 'accepted');
  }

  async function drain(key: string): Promise<void> {
    const more = await deps.locks.withLock(
      `conv:${key}`,
      async () => {
        // Bounded so one busy conversation cannot hold a worker forever; the rest gets its own job.
        // The ack hands back the next item, so a message costs one inbox round trip after the first.
        let raw = await deps.inbox.peek(key);
        for (let handled = 0; handled < 50 && raw !== null; handled++) {
          await handleItem(key, raw);
          raw = await deps.inbox.ack(key);
        }
        return raw !== null;
      },
      CONVERSATION_LOCK,
    );
    if (more) dispatcher.kick(key);
  }

  /** Handles one inbox item; failures that may pass are rethrown (the job retries), poison is set aside. */
  async function handleItem(key: string, raw: string): Promise<void> {
    const message = reviveInbound(raw);
    if (!message) {
      await setAside(key, raw, { code: 'INBOX_ITEM_UNREADABLE', message: 'not an inbound message' }, 1);
      return;
    }
    try {
      await inbound.handle(message);
    } catch (error) {
      if (isRetryableError(error)) throw error;
      const failures = await deps.inbox.noteFailure(key, message.id);
      log.warn({ conversationKey: key, msgId: message.id, failures, err: error }, 'inbound message failed');
      if (failures < MAX_ITEM_FAILURES) throw error;
      await setAside(key, raw, describe(error), failures);
      await afterSetAside(message, error);
    }
  }

  async function setAside(key: string, raw: string, error: { code: string; message: string }, attempts: number): Promise<void> {
    const letter = await deps.deadLetters.add({ conversationKey: key, item: raw, error, attempts, at: clock() });
    log.error({ conversationKey: key, deadLetterId: letter.id, code: error.code }, 'inbound message set aside as a dead letter');
  }

  /** The customer hears their message arrived; a session the engine cannot run any more is closed. */
  async function afterSetAside(message: InboundMessage, error: unknown): Promise<void> {
    if (error instanceof SessionUnusableError) {
      const session = await deps.sessions.findById(error.sessionId);
      const closed = session && (await deps.sessions.update(session.id, session.rev, { status: 'expired', outbox: [{ kind: 'cancel_timers' }, { kind: 'record' }] }));
      if (closed) await outbox.complete(closed);
    }
    // Only something the customer did say is acknowledged (a corrupt item may carry no words).
    const said = (message.kind === 'text' && typeof message.text === 'string' && message.text.trim() !== '') || message.kind === 'unsupported';
    if (!said) return;
    await deps.channel.send(message.conversation, { kind: 'text', text: SET_ASIDE_REPLY }, { idempotencyKey: `aside-${message.id}` }).catch((e: unknown) => {
      log.warn({ err: e, msgId: message.id }, 'could not acknowledge a set-aside message');
    });
  }

  async function resumeStranded(options: { olderThanMs?: number } = {}): Promise<number> {
    const keys = await deps.inbox.stranded(new Date(clock().getTime() - (options.olderThanMs ?? STRANDED_AFTER_MS)), 100);
    for (const key of keys) await deps.turns.add({ conversationKey: key });
    if (keys.length) log.warn({ conversations: keys.length }, 'queued turns for waiting messages that had lost their job');
    return keys.length;
  }

  async function requeue(deadLetterId: string): Promise<boolean> {
    const letter = await deps.deadLetters.findById(deadLetterId);
    if (!letter || letter.status !== 'open') return false;
    await deps.inbox.push(letter.conversationKey, letter.item);
    await deps.turns.add({ conversationKey: letter.conversationKey });
    await deps.deadLetters.setStatus(letter.id, 'requeued');
    log.info({ deadLetterId, conversationKey: letter.conversationKey }, 'dead letter put back in its inbox');
    return true;
  }

  return {
    accept,
    drain,
    runDueTimers: timers.runDueTimers,
    resumeStranded,
    ...control,
    requeue,
    whenIdle: (options) => dispatcher.whenIdle(options),
    stop: () => dispatcher.stop(),
  };
}

function describe(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown }).code;
  return {
    code: typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN',
    message: (error instanceof Error ? error.message : String(error)).slice(0, 2000),
  };
}

/** Our own inbox items: JSON with the date as a string. Anything else is not ours to handle. */
function reviveInbound(raw: string): InboundMessage | null {
  try {
    const value = JSON.parse(raw) as InboundMessage & { sentAt: string };
    if (!value || typeof value.id !== 'string' || !value.conversation || typeof value.kind !== 'string') return null;
    return { ...value, sentAt: new Date(value.sentAt) } as InboundMessage;
  } catch {
    return null;
  }
}
