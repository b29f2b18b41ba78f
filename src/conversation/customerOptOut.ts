import type { Logger } from '../core/logger.ts';
import { conversationKey, type ConversationRef, type InboundMessage } from '../core/messages.ts';
import type { ChannelPort } from '../core/ports.ts';
import type { CustomerRepository } from '../core/sessions.ts';

const OPTED_IN_REPLY = '好的，已为您恢复消息提醒，感谢您的支持！';
const OPT_IN_PATTERN = /(恢复|重新订阅|继续发|可以发|开启提醒)/;

/**
 * A customer's "不要再发了" and "恢复提醒", in one place. The engine ends the survey with an
 * `opt_out` effect; this records it on the customer (campaigns mirror it into their consent list,
 * see campaigns/consentMirror.ts), keeps anything from starting for them, and takes them back
 * when they ask for it.
 */
export function createCustomerOptOut(deps: { customers: CustomerRepository; channel: Pick<ChannelPort, 'send'>; logger: Logger }) {
  const log = deps.logger.child({ module: 'conversation' });
  return {
    async isOptedOut(key: string): Promise<boolean> {
      return (await deps.customers.get(key))?.optedOut ?? false;
    },

    /** The outbox's `opt_out` effect: from now on nothing is sent to the customer unasked. */
    async record(ref: ConversationRef, at: Date, sessionId: string): Promise<void> {
      await deps.customers.upsert(ref, { optedOut: true, optedOutAt: at });
      log.info({ conversationKey: conversationKey(ref), sessionId }, 'customer opted out');
    },

    /**
     * An opted-out customer wrote with no survey running: nothing starts until they ask for it
     * back, and asking for it restores messages. False when the customer has not opted out.
     */
    async answerOptedOut(message: InboundMessage, text: string | null): Promise<boolean> {
      const ref = message.conversation;
      if (!(await this.isOptedOut(conversationKey(ref)))) return false;
      if (text && OPT_IN_PATTERN.test(text)) {
        await deps.customers.upsert(ref, { optedOut: false });
        await deps.channel.send(ref, { kind: 'text', text: OPTED_IN_REPLY }, { idempotencyKey: `optin-${message.id}` });
        log.info({ conversationKey: conversationKey(ref) }, 'customer opted back in');
      }
      return true;
    },
  };
}

export type CustomerOptOut = ReturnType<typeof createCustomerOptOut>;
