import type { Redis } from 'ioredis';
import { openSessionStatuses, type SessionRecord, type SessionRepository } from '../../core/sessions.ts';
import type { RedisKeys } from './redisKeys.ts';

/** How long the open-session pointer is trusted without a turn touching it. */
const POINTER_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Wraps a SessionRepository so `findOpen` and `findLatest` read a Redis pointer (conversation → open session id)
 * and then the session by `_id`. FerretDB pushes down only `_id` lookups, so this turns a
 * collection scan per turn into one indexed read. Sessions must be created through this wrapper
 * (it moves the pointer); a missing or foreign pointer falls back to the repository's own query.
 */
export function withOpenSessionCache(inner: SessionRepository, redis: Redis, keys: RedisKeys): SessionRepository {
  const remember = (session: SessionRecord) =>
    redis.set(keys.session(session.conversationKey), session.id, 'EX', POINTER_TTL_SECONDS).catch(() => undefined);
  /** The session the pointer names, when it exists and belongs to this conversation. */
  const pointed = async (conversationKey: string): Promise<SessionRecord | null> => {
    const id = await redis.get(keys.session(conversationKey)).catch(() => null);
    const session = id ? await inner.findById(id) : null;
    return session && session.conversationKey === conversationKey ? session : null;
  };
  return {
    ...inner,
    async create(session) {
      const created = await inner.create(session);
      await remember(created);
      return created;
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
