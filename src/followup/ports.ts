import { createHash } from 'node:crypto';
import type { ExternalContactLink } from '../channels/wecom/contactClient.ts';
import type {
  CustomerTag,
  CustomerTags,
  DeliveryAttempt,
  FollowUpAction,
  FollowUpTask,
  NewTask,
  WebhookDelivery,
  WebhookEndpoint,
} from './types.ts';

/**
 * What the follow-up side needs from storage. `store/` implements them: MongoDB documents read
 * and written by `_id` only (FerretDB scans for anything else), Redis sorted sets as the indexes
 * that lists need (open tasks by due time, deliveries per endpoint).
 */

export interface TaskStore {
  /** Inserts the task unless one with its id exists; returns the stored one and whether it is new. */
  createOnce(task: NewTask, action: FollowUpAction): Promise<{ task: FollowUpTask; created: boolean }>;
  get(id: string): Promise<FollowUpTask | null>;
  /** Several by id, in the order given (missing ones left out). */
  getMany(ids: readonly string[]): Promise<FollowUpTask[]>;
  /** Writes the task's mutable fields (callers hold the task's lock). */
  save(task: FollowUpTask): Promise<void>;
  /** Task ids by status: open and claimed ones by due time, closed ones newest first. */
  listIds(status: 'open' | 'closed', limit: number): Promise<string[]>;
  /** Keeps the indexes in step with the task's status (idempotent). */
  index(task: Pick<FollowUpTask, 'id' | 'status' | 'dueAt' | 'closedAt'>): Promise<void>;
  countOpen(): Promise<number>;
}

/** The follow-up trail of each session (one document per session, keyed by its id). */
export interface FollowUpLog {
  /** Appends entries whose `key` is not there yet (so a replay adds nothing), newest last. */
  append(sessionId: string, entries: Array<FollowUpAction & { key: string }>): Promise<void>;
  read(sessionId: string): Promise<FollowUpAction[]>;
}

export interface CustomerTagStore {
  get(conversationKey: string): Promise<CustomerTags | null>;
  /** Replaces the groups `tags` names with its tags (other groups stay). */
  set(conversationKey: string, tags: CustomerTag[], sessionId: string, at: Date): Promise<CustomerTags>;
  setWecom(conversationKey: string, wecom: NonNullable<CustomerTags['wecom']>): Promise<void>;
}

/** Shared look-up state on Redis: corp tag ids by name, and 客户联系 contacts by unionid. */
export interface WecomTagState {
  tagId(group: string, name: string): Promise<string | null>;
  rememberTagIds(entries: Array<{ group: string; name: string; id: string }>): Promise<void>;
  contactByUnionId(unionId: string): Promise<ExternalContactLink | null>;
  replaceContacts(links: ExternalContactLink[]): Promise<void>;
  /** True at most once per interval across processes: time to re-read the contact list. */
  claimContactRefresh(intervalSeconds: number): Promise<boolean>;
}

export interface WebhookEndpointStore {
  create(endpoint: WebhookEndpoint, secret: string): Promise<void>;
  get(id: string): Promise<WebhookEndpoint | null>;
  /** The signing secret (`whsec_…`). */
  secret(id: string): Promise<string | null>;
  /** Every endpoint (a small collection). */
  list(): Promise<WebhookEndpoint[]>;
  setActive(id: string, active: boolean): Promise<boolean>;
}

export interface DeliveryStore {
  /** Inserts unless a delivery with its id exists; true when new. Indexes it under its endpoint. */
  createOnce(delivery: WebhookDelivery): Promise<boolean>;
  get(id: string): Promise<WebhookDelivery | null>;
  /** Applies `change` to the stored delivery under its lock; returns the result. */
  update(id: string, change: (d: WebhookDelivery) => WebhookDelivery): Promise<WebhookDelivery | null>;
  /** Newest first. */
  listForEndpoint(endpointId: string, options: { limit: number; status?: WebhookDelivery['status'] }): Promise<WebhookDelivery[]>;
}

/**
 * A delivery's id: the same endpoint and event always give the same id (\`webhook-id\`, the same on
 * every retry and replay), so a delivery is created once and can be found again by \`_id\`.
 */
export function webhookDeliveryId(endpointId: string, eventKey: string): string {
  return `msg_${createHash('sha256').update(`${endpointId}\n${eventKey}`).digest('hex').slice(0, 24)}`;
}

/** Attempts kept on a delivery (oldest dropped first). */
export const ATTEMPTS_KEPT = 30;

/** Adds an attempt, keeping the newest ATTEMPTS_KEPT. */
export function withAttempt(d: WebhookDelivery, attempt: DeliveryAttempt): WebhookDelivery {
  return { ...d, attempts: [...d.attempts, attempt].slice(-ATTEMPTS_KEPT) };
}
