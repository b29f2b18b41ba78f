import type { Redis } from 'ioredis';
import type { WecomTagState } from '../../followup/ports.ts';
import type { RedisKeys } from './redisKeys.ts';

/**
 * WecomTagState on Redis: corp tag ids by group and name (a hash), and the 客户联系 contact list
 * by unionid (a hash swapped whole on refresh), with a SET NX marker so one process refreshes.
 */
export function createRedisWecomTagState(redis: Redis, keys: RedisKeys): WecomTagState {
  const field = (group: string, name: string) => `${group}\t${name}`;
  return {
    async tagId(group, name) {
      return redis.hget(keys.wecomTagIds, field(group, name));
    },
    async rememberTagIds(entries) {
      if (!entries.length) return;
      await redis.hset(keys.wecomTagIds, Object.fromEntries(entries.map((e) => [field(e.group, e.name), e.id])));
    },
    async contactByUnionId(unionId) {
      const raw = await redis.hget(keys.wecomContactsByUnionId, unionId);
      return raw ? (JSON.parse(raw) as { externalUserId: string; userId: string }) : null;
    },
    async replaceContacts(links) {
      const withUnion = links.filter((l) => l.unionId);
      const multi = redis.multi().del(keys.wecomContactsByUnionId);
      if (withUnion.length) multi.hset(keys.wecomContactsByUnionId, Object.fromEntries(withUnion.map((l) => [l.unionId!, JSON.stringify({ externalUserId: l.externalUserId, userId: l.userId })])));
      await multi.exec();
    },
    async claimContactRefresh(intervalSeconds) {
      return (await redis.set(keys.wecomContactsRefreshed, String(Date.now()), 'EX', intervalSeconds, 'NX')) === 'OK';
    },
  };
}
