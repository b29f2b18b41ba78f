import type { Redis } from 'ioredis';
import { openSessionStatuses, type SessionRecord, type SessionRepository } from '../../core/sessions.ts';
import type { RedisKeys } from './redisKeys.ts';

/** How long the open-session pointer is trusted without a turn touching it. */
const POINTER_TTL_SECONDS = 7 * 24 * 3600;
/** Sessions whose last saved revision this process keeps (a few KB each). */
const RECENT_KEPT = 1_000;

/**
 * Wraps a SessionRepository so `findOpen` and `findLatest` read a Redis pointer (conversation → open session id)
 * and then the session by `_id`. FerretDB pushes down only `_id` lookups, so this turns a
 * collection scan per turn into one indexed read. Sessions must be created through this wrapper
 * (it moves the pointer); a missing or foreign pointer falls back to the repository's own query.
 *
 * With `reuseSaved` (FerretDB, where every update moves the Redis revision ledger first, see
 * redisRevisions.ts) the process also keeps the revision it last saved or read of recent
 * sessions, and the next turn takes it instead of reading the document when the pointer and the
 * ledger, read in one MGET, still name that session and revision. Any other writer moves the
 * ledger (or, erasing, deletes it and the pointer), so a kept copy is never taken once stale.
 */
export function withOpenSessionCache(inner: SessionRepository, redis: Redis, keys: RedisKeys, options: { reuseSaved?: boolean } = {}): SessionRepository {
  const recent = new Map<string, SessionRecord>();
  const keep = (session: SessionRecord) => {
    if (!options.reuseSaved) return;
    recent.delete(session.conversationKey);
    recent.set(session.conversationKey, session);
    if (recent.size > RECENT_KEPT) recent.delete(recent.keys().next().value!);
  };
  const remember = (session: SessionRecord) =>
    redis.set(keys.session(session.conversationKey), session.id, 'EX', POINTER_TTL_SECONDS).catch(() => undefined);

  /** The pointer, and whether the kept copy (if any) is still the session's current revision. */
  const readPointer = async (conversationKey: string): Promise<{ id: string | null; kept?: SessionRecord }> => {
    const kept = recent.get(conversationKey);
    if (!kept) return { id: await redis.get(keys.session(conversationKey)).catch(() => null) };
    const [id, rev] = await redis.mget(keys.session(conversationKey), keys.sessionRev(kept.id)).catch(() => [null, null]);
    return id === kept.id && rev === String(kept.rev) ? { id, kept } : { id: id ?? null };
  };

  /** The session the pointer names, when it exists and belongs to this conversation. */
  const pointed = async (conversationKey: string): Promise<SessionRecord | null> => {
    const { id, kept } = await readPointer(conversationKey);
    if (kept) return kept;
    const session = id ? await inner.findById(id) : null;
    if (session && session.conversationKey === conversationKey) {
      keep(session);
      return session;
    }
    return null;
  };
  return {
    ...inner,
    async create(session) {
      const created = await inner.create(session);
      await remember(created);
      keep(created);
      return created;
    },
    async update(id, rev, update) {
      const saved = await inner.update(id, rev, update);
      if (saved) keep(saved);
      return saved;
    },
    async findOpen(conversationKey) {
      const latest = await pointed(conversationKey);
      // Every create moves the pointer, so it names the newest session: if that one is closed,
      // none is open.
      if (latest) return openSessionStatuses.includes(latest.status) ? latest : null;
      const found = await inner.findOpen(conversationKey);
      if (found) await remember(found);
      return found;
    },
    async findLatest(conversationKey) {
      const latest = await pointed(conversationKey);
      if (latest) return latest;
      const found = await inner.findLatest(conversationKey);
      if (found) await remember(found);
      return found;
    },
  };
}
