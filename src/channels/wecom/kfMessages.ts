import { z } from 'zod';
import type { InboundMessage, OutboundMessage } from '../../core/messages.ts';
import type { KfMenuEntry, KfMessageContent } from './kfClient.ts';
import { splitUtf8, utf8Length } from './splitUtf8.ts';

/** Channel name used in every `ConversationRef` of kf messages. */
export const KF_CHANNEL = 'wecom-kf';
/** Channel name for messages members send to a self-built app. */
export const APP_CHANNEL = 'wecom-app';

/** WeCom kf limits, in UTF-8 bytes and items. */
export const KF_LIMITS = {
  textBytes: 2048,
  menuItems: 10,
  menuHeadBytes: 1024,
  menuTailBytes: 1024,
  menuItemBytes: 128,
  menuIdBytes: 64,
} as const;

/** `origin` of a pulled kf message. */
export const KF_ORIGIN = { customer: 3, system: 4, servicer: 5 } as const;

const eventSchema = z.object({
  event_type: z.string(),
  open_kfid: z.string().optional(),
  external_userid: z.string().optional(),
  scene: z.string().optional(),
  scene_param: z.string().optional(),
  welcome_code: z.string().optional(),
  fail_msgid: z.string().optional(),
  fail_type: z.number().int().optional(),
  change_type: z.number().int().optional(),
  old_servicer_userid: z.string().optional(),
  new_servicer_userid: z.string().optional(),
  msg_code: z.string().optional(),
});

const itemSchema = z.object({
  msgid: z.string().min(1),
  open_kfid: z.string().optional(),
  external_userid: z.string().optional(),
  send_time: z.number().int().nonnegative(),
  origin: z.number().int(),
  servicer_userid: z.string().optional(),
  msgtype: z.string().min(1),
  text: z.object({ content: z.string(), menu_id: z.string().optional() }).optional(),
  voice: z.object({ media_id: z.string().min(1) }).optional(),
  image: z.object({ media_id: z.string().min(1) }).optional(),
  event: eventSchema.optional(),
});

/** A `sync_msg` item after validation. */
export type KfSyncItem = z.infer<typeof itemSchema>;

/** What to do with one pulled item. */
export type KfItemOutcome =
  | {
      kind: 'message';
      message: InboundMessage;
      /** Sent by the customer (origin 3): reopens the 48 h / 5-message allowance. */
      fromCustomer: boolean;
      /** WeCom refused one of our sends: stop sending to this customer. */
      sendFailed: boolean;
    }
  | { kind: 'skip'; msgId?: string; reason: string };

/**
 * Turns one raw `sync_msg` item into a typed inbound message, or says why it is skipped
 * (malformed, an event type we do not use, a servicer's non-text message). For events the
 * account and customer ids sit inside `event`, not at the top level.
 */
