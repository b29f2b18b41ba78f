import type { CampaignState } from '../core/campaigns.ts';
import type { Logger } from '../core/logger.ts';
import { conversationKey } from '../core/messages.ts';
import type { CustomerRepository } from '../core/sessions.ts';

/**
 * Wraps the customer repository so an opt-out said in the chat ("不要再发了") also reaches the
 * campaigns' consent list, for the WeCom id and every merchant identity (customer ref, phone)
 * the conversation came in with, and an opt-in takes them off again. The chat's own record stays
 * the source of truth; the mirror is what an import of 100,000 rows can ask in one step.
 */
export function withConsentMirror(inner: CustomerRepository, state: CampaignState, logger: Logger): CustomerRepository {
  const log = logger.child({ module: 'campaign-consent' });
  return {
    ...inner,
    async upsert(ref, changes) {
      const saved = await inner.upsert(ref, changes);
      if (changes.optedOut !== undefined) {
        const key = conversationKey(ref);
        const identities = await state.identitiesOf(key, ref.customerId);
        await state.setOptedOut(identities, changes.optedOut);
        log.info({ conversationKey: key, identities: identities.length, optedOut: changes.optedOut }, 'campaign consent updated');
      }
      return saved;
    },
  };
}

/**
 * Customers who opted out in a chat before campaigns existed: copied into the campaigns' consent
 * list once per Redis (`marker`), in the background; later opt-outs are mirrored as they happen.
 * A failed copy releases the marker, so the next start tries again.
 */
export async function backfillConsent(deps: {
  marker: { claim(): Promise<boolean>; release(): Promise<void> };
  optedOutCustomerIds: () => AsyncIterable<string>;
  state: Pick<CampaignState, 'setOptedOut'>;
  logger: Logger;
}): Promise<void> {
  try {
    if (!(await deps.marker.claim())) return;
    let count = 0;
    for await (const customerId of deps.optedOutCustomerIds()) {
      await deps.state.setOptedOut([`wx:${customerId}`], true);
      count += 1;
    }
    if (count) deps.logger.info({ customers: count }, 'opted-out customers copied to the campaigns consent list');
  } catch (error) {
    await deps.marker.release().catch(() => undefined);
    deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'consent backfill failed; the next start tries again');
  }
}
