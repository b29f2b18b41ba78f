import { describe, expect, it } from 'vitest';
import { invitationIdFor, invitationUrl, planInvitation, sampledIn, sendTimeFor } from '../../../src/campaigns/planInvitation.ts';
import { readSceneParam, signSceneParam } from '../../../src/campaigns/sceneParam.ts';

const secret = Buffer.from('a-test-secret-of-at-least-32-characters!!');
const other = Buffer.from('another-secret-of-at-least-32-characters!');

describe('invitation scene_param', () => {
  const id = invitationIdFor(secret, 'cabc123def456', { customerRef: 'C001', orderId: 'O-9' });
  const param = signSceneParam(secret, 'cabc123def456', id);

  it('is URL-safe and far below WeCom’s 128 bytes after encoding', () => {
    expect(encodeURIComponent(param)).toBe(param);
    expect(Buffer.byteLength(encodeURIComponent(param))).toBeLessThanOrEqual(64);
    expect(invitationUrl('https://work.weixin.qq.com/kf/kfc1?enc_scene=x', param)).toBe(`https://work.weixin.qq.com/kf/kfc1?enc_scene=x&scene_param=${param}`);
  });

  it('reads back what it signed, encoded or not', () => {
    expect(readSceneParam(secret, param)).toEqual({ kind: 'valid', campaignId: 'cabc123def456', invitationId: id });
    expect(readSceneParam(secret, encodeURIComponent(param))).toEqual({ kind: 'valid', campaignId: 'cabc123def456', invitationId: id });
  });

  it('refuses a changed id, campaign or signature, and another secret’s signature', () => {
    const [v, campaign, inv, sig] = param.split('.') as [string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? `B${s.slice(1)}` : `A${s.slice(1)}`);
    expect(readSceneParam(secret, [v, campaign, flip(inv), sig].join('.')).kind).toBe('forged');
    expect(readSceneParam(secret, [v, 'cabc123def457', inv, sig].join('.')).kind).toBe('forged');
    expect(readSceneParam(secret, [v, campaign, inv, flip(sig)].join('.')).kind).toBe('forged');
    expect(readSceneParam(secret, [v, campaign, inv].join('.')).kind).toBe('forged');
    expect(readSceneParam(secret, signSceneParam(other, 'cabc123def456', id)).kind).toBe('forged');
  });

  it('leaves the plain flow[:campaign] form to the old reader', () => {
    expect(readSceneParam(secret, 'nps-default')).toEqual({ kind: 'not_invitation' });
    expect(readSceneParam(secret, 'nps-default:spring2026:o-1')).toEqual({ kind: 'not_invitation' });
  });
});

describe('invitation ids', () => {
  it('are one per campaign, customer and touchpoint, and unguessable without the secret', () => {
    const visit = new Date('2026-11-28T06:30:00Z');
    const a = invitationIdFor(secret, 'c1', { customerRef: 'C1', touchpoint: '护理', visitAt: visit });
    expect(invitationIdFor(secret, 'c1', { customerRef: 'C1', touchpoint: '护理', visitAt: visit })).toBe(a);
    expect(invitationIdFor(secret, 'c2', { customerRef: 'C1', touchpoint: '护理', visitAt: visit })).not.toBe(a);
    expect(invitationIdFor(secret, 'c1', { customerRef: 'C2', touchpoint: '护理', visitAt: visit })).not.toBe(a);
    expect(invitationIdFor(secret, 'c1', { customerRef: 'C1', touchpoint: '护理', visitAt: new Date('2026-11-29T06:30:00Z') })).not.toBe(a);
    expect(invitationIdFor(other, 'c1', { customerRef: 'C1', touchpoint: '护理', visitAt: visit })).not.toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('an order id names the touchpoint by itself', () => {
    expect(invitationIdFor(secret, 'c1', { customerRef: 'C1', orderId: 'O1', touchpoint: '购买' })).toBe(invitationIdFor(secret, 'c1', { customerRef: 'C1', orderId: 'O1' }));
  });
});

describe('sampling', () => {
  it('draws the same for the same id, near the rate over many', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => invitationIdFor(secret, 'c1', { customerRef: `C${i}` }));
    const picked = ids.filter((id) => sampledIn(id, 0.25)).length;
    expect(picked / ids.length).toBeGreaterThan(0.22);
    expect(picked / ids.length).toBeLessThan(0.28);
    expect(ids.filter((id) => sampledIn(id, 0.25)).length).toBe(picked);
    expect(ids.every((id) => sampledIn(id, 1))).toBe(true);
    expect(ids.some((id) => sampledIn(id, 0))).toBe(false);
  });
});

describe('send time', () => {
  const tz = 'Asia/Shanghai';
  const campaign = { delayMinutes: 120, quietHours: { start: '21:00', end: '09:00' } };

  it('is the delay after the visit, moved out of quiet hours', () => {
    const now = new Date('2026-11-28T12:00:00+08:00');
    expect(sendTimeFor(campaign, new Date('2026-11-28T14:30:00+08:00'), now, tz).toISOString()).toBe(new Date('2026-11-28T16:30:00+08:00').toISOString());
    // 20:00 + 2 h = 22:00, quiet: 09:00 the next morning.
    expect(sendTimeFor(campaign, new Date('2026-11-28T20:00:00+08:00'), now, tz).toISOString()).toBe(new Date('2026-11-29T09:00:00+08:00').toISOString());
    // A visit long ago goes out now (not in the past).
    expect(sendTimeFor(campaign, new Date('2026-11-01T10:00:00+08:00'), now, tz)).toEqual(now);
    expect(sendTimeFor({ ...campaign, quietHours: null }, new Date('2026-11-28T20:00:00+08:00'), now, tz).toISOString()).toBe(new Date('2026-11-28T22:00:00+08:00').toISOString());
  });

  it('sets expiry from the send time and keys the daily cap by the local send day', () => {
    const now = new Date('2026-11-28T23:30:00+08:00');
    const plan = planInvitation({ id: 'c1', ...campaign, expiresAfterHours: 72 }, { customerRef: 'C1' }, { secret, now, timeZone: tz, source: 'upload' });
    expect(plan.invitation.sendAt.toISOString()).toBe(new Date('2026-11-29T09:00:00+08:00').toISOString());
    expect(plan.invitation.expiresAt.toISOString()).toBe(new Date('2026-12-02T09:00:00+08:00').toISOString());
    expect(plan.capDay).toBe('2026-11-29');
    expect(plan.identities).toEqual(['ref:C1']);
  });
});
