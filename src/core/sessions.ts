import type { ConversationRef, OutboundMessage } from './messages.ts';

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
  /** Inbound channel message id, or our outbound idempotency key. */
  messageId?: string;
  /** Menu shown (outbound) or clicked (inbound). */
  menuId?: string;
  stepId?: string;
  /** Outbound delivery: sent, blocked (by the channel's budget/state), failed. */
  delivery?: 'sent' | 'blocked' | 'failed';
  advisorId?: string;
}

/** An outbound message persisted before sending, so a crash resends rather than loses it. */
export interface PendingSend {
  key: string;
  message: OutboundMessage;
  /** Welcome code, when it must go through the one-off welcome API. */
  welcomeCode?: string;
  stepId?: string;
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
  transcript: TranscriptEntry[];
  /** Engine snapshot envelope, JSON text (opaque here). */
  snapshot: string;
  /** Where the engine waits: what the analyser must be told about the next reply. */
  awaiting: unknown;
  outbox: PendingSend[];
  /** Inbound message ids already applied (idempotency when a turn is replayed). */
  handledMessageIds: string[];
  /** Optimistic concurrency revision; every save increments it. */
  rev: number;
  campaign?: string;
  customerFields: Record<string, string>;
  escalation?: { trigger: string; reason: string; at: Date };
  llmUsage: { promptTokens: number; completionTokens: number; calls: number };
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
}

export type NewSession = Omit<SessionRecord, 'id' | 'rev' | 'createdAt' | 'updatedAt' | 'llmUsage' | 'handledMessageIds'> & {
  handledMessageIds?: string[];
};

/** The changes one turn makes to a session, written in one single-document update. */
export interface SessionUpdate {
  status?: SessionStatus;
  answers?: Record<string, unknown>;
  analysis?: Record<string, unknown>;
  snapshot?: string;
  awaiting?: unknown;
  outbox?: PendingSend[];
  appendTranscript?: TranscriptEntry[];
  handledMessageId?: string;
  escalation?: { trigger: string; reason: string; at: Date };
  completedAt?: Date;
  addLlmUsage?: { promptTokens: number; completionTokens: number; calls: number };
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
  /** Appends transcript entries without a revision check (advisor messages, delivery notes). */
  appendTranscript(id: string, entries: TranscriptEntry[]): Promise<void>;
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
}

export interface CustomerRepository {
  get(conversationKey: string): Promise<CustomerRecord | null>;
  /** Creates or updates the customer; returns the stored record. */
  upsert(ref: ConversationRef, changes: Partial<Pick<CustomerRecord, 'nickname' | 'optedOut' | 'optedOutAt' | 'lastInboundAt'>>): Promise<CustomerRecord>;
}
