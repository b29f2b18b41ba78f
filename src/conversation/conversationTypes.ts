import type { Analyzer } from '../core/analysis.ts';
import type { EntryResolver, ReminderPolicy } from '../core/campaigns.ts';
import type { Logger } from '../core/logger.ts';
import type { InboundMessage } from '../core/messages.ts';
import type { ChannelPort, ConversationInbox, DeadLetterStore, LockService, MediaStore, OutboxProgress, SpeechTranscriber, TimerSchedule } from '../core/ports.ts';
import type { CustomerRepository, SessionFollowUp, SessionMilestone, SessionRecord, SessionRepository, TranscriptEntry } from '../core/sessions.ts';
import type { FlowCatalog, TurnResult } from '../engine/index.ts';

/** A timer of one session: the idle reminder or expiry. */
export interface TimerJob {
  kind: 'reminder' | 'expiry';
  sessionId: string;
  /** When it was set (ISO): a customer message after that makes it stale. */
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
  /**
   * When handed over: the line telling the customer a colleague will reply, whether WeCom took
   * it, and `uncertain` when its send got no answer (WeCom may have taken it: do not say it again).
   */
  notice?: { text: string; delivered: boolean; uncertain?: boolean };
}

/** The advisor side (src/escalation/) as the conversation layer sees it. */
export interface EscalationHooks {
  /**
   * Asked before a customer's turn is saved: should the bot hand the conversation to a person in
   * this turn? (an automatic trigger fired, or a detractor has now said why). The intent
   * "转人工" needs no asking: the engine hands over by itself.
   */
  handOverNow(session: SessionRecord, result: TurnResult): Promise<boolean>;
  /**
   * Carries out the escalation part of a saved turn's outbox, after its messages went out. It is
   * replayed after a crash or a failed step, so it must be idempotent; throwing retries the turn.
   */
  afterTurn(outcome: TurnOutcome): Promise<void>;
  /** A servicer's message or a WeCom session state change was recorded on an open session. */
  recorded(session: SessionRecord, message: InboundMessage): Promise<void>;
  /**
   * The session an active escalation still holds for this conversation, when the survey itself
   * has ended (e.g. a complaint in the last answer): advisors' messages are recorded there.
   */
  heldSession(conversationKey: string): Promise<SessionRecord | null>;
}

/** The analytics side as the conversation layer sees it: told about every saved revision. */
export interface ResponseHooks {
  /** Idempotent per revision and safe out of order; replayed with the rest of the outbox. */
  sessionChanged(session: SessionRecord): Promise<void>;
}

/** A milestone of a saved session, handed to the follow-up side (src/followup/). */
export interface SessionMilestoneReport {
  session: SessionRecord;
  event: SessionMilestone;
  /** When the session reached it (the turn's time). */
  at: Date;
}

/** The follow-up side as the conversation layer sees it. */
export interface FollowUpHooks {
  /**
   * Carries out the follow-up part of a saved revision's outbox: only records and enqueues
   * (rules, tasks, tags, webhook deliveries), so it is quick. Replayed after a crash or a failed
   * step, so it must be idempotent; throwing retries the turn.
   */
  afterMilestone(report: SessionMilestoneReport): Promise<void>;
}

/** How `releaseToBot` gives the conversation back: resume the survey, thank and finish, or finish silently. */
export type ReleaseMode = 'resume' | 'finish' | 'silent';

export interface ConversationDeps {
  channel: ChannelPort;
  analyzer: Analyzer;
  /** Reads replies as answers to the other steps they may fill in passing (the rules); default `analyzer`. */
  passingAnalyzer?: Analyzer;
  sessions: SessionRepository;
  customers: CustomerRepository;
  catalog: FlowCatalog;
  inbox: ConversationInbox;
  locks: LockService;
  /** Which revisions' outboxes were carried out. */
  progress: OutboxProgress;
  /** Reminders and expiry, one named timer per session and kind. */
  timers: TimerSchedule;
  /** Inbound items that kept failing, for admins. */
  deadLetters: DeadLetterStore;
  /** Durable queue that runs `drain(conversationKey)` in some process. */
  turns: { add(data: { conversationKey: string }, options?: { jobId?: string }): Promise<void> };
  /** `turnConcurrency`: conversations drained at once in this process (default 8). */
  settings: { timeZone: string; defaultFlowId: string; restartCooldownHours?: number; turnConcurrency?: number };
  logger: Logger;
  now?: () => Date;
  /** The advisor side; without it escalations are only recorded on the session. */
  escalations?: EscalationHooks;
  /** Analytics; told about every saved revision through the outbox. */
  responses?: ResponseHooks;
  /** Campaign invitations behind entry links; without it `scene_param` only names a flow. */
  entries?: EntryResolver;
  /** Whether a due idle reminder goes out now; without it every reminder the engine asks for does. */
  reminders?: ReminderPolicy;
  /** Takes the LLM tokens spent for a session since the last call (recorded per session). */
  takeLlmUsage?: (sessionId: string) => { promptTokens: number; completionTokens: number; calls: number } | undefined;
  /** Follow-up rules, tasks, tags and webhooks; without it milestones are only logged. */
  followUp?: FollowUpHooks;
  /** Keeps customers' voice notes and pictures for advisors; without it they are recorded as references only. */
  media?: MediaStore;
  /** Speech to text for voice notes; without it the customer is kindly asked to type. */
  speech?: SpeechTranscriber;
}

export interface ConversationService {
  /** Accepts an inbound message durably (into its conversation's inbox) and handles it soon in this process. */
  accept(message: InboundMessage): Promise<void>;
  /** Handles everything queued for one conversation, in order, under its lock. */
  drain(conversationKey: string): Promise<void>;
  /** Handles the timers that are due (reminders, expiry); returns how many. */
  runDueTimers(): Promise<number>;
  /**
   * Queues a turn job for conversations whose waiting messages had no attention for a while (the
   * process handling them died, or their retries ran out); returns how many.
   */
  resumeStranded(options?: { olderThanMs?: number }): Promise<number>;
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
  /** Puts a dead-lettered item back at the end of its conversation's inbox. */
  requeue(deadLetterId: string): Promise<boolean>;
  /** Resolves once no conversation is being handled in this process. */
  whenIdle(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops taking new work here and waits for turns in progress. */
  stop(): Promise<void>;
  /**
   * Records follow-up outcomes on a session (a revision-guarded update under its conversation
   * lock, like any other change) with what `change` makes of the current ones; analytics hears
   * of it. Returns the saved session.
   */
  recordFollowUp(sessionId: string, change: (current: SessionFollowUp | undefined) => SessionFollowUp): Promise<SessionRecord>;
}

/** The per-conversation lock every change of a session runs under (turns, timers, advisors, follow-up). */
export const CONVERSATION_LOCK = { ttlMs: 60_000, waitMs: 30_000 };
