import type { EscalationRepository } from '../core/escalations.ts';
import type { LockService } from '../core/ports.ts';

/**
 * Runs every write to one escalation under a shared lock. FerretDB applies an update by reading
 * the document, changing it and writing it back without isolation, so two concurrent writers
 * (a notification job recording its action while a console reply assigns the escalation) could
 * silently lose one change; MongoDB does not need this, and it costs one Redis round trip.
 *
 * @example
 * const escalations = serializeEscalationWrites(createEscalationRepository(conn), locks);
 */
export function serializeEscalationWrites(inner: EscalationRepository, locks: LockService): EscalationRepository {
  const locked = <T>(id: string, fn: () => Promise<T>) => locks.withLock(`escalation:${id}`, fn, { ttlMs: 15_000, waitMs: 15_000 });
  return {
    ...inner,
    // Opening is guarded by the unique open key instead (an insert is atomic on both stores).
    openOnce: (input, action) => inner.openOnce(input, action),
    update: (id, changes, action, onlyIf) => locked(id, () => inner.update(id, changes, action, onlyIf)),
    markFirstReply: (id, at, by) => locked(id, () => inner.markFirstReply(id, at, by)),
    useEventCode: (id, code) => locked(id, () => inner.useEventCode(id, code)),
  };
}
