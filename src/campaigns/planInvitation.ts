import { createHash, createHmac } from 'node:crypto';
import type { AudienceRow, Campaign, Invitation } from './campaignTypes.ts';
import { nextAllowedTime } from './quietHours.ts';
import { signSceneParam } from './sceneParam.ts';
import { localDateKey } from '../core/calendar.ts';

/**
 * Turning an audience row into an invitation (pure). The id is an HMAC of campaign, customer and
 * touchpoint (the order, else the touchpoint and its time), so one customer and touchpoint get
 * one invitation however often a file is imported or an event is delivered, and nobody can
 * guess another customer's id.
 */

const ID_BYTES = 16;

export function invitationIdFor(secret: Buffer, campaignId: string, row: Pick<AudienceRow, 'customerRef' | 'orderId' | 'touchpoint' | 'visitAt'>): string {
  const touchpoint = row.orderId ? `order\n${row.orderId}` : `visit\n${row.touchpoint ?? ''}\n${row.visitAt?.toISOString() ?? ''}`;
  return createHmac('sha256', secret).update(`invitation\n${campaignId}\n${row.customerRef}\n${touchpoint}`).digest().subarray(0, ID_BYTES).toString('base64url');
}

/** Whether a sampled campaign invites this one: a stable draw from the id, so re-imports agree. */
export function sampledIn(invitationId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return createHash('sha256').update(invitationId).digest().readUInt32BE(0) / 0x1_0000_0000 < rate;
}

/**
 * When the invitation should reach the customer: the campaign's delay after the visit (not
 * before now), moved past quiet hours.
 */
export function sendTimeFor(campaign: Pick<Campaign, 'delayMinutes' | 'quietHours'>, visitAt: Date | undefined, now: Date, timeZone: string): Date {
  const due = Math.max(now.getTime(), (visitAt ?? now).getTime() + campaign.delayMinutes * 60_000);
  return nextAllowedTime(new Date(due), campaign.quietHours, timeZone);
}

/** The identities fatigue and consent are kept under: the merchant's ref, the WeCom id, a phone hash. */
export function identitiesOf(row: Pick<AudienceRow, 'customerRef' | 'externalUserId' | 'phone'>): string[] {
  const ids = [`ref:${row.customerRef}`];
  if (row.externalUserId) ids.push(`wx:${row.externalUserId}`);
  if (row.phone) ids.push(`tel:${createHash('sha256').update(row.phone.replace(/^\+?86/, '')).digest('base64url').slice(0, 16)}`);
  return ids;
}

export interface PlannedInvitation {
  invitation: Invitation;
  identities: string[];
  /** The local day (YYYY-MM-DD) whose daily cap it counts against. */
  capDay: string;
}

export function planInvitation(
  campaign: Pick<Campaign, 'id' | 'delayMinutes' | 'quietHours' | 'expiresAfterHours'>,
  row: AudienceRow,
  context: { secret: Buffer; now: Date; timeZone: string; source: Invitation['source'] },
): PlannedInvitation {
  const id = invitationIdFor(context.secret, campaign.id, row);
  const sendAt = sendTimeFor(campaign, row.visitAt, context.now, context.timeZone);
  const invitation: Invitation = {
    ...row,
    id,
    campaignId: campaign.id,
    sceneParam: signSceneParam(context.secret, campaign.id, id),
    source: context.source,
    sendAt,
    expiresAt: new Date(sendAt.getTime() + campaign.expiresAfterHours * 3_600_000),
    createdAt: context.now,
  };
  return { invitation, identities: identitiesOf(row), capDay: localDateKey(sendAt, context.timeZone) };
}

/** The link a customer opens: the campaign's kf link plus the signed parameter. */
export function invitationUrl(contactWayUrl: string, sceneParam: string): string {
  return `${contactWayUrl}${contactWayUrl.includes('?') ? '&' : '?'}scene_param=${encodeURIComponent(sceneParam)}`;
}
