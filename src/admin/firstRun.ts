import { randomBytes } from 'node:crypto';
import type { AdminUserRepository, AuditLog } from '../core/admin.ts';
import type { Logger } from '../core/logger.ts';
import { maskPii } from '../core/maskPii.ts';
import { hashAdminToken } from '../http/auth.ts';

/** The account the first start creates when nobody could sign in otherwise. */
export const OWNER_NAME = 'owner';

/**
 * A fresh per-user token (the same form as POST /api/users gives), drawn again in the rare case
 * that it holds a run of digits the log masker would take for a phone or ID number.
 */
export function newUserToken(): string {
  for (;;) {
    const token = `hf_${randomBytes(24).toString('base64url')}`;
    if (maskPii(token) === token) return token;
  }
}

/**
 * A new sign-in link for an existing user (the old token stops working; a revoked user is active
 * again), audited; null when there is no such user.
 */
export async function issueSignInLink(
  deps: { users: Pick<AdminUserRepository, 'replaceToken'>; audit: AuditLog; baseUrl: string },
  name: string,
): Promise<string | null> {
  const token = newUserToken();
  if (!(await deps.users.replaceToken(name, hashAdminToken(token)))) return null;
  await deps.audit.record({ actor: 'command line', actorRole: 'system', action: 'user.token_replaced', details: { name } });
  return signInLink(deps.baseUrl, token, '/dashboard');
}

/** The page that takes a token from the fragment (never sent to the server or kept in logs of proxies). */
export function signInLink(baseUrl: string, token: string, next?: string): string {
  return `${baseUrl.replace(/\/$/, '')}/login${next ? `?next=${encodeURIComponent(next)}` : ''}#token=${token}`;
}

export interface FirstRunDeps {
  adminToken: string | undefined;
  users: Pick<AdminUserRepository, 'create' | 'hasAny'>;
  audit: AuditLog;
  /** Where the service listens (loopback on a first run). */
  baseUrl: string;
  logger: Logger;
}

/**
 * First start without ADMIN_TOKEN and without any user: creates the owner account (role admin),
 * keeps only its token's hash, and logs its sign-in link once. The user name is a unique index, so
 * two processes starting at once create one owner and only the winner logs a link.
 * Returns the link when this call created the owner.
 */
export async function ensureOwner(deps: FirstRunDeps): Promise<string | undefined> {
  const { users, logger } = deps;
  if (deps.adminToken) return undefined;
  if (await users.hasAny()) {
    logger.info('an account exists already; to get a new sign-in link stop the service and run: npm run admin -- sign-in-link');
    return undefined;
  }
  const token = newUserToken();
  const owner = await users.create({ name: OWNER_NAME, role: 'admin', tokenHash: hashAdminToken(token), createdBy: 'first run' });
  if (!owner) {
    logger.info('another process created the owner account; its log has the sign-in link');
    return undefined;
  }
  await deps.audit.record({ actor: 'first run', actorRole: 'system', action: 'user.created', details: { name: owner.name, role: owner.role } });
  const link = signInLink(deps.baseUrl, token, '/dashboard');
  // The only time this token exists outside the browser: it is not stored, and not logged again.
  logger.warn({ signInLink: link }, `first run: created the owner account (管理员). Open this link to sign in (shown once): ${link}`);
  return link;
}
