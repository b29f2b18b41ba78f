import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog, Principal } from '../core/admin.ts';
import type { Logger } from '../core/logger.ts';
import type { LockService } from '../core/ports.ts';
import type { CustomerCacheStore, CustomerDataExport, CustomerDataRepository, PrivacyCounts } from '../core/privacy.ts';

/** A WeCom `external_userid` (wm…/wo…), or a simulator customer id: letters, digits, `_` and `-`. */
export const externalUserIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

/** What an erasure did, as answered and audited: counts only, never the data. */
export interface ErasureResult {
  /** sha256 of the external_userid (16 hex): lets "was X erased?" be answered without keeping X. */
  subject: string;
  counts: PrivacyCounts;
  optedOutKept: boolean;
}

/** A one-way tag of a customer id for the audit log. */
export function subjectOf(externalUserId: string): string {
  return createHash('sha256').update(externalUserId).digest('hex').slice(0, 16);
}

/**
 * Erasure and access requests for one customer (a data subject). Both follow the same trail:
 * the per-customer index names the conversations and sessions, Redis's campaign links and
 * fatigue marks name the identities and invitations; everything else is reached by `_id`.
 *
 * @example
 * const data = createCustomerData({ repo, cache, audit, locks, logger });
 * await data.erase('wm_abc', { name: 'admin', role: 'admin' });
 */
export function createCustomerData(deps: {
  repo: CustomerDataRepository;
  cache: CustomerCacheStore;
  audit: AuditLog;
  locks: LockService;
  /** Asked after each erasure to rewrite the stores' files (debounced), so the words leave the disk. */
  diskScrub?: { request(): void };
  logger: Logger;
  now?: () => Date;
}) {
  const clock = deps.now ?? (() => new Date());
  const log = deps.logger.child({ module: 'privacy' });

  /** Runs `fn` holding every conversation's turn lock, so no turn writes while we erase. */
  async function underLocks<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const [first, ...rest] = keys;
    if (first === undefined) return fn();
    return deps.locks.withLock(`conv:${first}`, () => underLocks(rest, fn), { ttlMs: 60_000, waitMs: 30_000 });
  }

  async function trail(externalUserId: string) {
    const conversationKeys = await deps.repo.conversationKeysOf(externalUserId);
    const identities = await deps.cache.identitiesOf(externalUserId, conversationKeys);
    const invitationIds = await deps.cache.invitationsOf(identities);
    return { conversationKeys, identities, invitationIds };
  }

  return {
    /** Everything held about the customer, as JSON for a data-subject access request. */
    async export(externalUserId: string, actor: Principal): Promise<CustomerDataExport> {
      const { identities, invitationIds } = await trail(externalUserId);
      const held = await deps.repo.collect(externalUserId, { invitationIds });
      const consents = await deps.cache.consentsOf(identities);
      await deps.audit.record({
        actor: actor.name,
        actorRole: actor.role,
        action: 'customer.exported',
        note: subjectOf(externalUserId),
        details: { sessions: held.sessions.length, escalations: held.escalations.length, tasks: held.tasks.length, invitations: held.invitations.length },
      });
      return { ...held, consents, exportedAt: clock().toISOString() };
    },

    /**
     * Removes the customer's words and identity from MongoDB and Redis. Sessions stay as
     * anonymous numbers (analytics does not change); customer, tags, tasks, invitations,
     * conversation state and campaign marks go. An opt-out the customer asked for is kept.
     * Repeating it finds nothing more to remove. The stores' files are rewritten soon after
     * (see diskScrub.ts), so old copies leave the disk too.
     */
    async erase(externalUserId: string, actor: Principal): Promise<ErasureResult> {
      const { conversationKeys, identities, invitationIds } = await trail(externalUserId);
      const erased = await underLocks(conversationKeys, async () => {
        const done = await deps.repo.erase(externalUserId, { invitationIds });
        let redisKeys = 0;
        for (const session of done.sessions) redisKeys += await deps.cache.forgetSession(session);
        for (const key of conversationKeys) redisKeys += await deps.cache.forgetConversation(key);
        redisKeys += await deps.cache.forgetTasks(done.taskIds);
        redisKeys += await deps.cache.forgetAlerts(done.escalationIds);
        redisKeys += await deps.cache.forgetFatigue(identities);
        return { ...done, counts: { ...done.counts, redisKeys } };
      });
      const result: ErasureResult = { subject: subjectOf(externalUserId), counts: erased.counts, optedOutKept: erased.optedOut };
      await deps.audit.record({ actor: actor.name, actorRole: actor.role, action: 'customer.erased', note: result.subject, details: { counts: result.counts, optedOutKept: result.optedOutKept } });
      log.info({ subject: result.subject, counts: result.counts }, 'customer erased');
      deps.diskScrub?.request();
      return result;
    },
  };
}
export type CustomerData = ReturnType<typeof createCustomerData>;
