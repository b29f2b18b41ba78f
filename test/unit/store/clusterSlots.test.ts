import { describe, expect, it } from 'vitest';
import { redisKeys } from '../../../src/store/redis/redisKeys.ts';

/** Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key, mod 16384. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

const keys = redisKeys('hf:prod:', { hashTags: true });
const fatigue = (identity: string) => `${keys.campaignPrefix}fatigue:${identity}`;
const analytics = keys.analytics('nps-default');

// Every script (eval / defineCommand) and MULTI that names several keys, with the keys it names
// or builds (see src/store/redis and store/mongo/followUpRepository.ts).
const togetherInOneCall: Record<string, string[]> = {
  'inbox push (multi) and ACK (eval)': [keys.inbox('wx:a|kf1'), keys.inbox('wx:b|kf2'), keys.inboxWaiting, keys.inboxFailures],
  'timers set/cancel (multi), CLAIM and DONE (eval)': [keys.timersDue, keys.timersPayload],
  'campaign timers': [keys.campaignTimersDue, keys.campaignTimersPayload],
  'campaign gate ADMIT / RELEASE (consent, fatigue, day caps)': [keys.campaignConsent, fatigue('wx:a'), fatigue('phone:b'), keys.campaignCap('c1', '2026-12-07'), keys.campaignCap('c2', '')],
  'campaign MARK (marks, counters)': [keys.campaignMarks('c1'), keys.campaignCounters('c1')],
  'erasure: fatigue MGET / DEL': [fatigue('wx:a'), fatigue('wx:b')],
  'robot outbox PUSH_ONCE': [keys.escalationRobotOutbox, keys.escalationRobotQueued('e1:1')],
  'kf notification (multi incr + sadd)': [keys.wecomNotifySeq('kf1'), keys.wecomNotifyCovered('kf1'), keys.wecomAccounts],
  'follow-up task indexes (multi)': [keys.followUpTasksOpen, keys.followUpTasksClosed, keys.followUpTaskEffects],
  'sign-in brake (pipeline / multi over subjects)': [keys.signInFailures('ip:127.0.0.1'), keys.signInFailures('token:ab12')],
  'analytics APPLY / SWAP / DROP_OPEN, rebuild': [`${analytics}gen`, `${analytics}next`, `${analytics}0:open`, `${analytics}r1:q:2026-12:l1`],
  "BullMQ's scripts": [`${keys.bullPrefix}:turns:wait`, `${keys.bullPrefix}:turns:42`, `${keys.bullPrefix}:escalations:meta`],
};

describe('Redis Cluster hash slots', () => {
  it('computes slots as Redis does', () => {
    // CLUSTER KEYSLOT answers these (Redis Cluster specification).
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  });

  it.each(Object.entries(togetherInOneCall))('%s: every key in one slot', (_, group) => {
    expect(new Set(group.map(keySlot)).size).toBe(1);
  });

  it('keys used alone spread over the cluster instead of piling on one slot', () => {
    const alone = Array.from({ length: 50 }, (_, n) => [keys.lock(`conv:wx:${n}`), keys.session(`wx:${n}`), keys.sessionRev(`s${n}`), keys.dedupe('msg', `m${n}`)]).flat();
    expect(new Set(alone.map(keySlot)).size).toBeGreaterThan(150);
  });

  it('the groups do not all share one slot', () => {
    expect(new Set(Object.values(togetherInOneCall).map((group) => keySlot(group[0]!))).size).toBeGreaterThan(6);
  });

  it('leaves the names on a single Redis as they were, so its data stays reachable', () => {
    const single = redisKeys('hf:prod:');
    expect([single.inbox('c'), single.inboxWaiting, single.timersDue, single.campaignConsent, single.campaignCap('c1', 'd'), single.escalationRobotOutbox]).toEqual([
      'hf:prod:inbox:c',
      'hf:prod:inbox-waiting',
      'hf:prod:timers:due',
      'hf:prod:campaign:consent',
      'hf:prod:campaign:c:c1:cap:d',
      'hf:prod:escalation:robot:outbox',
    ]);
    expect([single.wecomNotifySeq('a'), single.wecomAccounts, single.followUpTasksOpen, single.signInFailures('ip:x'), single.bullPrefix]).toEqual([
      'hf:prod:wecom:notify:a:seq',
      'hf:prod:wecom:accounts',
      'hf:prod:followup:tasks:open',
      'hf:prod:signin-fail:ip:x',
      'hf:prod:bull',
    ]);
  });
});
