/**
 * Admin users, their roles, and the audit log of admin changes. `store/` implements the
 * repositories on MongoDB; the admin API decides who may do what.
 */

/** What an admin API caller may do: viewer reads, editor also saves drafts, admin does everything. */
export type AdminRole = 'viewer' | 'editor' | 'admin';
export const adminRoles: readonly AdminRole[] = ['viewer', 'editor', 'admin'];

/** True when `role` includes everything `needed` may do (roles are ordered). */
export function roleAllows(role: AdminRole, needed: AdminRole): boolean {
  return adminRoles.indexOf(role) >= adminRoles.indexOf(needed);
}

/** Whoever made an authenticated admin request. */
export interface Principal {
  name: string;
  role: AdminRole;
}

/** A per-user API token holder. The token itself is never stored, only its sha256. */
export interface AdminUser {
  name: string;
  role: AdminRole;
  createdBy: string;
  createdAt: Date;
  /** Set when the token was revoked; revoked users cannot sign in. */
  revokedAt?: Date;
}

export interface AdminUserRepository {
  /** Creates a user; null when the name is taken. */
  create(input: { name: string; role: AdminRole; tokenHash: string; createdBy: string }): Promise<AdminUser | null>;
  /** The active (not revoked) user holding the token with this hash. */
  findByTokenHash(tokenHash: string): Promise<AdminUser | null>;
  list(): Promise<AdminUser[]>;
  /** Revokes the user's token; false when there is no such active user. */
  revoke(name: string): Promise<boolean>;
  /** Whether any user was ever created (revoked ones count: users are never deleted). */
  hasAny(): Promise<boolean>;
  /** Gives an existing user a new token (the old one stops working) and lifts a revocation; false when there is no such user. */
  replaceToken(name: string, tokenHash: string): Promise<boolean>;
}

/** What an audit entry records; `flow.*` entries carry `flowId`. */
export type AuditAction =
  | 'flow.imported'
  | 'flow.version_saved'
  | 'flow.published'
  | 'flow.rolled_back'
  | 'flow.archived'
  | 'flow.unarchived'
  | 'user.created'
  | 'user.revoked'
  /** A user was given a new sign-in token (first run, `npm run admin -- sign-in-link`). */
  | 'user.token_replaced'
  | 'deadletter.requeued'
  | 'deadletter.dismissed'
  | 'campaign.created'
  | 'campaign.changed'
  | 'campaign.audience_imported'
  | 'task.created'
  | 'task.claimed'
  | 'task.noted'
  | 'task.closed'
  | 'webhook.registered'
  | 'webhook.disabled'
  | 'webhook.enabled'
  | 'webhook.replayed'
  /** Someone was shown a customer's full (unmasked) transcript; never the text itself. */
  | 'transcript.read'
  /** Privacy (issue 15): the entry holds who, when and counts; the customer only as a one-way hash. */
  | 'customer.erased'
  | 'customer.exported'
  | 'retention.swept'
  | 'retention.changed';

/** Audit actions that concern flows only: what editors and viewers may read in the audit log. */
export const flowAuditActions: readonly AuditAction[] = ['flow.imported', 'flow.version_saved', 'flow.published', 'flow.rolled_back', 'flow.archived', 'flow.unarchived'];

/** One change made through the admin API (or the start-up import): who, what, when. */
export interface AuditEntry {
  id: string;
  at: Date;
  actor: string;
  actorRole: AdminRole | 'system' | 'advisor';
  action: AuditAction;
  flowId?: string;
  version?: number;
  note?: string;
  /** Small structured facts about the change (e.g. the version rolled back to). */
  details?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry>;
  /** Newest first; `next` is the cursor for the following page. */
  /** `actions` keeps only entries of those actions (any when absent). */
  list(query: { flowId?: string; actions?: readonly AuditAction[]; limit: number; before?: string }): Promise<{ items: AuditEntry[]; next?: string }>;
}
