import type { ConversationRef } from './messages.ts';
import type { SessionRecord } from './sessions.ts';

/**
 * What the conversation layer needs from campaigns (src/campaigns/ implements it): which flow an
 * entry link starts and what the session records about the invitation behind it, whether a due
 * reminder may go out now, and news of campaign sessions for the campaign's counters.
 */

/** Where a session came from, recorded on it so analytics can filter by each attribute. */
export interface SessionAttribution {
  campaignId: string;
  invitationId: string;
  store?: string;
  orderId?: string;
  touchpoint?: string;
  products?: string[];
  /** When the customer visited or bought (the touchpoint's time). */
  visitAt?: Date;
}

/** An `enter_session` as the resolver sees it. */
export interface EntryRequest {
  conversation: ConversationRef;
  scene?: string;
  sceneParam: string;
  /** The enter_session message id: a replay of the same message resolves the same way. */
  messageId: string;
  now: Date;
}

/** Why a signed-looking entry parameter was not honoured (it starts the default flow instead). */
export type EntryRefusal = 'forged' | 'unknown' | 'expired' | 'reused' | 'other_customer' | 'campaign_closed';

export type EntryResolution =
  /** Not an invitation parameter at all (e.g. the plain `flow[:campaign]` form): the caller reads it. */
  | { kind: 'not_invitation' }
  /** A valid invitation: start `flowId` with these attributes and template fields. */
  | { kind: 'invitation'; flowId: string; attribution: SessionAttribution; customerFields: Record<string, string> }
  /** An invitation parameter that is forged, expired, reused…: logged by the resolver, never trusted. */
  | { kind: 'refused'; reason: EntryRefusal };

/**
 * The invitation behind an entry link. Must answer within the 20 s a welcome code lives, so an
 * implementation reads by id only. Resolving the same `messageId` again gives the same answer.
 */
export interface EntryResolver {
  resolve(request: EntryRequest): Promise<EntryResolution>;
  /**
   * A session that came through an invitation was saved (started, answered, completed): keeps
   * the campaign's counters. Idempotent; a failure is logged by the caller and costs no turn.
   */
  sessionSaved(session: SessionRecord): Promise<void>;
}

/** What to do with a due idle reminder. */
export type ReminderDecision = { action: 'send' } | { action: 'defer'; until: Date } | { action: 'skip'; reason: string };

/** Whether a session's idle reminder may go out now (quiet hours, WeCom's window, at most one). */
export interface ReminderPolicy {
  decide(session: SessionRecord, now: Date): Promise<ReminderDecision>;
}