export function convertKfItem(raw: unknown): KfItemOutcome {
  const parsed = itemSchema.safeParse(raw);
  if (!parsed.success) {
    const msgId = (raw as { msgid?: unknown } | null)?.msgid;
    return {
      kind: 'skip',
      msgId: typeof msgId === 'string' ? msgId : undefined,
      reason: `malformed item: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    };
  }
  const item = parsed.data;
  const sentAt = new Date(item.send_time * 1000);

  if (item.msgtype === 'event') {
    const event = item.event;
    if (!event) return { kind: 'skip', msgId: item.msgid, reason: 'event item without event body' };
    const accountId = event.open_kfid ?? item.open_kfid;
    const customerId = event.external_userid ?? item.external_userid;
    if (!accountId || !customerId) return { kind: 'skip', msgId: item.msgid, reason: `event ${event.event_type} without open_kfid/external_userid` };
    const base = { id: item.msgid, conversation: { channel: KF_CHANNEL, accountId, customerId }, sentAt };
    switch (event.event_type) {
      case 'enter_session':
        return {
          kind: 'message',
          fromCustomer: false,
          sendFailed: false,
          message: {
            ...base,
            kind: 'enter_session',
            scene: event.scene || undefined,
            sceneParam: event.scene_param || undefined,
            welcomeCode: event.welcome_code || undefined,
          },
        };
      case 'msg_send_fail':
        return {
          kind: 'message',
          fromCustomer: false,
          sendFailed: true,
          message: { ...base, kind: 'send_failed', failedMessageId: event.fail_msgid ?? '', failType: event.fail_type ?? 0 },
        };
      case 'session_status_change':
        return {
          kind: 'message',
          fromCustomer: false,
          sendFailed: false,
          message: {
            ...base,
            kind: 'session_status',
            changeType: event.change_type ?? 0,
            oldServicerId: event.old_servicer_userid || undefined,
            newServicerId: event.new_servicer_userid || undefined,
            msgCode: event.msg_code || undefined,
          },
        };
      default:
        return { kind: 'skip', msgId: item.msgid, reason: `event type ${event.event_type} is not used` };
    }
  }

  const accountId = item.open_kfid;
  const customerId = item.external_userid;
  if (!accountId || !customerId) return { kind: 'skip', msgId: item.msgid, reason: 'message without open_kfid/external_userid' };
  const base = { id: item.msgid, conversation: { channel: KF_CHANNEL, accountId, customerId }, sentAt };

  if (item.origin === KF_ORIGIN.servicer) {
    if (item.msgtype !== 'text' || !item.text) return { kind: 'skip', msgId: item.msgid, reason: `servicer ${item.msgtype} message` };
    return {
      kind: 'message',
      fromCustomer: false,
      sendFailed: false,
      message: { ...base, kind: 'servicer_text', servicerId: item.servicer_userid ?? '', text: item.text.content },
    };
  }
  if (item.origin !== KF_ORIGIN.customer) return { kind: 'skip', msgId: item.msgid, reason: `origin ${item.origin} ${item.msgtype} message` };
  if (item.msgtype === 'text' && item.text) {
    return {
      kind: 'message',
      fromCustomer: true,
      sendFailed: false,
      message: { ...base, kind: 'text', text: item.text.content, ...(item.text.menu_id ? { menuId: item.text.menu_id } : {}) },
    };
  }
  const media = item.msgtype === 'voice' ? item.voice : item.msgtype === 'image' ? item.image : undefined;
  if (media) {
    const mediaType = item.msgtype === 'voice' ? 'voice' : 'image';
    return { kind: 'message', fromCustomer: true, sendFailed: false, message: { ...base, kind: 'media', mediaType, mediaId: media.media_id } };
  }
  return { kind: 'message', fromCustomer: true, sendFailed: false, message: { ...base, kind: 'unsupported', msgType: item.msgtype } };
}

/**
 * Renders one outbound message into the kf bodies to send, in order. Text is split on
 * 2048-byte boundaries; a menu longer than the head limit sends its head as text first.
 * Throws RangeError for a menu WeCom would refuse (more than 10 items, an id over 64 bytes).
 *
 * @example
 * renderKfMessage({ kind: 'text', text: 'hi' }); // [{ msgtype: 'text', text: { content: 'hi' } }]
 */
export function renderKfMessage(message: OutboundMessage): KfMessageContent[] {
  if (message.kind === 'text') {
    return splitUtf8(message.text, KF_LIMITS.textBytes).map((content) => ({ msgtype: 'text' as const, text: { content } }));
  }
  if (message.items.length === 0 || message.items.length > KF_LIMITS.menuItems) {
    throw new RangeError(`a kf menu needs 1 to ${KF_LIMITS.menuItems} items, got ${message.items.length}`);
  }
  const list: KfMenuEntry[] = message.items.map((item) => {
    if (!/^[0-9a-zA-Z_-]+$/.test(item.id) || utf8Length(item.id) > KF_LIMITS.menuIdBytes) {
      throw new RangeError(`menu item id "${item.id.slice(0, 80)}" must be 1-${KF_LIMITS.menuIdBytes} bytes of [0-9a-zA-Z_-]`);
    }
    return { type: 'click', click: { id: item.id, content: truncateUtf8(item.label, KF_LIMITS.menuItemBytes) } };
  });
  const parts: KfMessageContent[] = [];
  let head = message.head;
  if (head && utf8Length(head) > KF_LIMITS.menuHeadBytes) {
    // Too long for the menu header: say it as text, keep the menu itself short.
    parts.push(...renderKfMessage({ kind: 'text', text: head }));
    head = undefined;
  }
  const tail = message.tail ? truncateUtf8(message.tail, KF_LIMITS.menuTailBytes) : undefined;
  parts.push({
    msgtype: 'msgmenu',
    msgmenu: { ...(head ? { head_content: head } : {}), list, ...(tail ? { tail_content: tail } : {}) },
  });
  return parts;
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes at a character boundary, marking the cut with '…'. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  return `${splitUtf8(text, maxBytes - 3)[0] ?? ''}…`;
}
