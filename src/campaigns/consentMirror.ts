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
