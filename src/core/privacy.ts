/**
 * Privacy and data governance (issue 15): what `src/privacy/` needs from storage to erase one
 * customer, export everything held about them, and strip old text by a retention policy.
 * `store/` implements the ports on MongoDB and Redis; nothing here knows either.
 *
 * One rule runs through all of it: numbers stay, words and identity go. A redacted session keeps
 * its scores, readings (sentiment, topics, timing), flow, dates and analytics dimensions, so the
 * dashboard counts the same before and after; it loses every free text (answers' raw text, text
 * answers, transcript, escalation words and summaries) and the customer's id and name.
 */

/** How many things one erasure or sweep touched (stored in the audit log instead of the data). */
export type PrivacyCounts = Record<string, number>;

/** Everything held about one WeCom customer (`external_userid`), as an access request answer. */
export interface CustomerDataExport {
  externalUserId: string;
  exportedAt: string;
  /** Customer documents, one per kf account the customer wrote to: opt-out, nickname, asked-once. */
  customers: Array<Record<string, unknown>>;
  /** Sessions with answers, readings and their transcript. */
  sessions: Array<Record<string, unknown>>;
  escalations: Array<Record<string, unknown>>;
  tasks: Array<Record<string, unknown>>;
  tags: Array<Record<string, unknown>>;
  invitations: Array<Record<string, unknown>>;
  /** Opt-outs (consent withdrawals) held for the customer's identities, with when. */
  consents: Array<{ identity: string; optedOutAt: string }>;
}

/** What erasing the MongoDB side found, so the Redis side can follow the same trail. */
export interface ErasedCustomer {
  counts: PrivacyCounts;
  conversationKeys: string[];
  sessions: Array<{ id: string; flowId: string; handledMessageIds: string[] }>;
  taskIds: string[];
  /** Their escalations' ids (advisor alerts still waiting to be sent name them). */
  escalationIds: string[];
  /** The customer said "不要再发了": the opt-out is kept (a bare record) so they stay unbothered. */
  optedOut: boolean;
}

/** How long words and identity are kept, in days: sessions, and sessions handed to a person. */
export interface RetentionPolicy {
  days: number;
  escalationDays: number;
}

/** The policy as set on the admin page (overrides RETENTION_DAYS / ESCALATION_RETENTION_DAYS). */
export interface RetentionSettingsStore {
  get(): Promise<(RetentionPolicy & { updatedBy: string; updatedAt: Date }) | null>;
  set(policy: RetentionPolicy, by: string, at: Date): Promise<void>;
}

/** Why a session is redacted: an erasure request, or the retention policy. */
export type RedactionReason = 'erasure' | 'retention';

/** One round of the retention sweep. */
export interface RetentionBatch {
  /** Sessions past their retention that still held text or identity, found in this round. */
  due: number;
  redacted: number;
  /** A full round: more may be due (the next round finds them, since redacted ones drop out). */
  more: boolean;
  /** Flow and session of each redacted one, so the Redis side can drop its quotes and keys. */
  sessions: Array<{ id: string; flowId: string; handledMessageIds: string[] }>;
}

/** Invitations found through Redis (campaign fatigue marks name them), looked up by `_id`. */
export interface InvitationHints {
  invitationIds: string[];
}

/** Filled in where a customer's text was: analytics then reads the answer as given, with no words. */
export const REDACTED_TEXT = '';

/** A recorded answer or analytics fact without the customer's words: a text answer's value goes with its raw text. */
export function withoutWords<T>(answer: T): T {
  if (!answer || typeof answer !== 'object') return answer;
  const a = answer as Record<string, unknown>;
  return { ...a, raw: REDACTED_TEXT, ...(a.kind === 'text' && typeof a.value === 'string' ? { value: REDACTED_TEXT } : {}) } as T;
}

/** One session being redacted (erasure or retention), as each part that keeps something about it sees it. */
export interface SessionRedaction {
  sessionId: string;
  reason: RedactionReason;
  /** Stands in for the customer's id wherever the session is named from now on. */
  pseudonym: string;
  /** The conversation key built on the pseudonym. */
  conversationKey: string;
  /** The session was handed to a person: only then are there escalations to find. */
  handedOver: boolean;
  /** Follow-up tasks the session itself names (the follow-up log may name more). */
  taskIds: string[];
}

/** The customer an access request or an erasure is about, as the parts find their data. */
export interface CustomerScope {
  externalUserId: string;
  conversationKeys: string[];
  /** The customer's sessions (not yet redacted), with what each part needs to find its records. */
  sessions: Array<Pick<SessionRedaction, 'sessionId' | 'handedOver' | 'taskIds'>>;
  invitationIds: string[];
}

