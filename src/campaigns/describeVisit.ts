import type { Invitation } from './campaignTypes.ts';
import { localTimeOf } from '../core/calendar.ts';

/**
 * The template fields a campaign session gets, so a flow's greeting can say who and what
 * ("张女士好！关于11月28日在静安店的护理…"): `name`, `store`, `touchpoint`, `orderId`,
 * `products`, `visitDate` (11月28日) and `visit`, the whole phrase. Absent facts leave fields
 * out, so the flow's fallbacks (`{{customer.visit|这次服务}}`) speak instead.
 */
export function describeVisit(invitation: Pick<Invitation, 'name' | 'store' | 'touchpoint' | 'orderId' | 'products' | 'visitAt'>, timeZone: string): Record<string, string> {
  const fields: Record<string, string> = {};
  if (invitation.name) fields.name = invitation.name;
  if (invitation.store) fields.store = invitation.store;
  if (invitation.touchpoint) fields.touchpoint = invitation.touchpoint;
  if (invitation.orderId) fields.orderId = invitation.orderId;
  if (invitation.products?.length) fields.products = invitation.products.join('、');
  if (invitation.visitAt) {
    const t = localTimeOf(invitation.visitAt, timeZone);
    fields.visitDate = `${t.month}月${t.day}日`;
  }
  const visit = visitPhrase(fields.visitDate, invitation.store, invitation.touchpoint);
  if (visit) fields.visit = visit;
  return fields;
}

/** 11月28日在静安店的护理 · 在静安店的服务 · 11月28日的护理 · 这次护理; nothing known → undefined. */
function visitPhrase(date: string | undefined, store: string | undefined, touchpoint: string | undefined): string | undefined {
  if (!date && !store && !touchpoint) return undefined;
  if (!date && !store) return `这次${touchpoint}`;
  return `${date ?? ''}${store ? `在${store}` : ''}的${touchpoint ?? '服务'}`;
}
