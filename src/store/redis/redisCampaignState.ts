import type { Redis } from 'ioredis';
import type { CampaignState, GateOutcome } from '../../core/campaigns.ts';
import type { RedisKeys } from './redisKeys.ts';

// The audience gate, one atomic script per batch. KEYS[1]: the consent hash, only so that a Redis
// Cluster runs the script on the node of the campaign keys' slot (they share the `{campaign}` hash
// tag); the other keys are built from ARGV[1], the campaign key prefix. ARGV: prefix, consent hash, cap key base, now (ms),
// fatigue window (ms), cap (-1 = none), then per row: invitation id, cap day, identity count,
// identities… A fatigue key holds "<invitation>|<until ms>" (its TTL only cleans up; the time
// compared is the caller's clock, so tests can move it).
// Per row: an opted-out identity → opted_out; a fatigue key of this invitation → duplicate, of
// another still running → fatigue; over the cap → daily_cap; else take fatigue for every identity
// and a place under the day's count.
const ADMIT = `
local prefix, consent, capBase = ARGV[1], ARGV[2], ARGV[3]
local now, window, cap = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local out, i = {}, 7
while i <= #ARGV do
  local id, day, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local ids = {}
  for k = 1, n do ids[k] = ARGV[i + 2 + k] end
  i = i + 3 + n
  local result = nil
  for _, who in ipairs(ids) do
    if redis.call('hexists', consent, who) == 1 then result = 'opted_out' break end
  end
  if not result then
    for _, who in ipairs(ids) do
      local held = redis.call('get', prefix .. 'fatigue:' .. who)
      if held then
        local sep = string.find(held, '|', 1, true)
        local holder, till = string.sub(held, 1, sep - 1), tonumber(string.sub(held, sep + 1))
        if holder == id then result = 'duplicate' break end
        if till > now then result = 'fatigue' break end
      end
    end
  end
  local capKey = capBase .. day
  if not result and cap >= 0 and tonumber(redis.call('get', capKey) or '0') >= cap then result = 'daily_cap' end
  if not result then
    local value, ttl = id .. '|' .. (now + window), math.ceil(window / 1000) + 86400
    for _, who in ipairs(ids) do redis.call('set', prefix .. 'fatigue:' .. who, value, 'EX', ttl) end
    -- Counted per day even without a cap, so the day's invitations show in the stats.
    redis.call('incr', capKey)
    redis.call('expire', capKey, 100 * 86400)
    result = 'admitted'
  end
  table.insert(out, result)
end
return out`;

// KEYS[1]: the consent hash (routing only, as for ADMIT). ARGV: fatigue prefix, cap base, then per
// row: id, day, n, identities. Undoes an admission: fatigue keys still holding this invitation are
// dropped and its cap place returned.
const RELEASE = `
local prefix, capBase, i = ARGV[1], ARGV[2], 3
while i <= #ARGV do
  local id, day, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local released = false
  for k = 1, n do
    local key = prefix .. 'fatigue:' .. ARGV[i + 2 + k]
    local held = redis.call('get', key)
    if held and string.sub(held, 1, #id + 1) == id .. '|' then redis.call('del', key) released = true end
  end
  if released and redis.call('exists', capBase .. day) == 1 then redis.call('decr', capBase .. day) end
  i = i + 3 + n
end
return 1`;

// KEYS: marks hash, counters hash. ARGV: field (<invitation>:<milestone>), counter name.
const MARK = `
if redis.call('hsetnx', KEYS[1], ARGV[1], '1') == 1 then
  redis.call('hincrby', KEYS[2], ARGV[2], 1)
  return 1
end
return 0`;

const EVENT_BUSY_SECONDS = 120;
const EVENT_KEPT_SECONDS = 24 * 3600;
const LINK_KEPT_SECONDS = 400 * 24 * 3600;

