import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ChannelPort, SendResult } from '../core/ports.ts';
import type { PendingSend, SessionRecord, TranscriptEntry } from '../core/sessions.ts';
import { outboundText } from './outboundText.ts';

/** What the sends of one outbox did. */
export interface SendsDone {
  entries: TranscriptEntry[];
  /** The last bot line, and whether WeCom took it (`uncertain`: it may have). */
  last?: { text: string; delivered: boolean; uncertain?: boolean };
  /** A failure that may pass (network, WeCom down): the rest waits for the retry. */
  error?: unknown;
}

/**
 * The replies of an outbox, sent in order: the first passing failure stops the rest (they wait for
 * the retry), a refusal by the channel marks the rest blocked, an unrenderable one is recorded failed.
 */
export function createOutboxSends(deps: { channel: ChannelPort; now: () => Date }, log: Logger) {
  async function runSends(session: SessionRecord): Promise<SendsDone> {
    const done: SendsDone = { entries: [] };
    let refused = false;
    for (const effect of session.outbox) {
      if (effect.kind !== 'send') continue;
      let delivery: NonNullable<TranscriptEntry['delivery']> = 'blocked';
      if (!refused) {
        try {
          const result = await deliver(session, effect);
          delivery = result.status === 'blocked' ? 'blocked' : result.unconfirmed ? 'unconfirmed' : 'sent';
          // Once the channel refuses (budget, a person holds the chat), the rest would be refused too.
          refused = result.status === 'blocked';
          if (refused) log.info({ conversationKey: session.conversationKey, reason: result.status === 'blocked' ? result.reason : undefined }, 'channel refused a reply');
        } catch (error) {
          if (!(error instanceof AppError) || error.status >= 500) {
            done.error = error;
            // Not said (or not known to be): a hand-over may say it, in these words, through its
            // transfer code, unless WeCom may have taken it already (that would say it twice).
            done.last = { text: outboundText(effect.message), delivered: false, ...(error instanceof AppError && error.outcomeUnknown ? { uncertain: true } : {}) };
            break;
          }
          // A message the channel cannot render will not render on retry: record it as failed.
          log.error({ conversationKey: session.conversationKey, code: error.code, err: error.message }, 'reply could not be sent');
          delivery = 'failed';
        }
      }
      const text = outboundText(effect.message);
      done.entries.push({ direction: 'out', author: 'bot', text, at: deps.now(), messageId: effect.key, delivery, seq: effect.seq, ...(effect.stepId ? { stepId: effect.stepId } : {}) });
      done.last = { text, delivered: delivery === 'sent' || delivery === 'unconfirmed' };
    }
    return done;
  }

  /**
   * Sends one message. A welcome goes through its one-shot code; when the code is used up or has
   * expired (a replay after a crash, a slow start) the message goes through the normal send.
   */
  async function deliver(session: SessionRecord, pending: PendingSend): Promise<SendResult> {
    const options = { idempotencyKey: pending.key };
    if (!pending.welcomeCode) return deps.channel.send(session.conversation, pending.message, options);
    const welcomed = await deps.channel.welcome(pending.welcomeCode, pending.message, options);
    if (welcomed.status === 'sent') return welcomed;
    log.info({ conversationKey: session.conversationKey, reason: welcomed.reason }, 'welcome code refused; sending normally');
    return deps.channel.send(session.conversation, pending.message, options);
  }

  return { runSends };
}
