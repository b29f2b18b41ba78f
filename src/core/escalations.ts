import type { ConversationRef } from './messages.ts';
import type { ServiceState } from './ports.ts';

/**
 * Escalations to human advisors and the advisors themselves, as the escalation layer sees them.
 * `store/` implements the repositories (MongoDB) and the runtime store (Redis); nothing here
 * knows mongoose or ioredis.
 */

export type EscalationStatus = 'open' | 'assigned' | 'resolved';
/** Statuses of an escalation that still waits for (or is with) an advisor. */
export const activeEscalationStatuses: readonly EscalationStatus[] = ['open', 'assigned'];

/**
 * Where the WeCom hand-over stands: `waiting_reason` (a detractor is telling us why; hand over
 * once they have), `pending` (transfer queued), `person` (state 3 with a servicer), `queue`
 * (state 2), `ended` (the WeCom session had ended), `skipped` (no transfer, e.g. not a kf chat).
 */
export type HandOverState = 'waiting_reason' | 'pending' | 'person' | 'queue' | 'ended' | 'skipped';

/** How a resolve gives the conversation back: not at all, resume the survey, or thank and finish. */
export type HandBack = 'none' | 'resume' | 'finish';

/** One recorded action on an escalation (who did what, when). */
export interface EscalationAction {
  at: Date;
  /** Advisor id, `wecom:<userid>` for a servicer in the WeCom client, `admin`, or `system`. */
  by: string;
  action: string;
  detail?: string;
}

/** A one-message code WeCom returned from `service_state/trans`, usable while that state lasts. */
export interface EventCode {
  code: string;
  state: ServiceState;
  issuedAt: Date;
  used: boolean;
}

export interface EscalationRecord {
  id: string;
  sessionId: string;
  conversation: ConversationRef;
  conversationKey: string;
  flowId: string;
  trigger: string;
  /** Why, as the engine put it (e.g. "NPS 3 分（贬损者）"). */
  reason: string;
  /** The customer's latest words at hand-over time. */
  customerWords?: string;
  /** Two lines about the conversation (LLM when configured, rules otherwise). */
  summary: string[];
  summarySource?: 'rules' | 'llm';
  nickname?: string;
  /** The NPS answer, when the customer gave one. */
  score?: number;
  status: EscalationStatus;
  handover: HandOverState;
  /** Step whose answer completes a deferred hand-over (`waiting_reason`). */
  reasonStepId?: string;
  /** WeCom user ids configured on the flow (round-robin candidates). */
  advisors: string[];
  /** Last known WeCom service_state and servicer. */
  wecomState?: ServiceState;
  servicerId?: string;
  eventCode?: EventCode;
  /** Advisor id (or `wecom:<userid>`) who has it. */
  assignedTo?: string;
  createdAt: Date;
  updatedAt: Date;
  /** When the customer was handed to a person or the queue: the SLA clock starts here. */
  handedOverAt?: Date;
  assignedAt?: Date;
  firstReplyAt?: Date;
  firstReplyBy?: string;
  firstReplySeconds?: number;
  resolvedAt?: Date;
  resolvedBy?: string;
  handBack?: HandBack;
  /** Notification rounds sent (1 = first notice, 2+ = reminders). */
  notifiedRounds: number;
  lastNotifiedAt?: Date;
  actions: EscalationAction[];
}

export type NewEscalation = Pick<
  EscalationRecord,
  'sessionId' | 'conversation' | 'conversationKey' | 'flowId' | 'trigger' | 'reason' | 'handover' | 'advisors'
> &
  Partial<Pick<EscalationRecord, 'reasonStepId' | 'nickname' | 'score'>>;

/** Field changes to an escalation; `undefined` leaves a field alone. */
export type EscalationChanges = Partial<
  Pick<
    EscalationRecord,
    | 'status'
    | 'handover'
    | 'customerWords'
    | 'summary'
    | 'summarySource'
    | 'nickname'
    | 'score'
    | 'wecomState'
    | 'servicerId'
    | 'eventCode'
    | 'assignedTo'
    | 'handedOverAt'
    | 'assignedAt'
    | 'resolvedAt'
    | 'resolvedBy'
    | 'handBack'
    | 'notifiedRounds'
    | 'lastNotifiedAt'
  >