/**
 * CampaignState on Redis: consent is one hash (identity → when), fatigue one key per identity
 * with the fatigue window as its TTL (its value: the invitation that took it), counters a hash
 * per campaign, daily caps a counter per campaign and local day. One script per audience batch
 * keeps "check and take" atomic across processes.
 */
export function createRedisCampaignState(redis: Redis, keys: RedisKeys): CampaignState {
  const capBase = (campaignId: string) => keys.campaignCap(campaignId, '');
  const rowArgs = (rows: Array<{ invitationId: string; capDay: string; identities: string[] }>) =>
    rows.flatMap((r) => [r.invitationId, r.capDay, String(r.identities.length), ...r.identities]);
  return {
    async admit(campaign, rows, fatigueSeconds, now) {
      if (!rows.length) return [];
      const args = [keys.campaignPrefix, keys.campaignConsent, capBase(campaign.id), String(now.getTime()), String(Math.max(1, Math.round(fatigueSeconds * 1000))), String(campaign.dailyCap ?? -1), ...rowArgs(rows)];
      return (await redis.eval(ADMIT, 1, keys.campaignConsent, ...args)) as GateOutcome[];
    },
    async release(campaignId, rows) {
      if (rows.length) await redis.eval(RELEASE, 1, keys.campaignConsent, keys.campaignPrefix, capBase(campaignId), ...rowArgs(rows));
    },
    async count(campaignId, counts) {
      const entries = Object.entries(counts).filter(([, n]) => n !== 0);
      if (!entries.length) return;
      const multi = redis.multi();
      for (const [name, n] of entries) multi.hincrby(keys.campaignCounters(campaignId), name, n);
      await multi.exec();
    },
    async mark(campaignId, invitationId, milestone) {
      return (await redis.eval(MARK, 2, keys.campaignMarks(campaignId), keys.campaignCounters(campaignId), `${invitationId}:${milestone}`, milestone)) === 1;
    },
    async counters(campaignId) {
      const raw = await redis.hgetall(keys.campaignCounters(campaignId));
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
    },
    async capUsed(campaignId, day) {
      return Number((await redis.get(keys.campaignCap(campaignId, day))) ?? 0);
    },
    async claim(invitationId, claimant, ttlSeconds) {
      const key = keys.campaignClaim(invitationId);
      const taken = await redis.set(key, claimant, 'EX', Math.max(1, Math.round(ttlSeconds)), 'NX');
      return taken === 'OK' ? claimant : ((await redis.get(key)) ?? claimant);
    },
    async linkConversation(conversationKey, identities) {
      if (!identities.length) return;
      await redis.multi().sadd(keys.campaignLinks(conversationKey), ...identities).expire(keys.campaignLinks(conversationKey), LINK_KEPT_SECONDS).exec();
    },
    async setOptedOut(identities, optedOut) {
      if (!identities.length) return;
      if (optedOut) await redis.hset(keys.campaignConsent, Object.fromEntries(identities.map((id) => [id, new Date().toISOString()])));
      else await redis.hdel(keys.campaignConsent, ...identities);
    },
    async identitiesOf(conversationKey, externalUserId) {
      const linked = await redis.smembers(keys.campaignLinks(conversationKey));
      return [...new Set([`wx:${externalUserId}`, ...linked])];
    },
    async once(key, ttlSeconds) {
      return (await redis.set(keys.campaignOnce(key), '1', 'EX', Math.max(1, Math.round(ttlSeconds)), 'NX')) === 'OK';
    },
    async beginEvent(eventId) {
      const key = keys.campaignEvent(eventId);
      if ((await redis.set(key, '', 'EX', EVENT_BUSY_SECONDS, 'NX')) === 'OK') return { state: 'new' };
      const held = await redis.get(key);
      return held ? { state: 'done', outcome: held } : { state: 'busy' };
    },
    async finishEvent(eventId, outcome) {
      const key = keys.campaignEvent(eventId);
      if (outcome === null) await redis.del(key);
      else await redis.set(key, outcome, 'EX', EVENT_KEPT_SECONDS);
    },
  };
}
