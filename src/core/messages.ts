/**
 * Channel-neutral message vocabulary. Channels convert their wire formats into
 * `InboundMessage` and render `OutboundMessage` back; nothing outside `channels/` knows
 * WeCom's shapes.
 */

/** Identifies one customer conversation on one channel account. */
export interface ConversationRef {
  /** e.g. 'wecom-kf' */
  channel: string;
  /** kf account (open_kfid) or app agent id */
  accountId: string;
  /** customer id (external_userid) */
  customerId: string;
}

/** Stable key used for locks, queues and session lookup: `channel:accountId:customerId`. */
export function conversationKey(ref: ConversationRef): string {
  return `${ref.channel}:${ref.accountId}:${ref.customerId}`;
}

/** Media the bot keeps for the advisor: voice notes (transcribed when it can) and pictures. */
export type MediaType = 'voice' | 'image';

interface InboundBase {
  /** Channel message id; the dedupe key. */
  id: string;
  conversation: ConversationRef;
  sentAt: Date;
}

export type InboundMessage =
  /** The customer typed text, or clicked a menu item (then `menuId` is set). */
  | (InboundBase & { kind: 'text'; text: string; menuId?: string })
  /** A voice note or a picture (stickers the customer saved arrive as pictures); `mediaId` is the channel's temporary media id. */
  | (InboundBase & { kind: 'media'; mediaType: MediaType; mediaId: string })
  /** Video, file, location…: the bot reads text only. */
  | (InboundBase & { kind: 'unsupported'; msgType: string })
  /** The customer opened the chat (e.g. from a link or QR code). */
  | (InboundBase & { kind: 'enter_session'; scene?: string; sceneParam?: string; welcomeCode?: string })
  /** A human servicer wrote to the customer from the WeCom client. */
  | (InboundBase & { kind: 'servicer_text'; servicerId: string; text: string })
  /** WeCom could not deliver one of our messages. */
  | (InboundBase & { kind: 'send_failed'; failedMessageId: string; failType: number })
  /** The session moved between bot, queue, person and ended. */
  | (InboundBase & {
      kind: 'session_status';
      changeType: number;
      oldServicerId?: string;
      newServicerId?: string;
      msgCode?: string;
    });

export interface MenuItem {
  id: string;
  label: string;
}

export type OutboundMessage =
  | { kind: 'text'; text: string }
  | { kind: 'menu'; head?: string; items: MenuItem[]; tail?: string };
