import type { ConversationRef, MediaType, OutboundMessage } from './messages.ts';

/**
 * Survey sessions and customers as the conversation layer sees them. `store/` implements the
 * repositories on MongoDB; nothing here knows mongoose.
 */

export type SessionStatus = 'active' | 'paused' | 'escalated' | 'completed' | 'opted_out' | 'expired';
/** Statuses in which a session still belongs to the customer's conversation. */
export const openSessionStatuses: readonly SessionStatus[] = ['active', 'paused', 'escalated'];

export interface TranscriptEntry {
  direction: 'in' | 'out';
  /** customer, bot, or an advisor (servicer) */
  author: 'customer' | 'bot' | 'advisor' | 'system';
  text: string;
  at: Date;
  /** Position in the session's transcript (0, 1, …); writing the same position twice keeps one entry. */
  seq?: number;
  /** Inbound channel message id, or our outbound idempotency key. */
  messageId?: string;
  /** Menu shown (outbound) or clicked (inbound). */
  menuId?: string;
  stepId?: string;
  /**
   * Outbound delivery: sent, blocked (by the channel's budget/state), failed, or unconfirmed (a
   * retried send WeCom refused as a duplicate: it arrived the first time, as far as WeCom tells).
   */
  delivery?: 'sent' | 'blocked' | 'failed' | 'unconfirmed';
  advisorId?: string;
  /** A voice note or picture the customer sent: the stored file (absent when it could not be fetched) and, for voice, what was heard. */
  media?: TranscriptMedia;
}

/** The media behind an inbound transcript entry, for the advisor console. */
export interface TranscriptMedia {
  type: MediaType;
  /** Id in the media store; absent when the file could not be fetched or kept. */
  fileId?: string;
  contentType?: string;
  /** Voice only: the transcript the survey read, when speech recognition heard something. */
  heard?: string;
}

/** An outbound message persisted before sending, so a crash resends rather than loses it. */
export interface PendingSend {
  key: string;
  message: OutboundMessage;
  /** Welcome code, when it must go through the one-off welcome API. */
  welcomeCode?: string;
  stepId?: string;
  /** Where its transcript entry goes. */
  seq?: number;
}

/** An escalation a turn raised, as stored until the advisor side has it. */
export interface PendingEscalation {
  trigger: string;
  reason: string;
  stepId: string;
  advisors: string[];
}

/**
 * Work a saved revision still owes the outside world (the outbox). It is written in the same
 * update as the answers, then carried out; a crash or a failed send replays it, and every kind is
 * safe to replay: sends carry idempotency keys, transcript entries their positions, escalations
 * open once per session, timers are set by name.
 */
export type PendingEffect =
  | ({ kind: 'send' } & PendingSend)
  | { kind: 'transcript'; entries: TranscriptEntry[] }
  | { kind: 'escalation'; requests: PendingEscalation[]; handedOver: boolean }
  | { kind: 'opt_out'; at: Date }
  | { kind: 'timer'; timer: 'reminder' | 'expiry'; dueAt: Date }
  | { kind: 'cancel_timers' }
  /** Tell analytics about this revision (idempotent there: a revision counts once). */
  | { kind: 'record' }
  /** `once` questions put to the customer: remembered with the customer so later sessions skip them. */
  | { kind: 'remember_asked'; flowId: string; stepIds: string[] }
  /** The session completed, was handed to a person or opted out: follow-up rules, tags, webhooks. */
  | { kind: 'followup'; event: SessionMilestone; at: Date };

/** A change in a session that the follow-up side (src/followup/) acts on. */
export type SessionMilestone = 'completed' | 'escalated' | 'opted_out';

/**
 * What advisors' follow-up tasks came to, kept on the session (analytics counts contacts from
 * it). The full trail (rules fired, tags, webhooks) is the session's follow-up log.
 */
export interface SessionFollowUp {
  tasks: Array<{ taskId: string; ruleId: string; outcome: string; closedAt: Date; closedBy: string }>;
  /** When an advisor first reached the customer through a task (outcome that counts as contact). */
  contactedAt?: Date;
}

/** Where a session came from, recorded on it so analytics can filter by each attribute. */
export interface SessionAttribution {
  campaignId: string;
  invitationId: string;
  store?: string;
  orderId?: string;
  touchpoint?: string;
  products?: string[];
  /** When the customer visited or bought (the touchpoint's time). */
  visitAt?: Date;
}

export interface SessionRecord {
  id: string;
  conversation: ConversationRef;
  conversationKey: string;
  flowId: string;
  flowVersion: number;
  status: SessionStatus;
  /** stepId → recorded answer (value, raw text, missing flag, time). */
  answers: Record<string, unknown>;
  /** stepId → analyser output for that answer. */
  analysis: Record<string, unknown>;
  /** Engine snapshot envelope, JSON text (opaque here). */
  snapshot: string;
  /** Where the engine waits: what the analyser must be told about the next reply. */
  awaiting: unknown;
  /** What this revision still owes (see PendingEffect); done when the outbox progress says so. */
  outbox: PendingEffect[];
  /** Recent inbound message ids already applied (idempotency when a turn is replayed). */
  handledMessageIds: string[];
  /** Optimistic concurrency revision; every save increments it. */
  rev: number;
  /** The campaign id of the signed invitation the session started from (older sessions: a plain link's label). */
  campaign?: string;
  /** Set when the session came through a campaign invitation (see SessionAttribution). */
  campaignId?: SessionAttribution['campaignId'];
  invitationId?: SessionAttribution['invitationId'];
  store?: SessionAttribution['store'];
  orderId?: SessionAttribution['orderId'];
  touchpoint?: SessionAttribution['touchpoint'];
  products?: SessionAttribution['products'];
  visitAt?: SessionAttribution['visitAt'];
  customerFields: Record<string, string>;
  escalation?: { trigger: string; reason: string; at: Date };
  llmUsage: { promptTokens: number; completionTokens: number; calls: number };
  /** Question steps asked, in the order first asked (where people drop off). */
  askedSteps: string[];
  /** Entries written to the transcript so far: the next entry's position. */
  transcriptLength: number;
  /** When the customer last wrote; a timer scheduled before that is stale. */
  lastCustomerAt?: Date;
  /** The bot's last line, so a closing reply is not repeated. */
  lastBotText?: string;
  /** Outcomes of follow-up tasks (absent until one closes). */
  followUp?: SessionFollowUp;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
}