/** The sections of an access export that the feature parts fill. */
export type CustomerDataSections = Pick<CustomerDataExport, 'escalations' | 'tasks' | 'tags' | 'invitations'>;

/**
 * One feature's part of a customer's stored data. Each feature's repository implements it for the
 * records it keeps, so erasure and access requests reach every record without one place knowing
 * every feature's collections; the customer data repository walks the customer's sessions and
 * asks each part.
 */
export interface PersonalDataPart {
  /** What the part holds about the customer, for an access request. */
  collect(scope: CustomerScope): Promise<Partial<CustomerDataSections>>;
  /** Strips the customer's words and identity from what the part holds about one session; says what it touched. */
  redactSession(session: SessionRedaction, counts: PrivacyCounts): Promise<{ taskIds?: string[]; escalationIds?: string[] }>;
  /** Erasure: drops what the part holds per conversation or per invitation. */
  eraseCustomer?(scope: CustomerScope, counts: PrivacyCounts): Promise<void>;
}

/** Adds `n` to one of the counts. */
export function addCount(counts: PrivacyCounts, name: string, n: number): void {
  counts[name] = (counts[name] ?? 0) + n;
}

export interface CustomerDataRepository {
  /** The customer's conversations (one per kf account), from the per-customer index. */
  conversationKeysOf(externalUserId: string): Promise<string[]>;
  /** Everything stored in MongoDB about the customer (found through the per-customer index, never a session scan). */
  collect(externalUserId: string, hints: InvitationHints): Promise<Omit<CustomerDataExport, 'consents' | 'exportedAt'>>;
  /** Removes the customer's text and identity everywhere in MongoDB; returns what was touched. */
  erase(externalUserId: string, hints: InvitationHints): Promise<ErasedCustomer>;
  /**
   * Redacts up to `limit` closed, not yet redacted sessions started before `cutoff`
   * (`escalationCutoff` for sessions handed to a person). The query names only those, and a
   * redacted session is marked, so each round finds the next ones: the marks are the progress,
   * and a sweep cut short (crash, restart) resumes by running again. Background only: FerretDB
   * scans the collection for it.
   */
  retentionBatch(options: { limit: number; cutoff: Date; escalationCutoff: Date }): Promise<RetentionBatch>;
  /** How many sessions a sweep would redact now (dry run; nothing written). */
  retentionDue(options: { cutoff: Date; escalationCutoff: Date }): Promise<number>;
  /**
   * Adds every session not yet redacted to the per-customer index: sessions stored before the
   * index existed (a one-off backfill, `npm run -s privacy -- reindex`). Streams in storage order.
   */
  reindex(): Promise<{ scanned: number; indexed: number }>;
}

export interface CustomerCacheStore {
  /** Drops a conversation's Redis state: session pointer, inbox and its indexes, send budget, campaign links. */
  forgetConversation(conversationKey: string): Promise<number>;
  /** Drops a session's Redis state (timers, revision, outbox mark, handled ids) and its analytics quotes; scrubs its open analytics facts. */
  forgetSession(session: { id: string; flowId: string; handledMessageIds: string[] }): Promise<number>;
  /** Drops advisor alerts about these escalations still waiting in the robot outbox (they quote the customer). */
  forgetAlerts(escalationIds: string[]): Promise<number>;
  /** Drops tasks from the follow-up lists. */
  forgetTasks(taskIds: string[]): Promise<number>;
  /** Identities campaigns linked to the conversations (`wx:…`, `ref:…`, phone hashes). */
  identitiesOf(externalUserId: string, conversationKeys: string[]): Promise<string[]>;
  /** Opt-outs held for these identities. */
  consentsOf(identities: string[]): Promise<Array<{ identity: string; optedOutAt: string }>>;
  /** Invitations the identities' campaign fatigue marks name. */
  invitationsOf(identities: string[]): Promise<string[]>;
  /** Campaign fatigue marks of these identities; dropped on erasure (the customer is new again). */
  forgetFatigue(identities: string[]): Promise<number>;
}

/**
 * Rewrites a store's files from its live data, so data erased from it leaves the disk too
 * (Redis: BGREWRITEAOF; a store that cannot, such as a managed Redis that disables the command,
 * throws and is logged).
 */
export interface StoreFileRewriter {
  rewrite(): Promise<void>;
}