>;

export interface EscalationRepository {
  /**
   * Opens an escalation for the session unless one is already open (any trigger): then that one
   * is returned with `created: false`. Safe under races (a unique key while open).
   */
  openOnce(input: NewEscalation, action: EscalationAction): Promise<{ record: EscalationRecord; created: boolean }>;
  findById(id: string): Promise<EscalationRecord | null>;
  /** The session's open or assigned escalation, if any. */
  findActiveBySession(sessionId: string): Promise<EscalationRecord | null>;
  /** The newest open or assigned escalation of a conversation, if any. */
  findActiveByConversation(conversationKey: string): Promise<EscalationRecord | null>;
  /** Open and assigned escalations, oldest first. */
  listActive(limit: number): Promise<EscalationRecord[]>;
  /** Resolved escalations, newest first. */
  listResolved(limit: number): Promise<EscalationRecord[]>;
  /**
   * Applies `changes` and appends `action`; with `onlyIf`, only when the stored record matches
   * (status among these, notifiedRounds below a number). Returns the updated record or null.
   */
  update(
    id: string,
    changes: EscalationChanges,
    action?: EscalationAction,
    onlyIf?: { status?: readonly EscalationStatus[]; handover?: readonly HandOverState[]; notifiedRoundsBelow?: number },
  ): Promise<EscalationRecord | null>;
  /** Records the first advisor reply, only if none is recorded yet; true when this one was first. */
  markFirstReply(id: string, at: Date, by: string): Promise<boolean>;
  /** Marks the stored event code used, only if it is this one and still unused; true when it was. */
  useEventCode(id: string, code: string): Promise<boolean>;
}

export interface AdvisorRecord {
  /** Short id chosen by the admin: lowercase letters, digits, `_` and `-`. */
  id: string;
  name: string;
  /** Their WeCom user id, when they are also a kf servicer (claiming moves the chat to them). */
  wecomUserId?: string;
  createdAt: Date;
  lastSeenAt?: Date;
}

export interface AdvisorRepository {
  /** Creates an advisor; false when the id is taken. */
  create(advisor: Pick<AdvisorRecord, 'id' | 'name' | 'wecomUserId'>, tokenHash: string): Promise<AdvisorRecord | null>;
  list(): Promise<AdvisorRecord[]>;
  get(id: string): Promise<(AdvisorRecord & { tokenHash: string }) | null>;
  findByWecomUserId(userId: string): Promise<AdvisorRecord | null>;
  setTokenHash(id: string, tokenHash: string): Promise<boolean>;
  touch(id: string, at: Date): Promise<void>;
  remove(id: string): Promise<boolean>;
}

/** Small shared runtime state for escalations (Redis): rotation counters, the robot outbox, rate windows. */
export interface EscalationRuntimeStore {
  /** 0, 1, 2… per scope, shared by all processes (round-robin). */
  nextIndex(scope: string): Promise<number>;
  /** Durable FIFO of robot notification sections waiting to be sent (merged when many). */
  robotOutbox: {
    push(item: string): Promise<void>;
    peek(count: number): Promise<string[]>;
    /** Removes the oldest `count` items (after they were sent). */
    drop(count: number): Promise<void>;
    size(): Promise<number>;
  };
  /**
   * Takes one slot of a sliding window (`limit` per `windowMs`) for `name`, at time `nowMs`.
   * When none is free, says how long until one is.
   */
  takeSlot(name: string, limit: number, windowMs: number, nowMs: number): Promise<{ ok: true } | { ok: false; retryInMs: number }>;
}

/** Writes a two-line summary of a conversation; null when it cannot (the caller uses rules). */
export interface ConversationSummarizer {
  /** `llmFullText`: the flow's `privacy.llmFullText`; otherwise personal numbers are masked first. */
  summarize(input: { lines: string[]; facts: string[] }, context?: { sessionId?: string; llmFullText?: boolean }): Promise<string[] | null>;
}
