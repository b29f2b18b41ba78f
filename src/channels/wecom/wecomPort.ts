import { createHash, randomBytes } from 'node:crypto';
import type { HandledLedger, SendBudget } from '../../core/channelState.ts';
import { AppError, ValidationError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { conversationKey, type ConversationRef, type OutboundMessage } from '../../core/messages.ts';
import type { ChannelPort, SendResult } from '../../core/ports.ts';
import { TRANSIENT_ERRCODES, type KfClient, type KfMessageContent } from './kfClient.ts';
import { KF_CHANNEL, KF_LIMITS, renderKfMessage, truncateUtf8 } from './kfMessages.ts';
import { WecomApiError } from './wecomErrors.ts';

type BlockReason = Extract<SendResult, { status: 'blocked' }>['reason'];

/**
 * errcodes that mean "WeCom will not take messages for this customer now": stop, never retry.
 * 95001 over the 5-message limit, 95002 / 95024 outside the 48 h window, 95018 the session is
 * queued or held by a person, 95013 the session has ended.
 */
export const KF_STOP_CODES: ReadonlyMap<number, BlockReason> = new Map<number, BlockReason>([
  [95001, 'budget'],
  [95002, 'window'],
  [95024, 'window'],
  [95018, 'human'],
  [95013, 'session'],
]);

/** For `send_msg_on_event` also: 95007, the welcome/event code is unknown, used or expired. */
const WELCOME_STOP_CODES: ReadonlyMap<number, BlockReason> = new Map<number, BlockReason>([...KF_STOP_CODES, [95007, 'session']]);

export interface WecomPortDeps {
  client: KfClient;
  budget: SendBudget;
  logger: Logger;
  /** Sends allowed per customer message and how long that allowance lasts (WeCom: 5, 48 h). */
  limits: { perWindow: number; windowSeconds: number };
  /** Remembers parts sent under an idempotency key, so a replayed send delivers nothing twice. */
  ledger?: HandledLedger;
}

/** How long sent idempotency keys are remembered: WeCom's 48 h window plus a margin. */
const SENT_TTL_SECONDS = 3 * 24 * 3600;

/**
 * The kf `ChannelPort`. `send` renders the message (splitting long text), takes every part
 * from the customer's send budget up front (all or nothing), and sends the parts in order;
 * WeCom's stop codes end it with `blocked`. `welcome` uses the one-shot welcome code and does
 * not touch the budget.
 *
 * @example
 * const port = createWecomPort({ client, budget: state.budget, logger, limits: { perWindow: 5, windowSeconds: 172800 } });
 * await port.send(conversation, { kind: 'text', text: '谢谢！' });
 */
export function createWecomPort(deps: WecomPortDeps): ChannelPort {
  const log = deps.logger.child({ module: 'wecom-send' });
  const { perWindow, windowSeconds } = deps.limits;

  return {
    async send(to, message, options = {}) {
      checkChannel(to);
      const parts = render(message);
      if (parts.length === 0) return { status: 'sent', messageIds: [] };
      const conversation = conversationKey(to);
      // With an idempotency key each part has a fixed msgid; parts already sent are skipped.
      const key = deps.ledger ? options.idempotencyKey : undefined;
      const partIds = parts.map((_, index) => (key ? keyedMsgId(key, index) : newMsgId()));
      // One look at the ledger for both marks of every part.
      const marks = key ? await deps.ledger!.handled(partIds.flatMap((id) => [`sent:${id}`, `try:${id}`])) : new Set<string>();
      const sentBefore = marks;
      const triedBefore = marks;
      const pending = parts
        .map((content, index) => ({ content, index, msgId: partIds[index]!, tried: triedBefore.has(`try:${partIds[index]!}`) }))
        .filter((p) => !sentBefore.has(`sent:${p.msgId}`));
      if (pending.length === 0) return { status: 'sent', messageIds: partIds };
      // A part tried before is counted already (its outcome was unknown): count only new ones.
      const fresh = pending.filter((p) => !p.tried).length;
      if (fresh > 0 && !(await deps.budget.take(conversation, fresh, perWindow, windowSeconds))) {
        log.info({ conversation, parts: fresh }, 'send budget used up; not sending');
        return { status: 'blocked', reason: 'budget' };
      }
      const messageIds: string[] = partIds.filter((id) => sentBefore.has(`sent:${id}`));
      let unconfirmed = false;
      for (const [position, { content, msgId, tried }] of pending.entries()) {
        try {
          if (key) await deps.ledger!.markHandled(`try:${msgId}`, SENT_TTL_SECONDS);
          const sent = await deps.client.sendMessage({ toUser: to.customerId, openKfId: to.accountId, msgId, content });
          if (key) await deps.ledger!.markHandled(`sent:${msgId}`, SENT_TTL_SECONDS);
          messageIds.push(sent.msgId);
        } catch (error) {
          if (key && refusedAsRepeat(error, tried)) {
            log.warn({ conversation, msgId, errcode: (error as WecomApiError).errcode }, 'retried part refused; taking it as delivered by the earlier attempt');
            await deps.ledger!.markHandled(`sent:${msgId}`, SENT_TTL_SECONDS);
            messageIds.push(msgId);
            unconfirmed = true;
            continue;
          }
          // The parts after this one were counted but never tried.
          const untried = pending.slice(position + 1).filter((p) => !p.tried).length;
          if (error instanceof WecomApiError) {
            // WeCom refused this part: it was not delivered now. Unless an earlier attempt's
            // outcome is unknown, it was not delivered at all: uncount it and forget the attempt.
            const known = !tried && !error.afterUnansweredAttempt;
            if (key && known) await deps.ledger!.forget(`try:${msgId}`);
            await deps.budget.refund(conversation, untried + (known ? 1 : 0));
            const reason = KF_STOP_CODES.get(error.errcode);
            if (reason) {
              if (reason === 'budget' || reason === 'window') await deps.budget.exhaust(conversation, perWindow, windowSeconds);
              log.info({ conversation, errcode: error.errcode, reason, sentParts: messageIds.length }, 'WeCom refused to send; stopping');
              return { status: 'blocked', reason, errcode: error.errcode };
            }
          } else if (error instanceof AppError && !error.outcomeUnknown) {
            // WeCom answered every attempt with an HTTP error: it did nothing; uncount this part too.
            if (key && !tried) await deps.ledger!.forget(`try:${msgId}`);
            await deps.budget.refund(conversation, untried + (tried ? 0 : 1));
          } else {
            // Unknown whether this part arrived (timeout): keep it counted.
            await deps.budget.refund(conversation, untried);
          }
          throw error;
        }
      }
      return { status: 'sent', messageIds, ...(unconfirmed ? { unconfirmed } : {}) };
    },

    async welcome(code, message, options = {}) {
      const content = renderWelcome(message);
      const key = deps.ledger ? options.idempotencyKey : undefined;
      const msgId = key ? keyedMsgId(key, 0) : newMsgId();
      if (key && (await deps.ledger!.handled([`sent:${msgId}`])).size > 0) return { status: 'sent', messageIds: [msgId] };
      const triedBefore = key ? (await deps.ledger!.handled([`try:${msgId}`])).size > 0 : false;
      try {
        if (key) await deps.ledger!.markHandled(`try:${msgId}`, SENT_TTL_SECONDS);
        const sent = await deps.client.sendMessageOnEvent({ code, msgId, content });
        if (key) await deps.ledger!.markHandled(`sent:${msgId}`, SENT_TTL_SECONDS);
        return { status: 'sent', messageIds: [sent.msgId] };
      } catch (error) {
        // A retried code refused now was either used by the earlier try or has expired meanwhile:
        // WeCom does not say which. Report it refused but keep the try on record, so the caller's
        // send_msg with the same key (same msgid) is refused as a repeat if the welcome did arrive.
        const uncertain = error instanceof WecomApiError && (triedBefore || error.afterUnansweredAttempt);
        if (key && error instanceof WecomApiError && !uncertain) await deps.ledger!.forget(`try:${msgId}`);
        const reason =
          error instanceof WecomApiError ? (WELCOME_STOP_CODES.get(error.errcode) ?? (uncertain && !TRANSIENT_ERRCODES.has(error.errcode) ? 'session' : undefined)) : undefined;
        if (error instanceof WecomApiError && reason) {
          log.info({ errcode: error.errcode, reason }, 'WeCom refused the welcome message');
          return { status: 'blocked', reason, errcode: error.errcode };
        }
        throw error;
      }
    },

    transfer: (to, target) => transferSession(deps.client, to, target),

    async serviceState(to) {
      checkChannel(to);
      return deps.client.getServiceState({ openKfId: to.accountId, externalUserId: to.customerId });
    },

    async customerProfile(to) {
      checkChannel(to);
      const result = await deps.client.batchGetCustomers([to.customerId], { needEnterSessionContext: true });
      const customer = result.customers.find((c) => c.externalUserId === to.customerId);
      if (!customer) return null;
      return { nickname: customer.nickname || undefined, sceneParam: customer.enterSessionContext?.sceneParam || undefined };
    },

    async fetchMedia(to, mediaId) {
      checkChannel(to);
      return deps.client.getMedia(mediaId);
    },
  };

}

/** Moves the WeCom session to a state (3, a person, needs the servicer). */
async function transferSession(client: WecomPortDeps['client'], to: ConversationRef, target: Parameters<ChannelPort['transfer']>[1]) {
  checkChannel(to);
  if (target.state === 3 && !target.servicerId) {
    throw new ValidationError('WECOM_SERVICER_REQUIRED', 'moving a session to a person (state 3) needs servicerId');
  }
  return client.transferServiceState({ openKfId: to.accountId, externalUserId: to.customerId, state: target.state, servicerId: target.servicerId });
}

function checkChannel(to: ConversationRef): void {
  if (to.channel !== KF_CHANNEL) {
    throw new ValidationError('WECOM_CHANNEL_UNSUPPORTED', `the WeCom port sends to ${KF_CHANNEL} conversations, not ${to.channel}`);
  }
}

function render(message: OutboundMessage): KfMessageContent[] {
  try {
    return renderKfMessage(message);
  } catch (error) {
    throw new ValidationError('WECOM_MESSAGE_INVALID', (error as Error).message);
  }
}

/**
 * What WeCom guarantees for a retried send: a msgid it already took is refused (it must be
 * unique per kf account), whatever the errcode says, so a fixed msgid per part can never arrive
 * twice. When an attempt at a part got no answer and its retry is refused with anything but a
 * stop or a "busy" code, the first attempt most likely arrived: the part counts as delivered
 * (unconfirmed) and is never sent under another msgid. (Our simulator answers 40058 to a
 * duplicate; nothing here depends on that code.)
 */
const refusedAsRepeat = (error: unknown, triedBefore: boolean): boolean =>
  error instanceof WecomApiError &&
  (triedBefore || error.afterUnansweredAttempt) &&
  !KF_STOP_CODES.has(error.errcode) &&
  !TRANSIENT_ERRCODES.has(error.errcode);

/** A welcome is exactly one message: long text is cut, a long menu head shortened. */
function renderWelcome(message: OutboundMessage): KfMessageContent {
  const shortened: OutboundMessage =
    message.kind === 'text'
      ? { kind: 'text', text: truncateUtf8(message.text, KF_LIMITS.textBytes) }
      : { ...message, head: message.head === undefined ? undefined : truncateUtf8(message.head, KF_LIMITS.menuHeadBytes) };
  const [only] = render(shortened);
  if (!only) throw new ValidationError('WECOM_MESSAGE_INVALID', 'welcome message is empty');
  return only;
}

/** Our own send msgid: unique per kf account, ≤ 32 bytes of [0-9a-zA-Z_-]. */
function newMsgId(): string {
  return `hf${randomBytes(12).toString('hex')}`;
}

/** A fixed msgid for part `index` of the send with idempotency key `key` (32 bytes). */
function keyedMsgId(key: string, index: number): string {
  return `hk${createHash('sha256').update(`${key}#${index}`).digest('hex').slice(0, 30)}`;
}
