import type { Redis } from 'ioredis';
import { openSessionStatuses, type SessionRecord, type SessionRepository } from '../../core/sessions.ts';
import type { RedisKeys } from './redisKeys.ts';

/** How long the open-session pointer is trusted without a turn touching it. */
const POINTER_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Wraps a SessionRepository so `findOpen` reads a Redis pointer (conversation → open session id)
 * and then the session by `_id`. FerretDB pushes down only `_id` lookups, so this turns a
 * collection scan per turn into one indexed read. Sessions must be created through this wrapper
 * (it moves the pointer); a missing or foreign pointer falls back to the repository's own query.
 */
export function withOpenSessionCache(inner: SessionRepository, redis: Redis, keys: RedisKeys): SessionRepository {
  const remember = (session: SessionRecord) =>
    redis.set(keys.session(session.conversationKey), session.id, 'EX', POINTER_TTL_SECONDS).catch(() => undefined);
  return {
    ...inner,
    async create(session) {
      const created = await inner.create(session);
      await remember(created);
      return created;
    },
    async findOpen(conversationKey) {
      const id = await redis.get(keys.session(conversationKey)).catch(() => null);
      if (id) {
        const session = await inner.findById(id);
        // Every create moves the pointer, so it names the newest session: if that one is closed,
        // none is open.
        if (session && session.conversationKey === conversationKey) return openSessionStatuses.includes(session.status) ? session : null;
      }
      const found = await inner.findOpen(conversationKey);
      if (found) await remember(found);
      return found;
    },
  };
}
