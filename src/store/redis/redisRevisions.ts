import type { Redis } from 'ioredis';
import type { RevisionLedger } from '../mongo/sessionRepository.ts';
import type { RedisKeys } from './redisKeys.ts';

/** Sessions run for days at most; an unknown session just takes the slower path. */
const TTL_SECONDS = 7 * 24 * 3600;
// Moves rev → rev+1 only if Redis holds exactly rev: two writers of one revision cannot both pass.
const CLAIM = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`;

/**
 * Each session's revision in Redis, so a FerretDB update can check it without reading the
 * document first (FerretDB has no conditional update that uses an index). Redis is only a fast
 * path: a missing or different value sends the caller back to reading the document.
 */
export function createRedisRevisions(redis: Redis, keys: RedisKeys): RevisionLedger {
  return {
    async claim(sessionId, rev) {
      return (await redis.eval(CLAIM, 1, keys.sessionRev(sessionId), String(rev), String(rev + 1), String(TTL_SECONDS))) === 1;
    },
    async remember(sessionId, rev) {
      await redis.set(keys.sessionRev(sessionId), String(rev), 'EX', TTL_SECONDS);
    },
  };
}