/** A session with its transcript, for the console, the sessions API and advisor notifications. */
export type SessionWithTranscript = SessionRecord & { transcript: TranscriptEntry[] };

export type NewSession = Omit<
  SessionRecord,
  'id' | 'rev' | 'createdAt' | 'updatedAt' | 'llmUsage' | 'handledMessageIds' | 'askedSteps' | 'transcriptLength'
> & {
  /**
   * A chosen id (24 hex characters): creating a session whose id exists returns the stored one,
   * so a replayed start does not start twice.
   */
  id?: string;
  handledMessageIds?: string[];
  askedSteps?: string[];
  transcriptLength?: number;
};

/** The changes one turn makes to a session, written in one single-document update. */
export interface SessionUpdate {
  status?: SessionStatus;
  answers?: Record<string, unknown>;
  analysis?: Record<string, unknown>;
  snapshot?: string;
  awaiting?: unknown;
  outbox?: PendingEffect[];
  /** The recent inbound ids, replaced as a whole (the caller keeps the last few). */
  handledMessageIds?: string[];
  escalation?: { trigger: string; reason: string; at: Date };
  completedAt?: Date;
  addLlmUsage?: { promptTokens: number; completionTokens: number; calls: number };
  askedSteps?: string[];
  transcriptLength?: number;
  lastCustomerAt?: Date;
  lastBotText?: string;
  followUp?: SessionFollowUp;
}

export interface SessionQuery {
  customerId?: string;
  flowId?: string;
  status?: SessionStatus;
  limit: number;
  /** Opaque cursor from the previous page. */
  before?: string;
}

export interface SessionRepository {
  create(session: NewSession): Promise<SessionRecord>;
  findById(id: string): Promise<SessionRecord | null>;
  /** The newest open (active, paused, escalated) session of a conversation, if any. */
  findOpen(conversationKey: string): Promise<SessionRecord | null>;
  /** The newest session of a conversation, open or closed, if any. */
  findLatest(conversationKey: string): Promise<SessionRecord | null>;
  /**
   * Applies `update` only if the stored revision is still `rev`; returns the new record, or null
   * when someone else saved first (the caller reloads and retries).
   */
  update(id: string, rev: number, update: SessionUpdate): Promise<SessionRecord | null>;
  /**
   * Writes transcript entries at their `seq` positions (reserved through `transcriptLength`).
   * Writing a position again replaces it, so replays do not duplicate entries.
   */
  writeTranscript(sessionId: string, entries: TranscriptEntry[]): Promise<void>;
  /** The transcript in order (positions never written are skipped). */
  transcript(session: Pick<SessionRecord, 'id' | 'transcriptLength'>): Promise<TranscriptEntry[]>;
  list(query: SessionQuery): Promise<{ items: SessionRecord[]; next?: string }>;
  /** How many sessions ran on each version of a flow. */
  countByFlowVersion(flowId: string): Promise<Record<number, number>>;
}

export interface CustomerRecord {
  conversationKey: string;
  conversation: ConversationRef;
  nickname?: string;
  optedOut: boolean;
  optedOutAt?: Date;
  lastInboundAt?: Date;
  /** `once` questions this customer was asked, as `<flowId>:<stepId>`. */
  askedOnce?: string[];
}

export interface CustomerRepository {
  get(conversationKey: string): Promise<CustomerRecord | null>;
  /** Adds `<flowId>:<stepId>` entries to the customer's `askedOnce` (set semantics; creates the customer). */
  rememberAsked(ref: ConversationRef, keys: string[]): Promise<void>;
  /** Creates or updates the customer; returns the stored record. */
  upsert(ref: ConversationRef, changes: Partial<Pick<CustomerRecord, 'nickname' | 'optedOut' | 'optedOutAt' | 'lastInboundAt'>>): Promise<CustomerRecord>;
}

/**
 * Question steps put to the customer, in the order first asked, read from a transcript (sessions
 * stored before `askedSteps` was kept): outbound messages carry the step they ask; messages the
 * channel refused or failed to deliver were not seen, so they do not count.
 */
export function stepsAskedIn(transcript: readonly Pick<TranscriptEntry, 'direction' | 'stepId' | 'delivery'>[]): string[] {
  const asked: string[] = [];
  for (const t of transcript) {
    if (t.direction !== 'out' || !t.stepId || t.delivery === 'blocked' || t.delivery === 'failed') continue;
    if (!asked.includes(t.stepId)) asked.push(t.stepId);
  }
  return asked;
}
