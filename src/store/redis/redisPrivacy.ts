import type { Redis } from 'ioredis';
import { withoutWords, type CustomerCacheStore } from '../../core/privacy.ts';
import { deleteMany } from './connectRedis.ts';
import type { RedisKeys } from './redisKeys.ts';

/**
 * The Redis side of erasure and retention: every key that holds a conversation's or a
 * session's state, the analytics quotes (the only customer words in the rollups) and the open
 * analytics facts. Counters are left alone: numbers stay, words and identity go.
 */
export function createRedisPrivacy(redis: Redis, keys: RedisKeys): CustomerCacheStore {
  const fatigueKey = (identity: string) => `${keys.campaignPrefix}fatigue:${identity}`;

  return {
    async forgetConversation(key) {
      // The inbox and its indexes share a hash tag (one transaction); the other keys lie elsewhere on a Cluster.
      const [deleted] = (await redis.multi().del(keys.inbox(key)).zrem(keys.inboxWaiting, key).hdel(keys.inboxFailures, key).exec()) ?? [];
      return Number(deleted?.[1] ?? 0) + (await deleteMany(redis, [keys.session(key), keys.campaignLinks(key), keys.wecomBudget(key)]));
    },

    async forgetSession(session) {
      const timers = [`reminder:${session.id}`, `expiry:${session.id}`];
      const perMessage = session.handledMessageIds.flatMap((m) => [keys.wecomHandled(m), keys.dedupe('msg', m)]);
      await redis.multi().zrem(keys.timersDue, ...timers).hdel(keys.timersPayload, ...timers).exec();
      const deleted = await deleteMany(redis, [keys.outboxDone(session.id), keys.sessionRev(session.id), ...perMessage]);
      let removed = deleted + (await blankTagJobs(redis, keys, session.id));
      for (const g of await generations(redis, keys, session.flowId)) {
        removed += await dropQuotes(redis, g, session.id);
        await scrubOpenFacts(redis, g, session.id);
      }
      return removed;
    },

    async forgetAlerts(escalationIds) {
      if (!escalationIds.length) return 0;
      const wanted = new Set(escalationIds);
      let removed = 0;
      // The outbox is short (alerts wait only while WeCom refuses them); LREM by value is safe
      // against the flusher taking items from the head meanwhile.
      for (const item of await redis.lrange(keys.escalationRobotOutbox, 0, -1)) {
        if (wanted.has(escalationOf(item))) removed += await redis.lrem(keys.escalationRobotOutbox, 0, item);
      }
      return removed;
    },

    async forgetTasks(taskIds) {
      if (!taskIds.length) return 0;
      const [open, closed] = (await redis
        .multi()
        .zrem(keys.followUpTasksOpen, ...taskIds)
        .zrem(keys.followUpTasksClosed, ...taskIds)
        .srem(keys.followUpTaskEffects, ...taskIds)
        .exec()) ?? [];
      return Number(open?.[1] ?? 0) + Number(closed?.[1] ?? 0);
    },

    async identitiesOf(externalUserId, conversationKeys) {
      const linked = await Promise.all(conversationKeys.map((k) => redis.smembers(keys.campaignLinks(k))));
      return [...new Set([`wx:${externalUserId}`, ...linked.flat()])];
    },

    async consentsOf(identities) {
      if (!identities.length) return [];
      const values = await redis.hmget(keys.campaignConsent, ...identities);
      return identities.flatMap((identity, i) => (values[i] ? [{ identity, optedOutAt: values[i]! }] : []));
    },

    async invitationsOf(identities) {
      if (!identities.length) return [];
      const held = await redis.mget(...identities.map(fatigueKey));
      // A fatigue mark reads "<invitation>|<until ms>".
      return [...new Set(held.flatMap((v) => (v ? [v.slice(0, v.indexOf('|'))] : [])))];
    },

    async forgetFatigue(identities) {
      return identities.length ? redis.del(...identities.map(fatigueKey)) : 0;
    },
  };
}

/** The escalation a queued robot alert is about ('' for a foreign entry). */
function escalationOf(item: string): string {
  try {
    return String((JSON.parse(item) as { escalationId?: unknown }).escalationId ?? '');
  } catch {
    return '';
  }
}

/** Generations of a flow's rollups that may hold the response: the live one and a rebuild's. */
async function generations(redis: Redis, keys: RedisKeys, flowId: string): Promise<string[]> {
  const base = keys.analytics(flowId);
  const [live, next] = await redis.mget(`${base}gen`, `${base}next`);
  return [live ?? '0', ...(next ? [next] : [])].map((g) => `${base}${g}:`);
}

/**
 * Removes a response's quotes from every list it was filed in. The response's state line in
 * `resp` says where (`<score>/<month>/<step>/<list ids>` per quote, see redisRollups.ts); the
 * state itself stays, so the counters it accounts for can still be replaced exactly later.
 */
async function dropQuotes(redis: Redis, g: string, responseId: string): Promise<number> {
  const state = await redis.hget(`${g}resp`, responseId);
  if (!state) return 0;
  let removed = 0;
  for (const line of state.split('\n')) {
    if (line.startsWith('c=')) continue;
    const quotes = line.split('|')[3] ?? '';
    for (const item of quotes.split(';').filter(Boolean)) {
      const [, month, step, lists] = item.split('/');
      const ids = (lists ?? '').split(',').filter(Boolean);
      const names = ids.length ? await redis.hmget(`${g}names`, ...ids) : [];
      const member = `${responseId}|${step}`;
      for (const list of names) {
        if (!list) continue;
        const z = `${g}q:${month}:${list}`;
        const [gone] = (await redis.multi().zrem(z, member).hdel(`${z}:t`, member).exec()) ?? [];
        removed += Number(gone?.[1] ?? 0);
      }
    }
  }
  return removed;
}

/** Open facts (kept until the record is stored) carry answers' raw text: rewritten without it. */
async function scrubOpenFacts(redis: Redis, g: string, responseId: string): Promise<void> {
  const stored = await redis.hget(`${g}open`, responseId);
  if (!stored) return;
  const cut = stored.indexOf('\n');
  const facts = JSON.parse(stored.slice(cut + 1)) as { customerId?: string; nickname?: string; answers?: Array<Record<string, unknown>> };
  delete facts.nickname;
  facts.customerId = 'erased';
  facts.answers = (facts.answers ?? []).map(withoutWords);
  await redis.hset(`${g}open`, responseId, `${stored.slice(0, cut)}\n${JSON.stringify(facts)}`);
}

/**
 * A WeCom tag job names the customer in its data and is kept a day after it ran (BullMQ keeps
 * finished jobs for inspection). Its data is blanked in place, so BullMQ's own lists stay
 * consistent and drop the job on schedule. Ids are fixed per session and milestone.
 */
async function blankTagJobs(redis: Redis, keys: RedisKeys, sessionId: string): Promise<number> {
  let blanked = 0;
  for (const event of ['completed', 'escalated', 'opted_out']) {
    const job = `${keys.bullPrefix}:wecom-tags:tags-${sessionId}-${event}`;
    if (!(await redis.exists(job))) continue;
    await redis.multi().hset(job, 'data', '{}').hdel(job, 'returnvalue').exec();
    blanked += 1;
  }
  return blanked;
}
