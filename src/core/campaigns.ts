import type { ConversationRef } from './messages.ts';
import type { SessionAttribution, SessionRecord } from './sessions.ts';

/**
 * What the conversation layer needs from campaigns (src/campaigns/ implements it): which flow an
 * entry link starts and what the session records about the invitation behind it, whether a due
 * reminder may go out now, and news of campaign sessions for the campaign's counters.
 */

/*
 * Campaigns and invitations (src/campaigns/ holds their rules and zod schemas; store/ keeps them).
 */

export const campaignStatuses = ['draft', 'active', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** Why an audience row got no invitation (counted per campaign). */
export const skipReasons = ['duplicate', 'opted_out', 'fatigue', 'sampled_out', 'daily_cap'] as const;
export type SkipReason = (typeof skipReasons)[number];

export interface Campaign {
  id: string;
  name: string;
  flowId: string;
  status: CampaignStatus;
  /** The kf account (open_kfid) whose link invitations carry; default: the service's account. */
  openKfId?: string;
  audience: { source: 'upload' | 'events' | 'both'; eventTypes: string[] };
  /** Minutes between the purchase or visit and the invitation. */
  delayMinutes: number;
  /** Share of eligible customers invited (0–1), decided per invitation id so a re-import decides alike. */
  samplingRate: number;
  /** At most this many invitations go out per local day (by send time); null = no cap. */
  dailyCap: number | null;
  /** Nothing is sent in these local hours (SURVEY_TIMEZONE); null = no quiet hours. */
  quietHours: { start: string; end: string } | null;
  /** An invitation's link stops working this long after it is sent. */
  expiresAfterHours: number;
  /** One reminder this long after the invitation (unopened) or the last question (half-way); null = none. */
  reminder: { afterHours: number } | null;
  /** Mass-send tasks through the customer's advisor (客户联系 `add_msg_template`). */
  massSend: { enabled: boolean; text: string; reminderText: string };
  /** WeCom `scene` of the campaign's kf link (from `kf/add_contact_way`). */
  scene: string;
  /** The kf link, obtained once per campaign. */
  contactWay?: { url: string; openKfId: string; createdAt: Date };
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One customer and touchpoint to invite, as read from a CSV line, a JSON row or an event. */
export interface AudienceRow {
  customerRef: string;
  name?: string;
  phone?: string;
  externalUserId?: string;
  advisorUserId?: string;
  store?: string;
  orderId?: string;
  products?: string[];
  touchpoint?: string;
  visitAt?: Date;
}

export interface Invitation extends AudienceRow {
  id: string;
  campaignId: string;
  sceneParam: string;
  source: 'upload' | 'event';
  /** When it should reach the customer (delay after the visit, moved out of quiet hours). */
  sendAt: Date;
  expiresAt: Date;
  createdAt: Date;
  openedAt?: Date;
  conversationKey?: string;
  sessionId?: string;
  startedAt?: Date;
  completedAt?: Date;
  massSentAt?: Date;
  remindedAt?: Date;
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
  /** Not an invitation parameter at all (e.g. a plain `flow` parameter): the caller reads the flow id from it. */
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

/** Campaign documents (few: read by id, listed whole). */
export interface CampaignStore {
  /** Inserts a campaign; an id already taken throws ConflictError CAMPAIGN_EXISTS. */
  create(campaign: Campaign): Promise<Campaign>;
  get(id: string): Promise<Campaign | null>;
  /** Every campaign, newest first. */
  list(): Promise<Campaign[]>;
  /** Changes fields of one campaign; null when there is none. */
  update(id: string, changes: Partial<Omit<Campaign, 'id' | 'createdAt' | 'createdBy'>>): Promise<Campaign | null>;
  /** A named secret generated once and kept (first writer wins), for when none is configured. */
  storedSecret(name: string, generate: () => string): Promise<string>;
}

/** Fields set on an invitation after it was created. */
export type InvitationProgress = Partial<Pick<Invitation, 'openedAt' | 'conversationKey' | 'sessionId' | 'startedAt' | 'completedAt' | 'massSentAt' | 'remindedAt'>>;

/** Invitations, read and written by id only (a campaign's whole list is streamed for downloads). */
export interface InvitationStore {
  /** Inserts new invitations; ids already stored come back as duplicates and are left as they are. */
  insertMany(campaignId: string, invitations: Invitation[]): Promise<{ duplicates: string[] }>;
  get(campaignId: string, id: string): Promise<Invitation | null>;
  update(campaignId: string, id: string, changes: InvitationProgress): Promise<void>;
  /** Every invitation of a campaign, in no particular order. */
  stream(campaignId: string): AsyncIterable<Invitation>;
}

/** What the audience gate decided for one row. */
export type GateOutcome = 'admitted' | 'duplicate' | 'opted_out' | 'fatigue' | 'daily_cap';

export interface GateRequest {
  invitationId: string;
  /** ref:<customerRef>, wx:<external_userid>, tel:<phone hash>: consent and fatigue are kept per identity. */
  identities: string[];
  /** Local day (YYYY-MM-DD) of the daily cap it counts against. */
  capDay: string;
}

export type InvitationMilestone = 'opened' | 'started' | 'completed';

/**
 * The shared, atomic side of campaigns (Redis): consent, fatigue, daily caps, counters, entry
 * claims, event ids. Every check-and-take is atomic, so parallel imports and events cannot invite
 * one customer twice or pass a cap.
 */
export interface CampaignState {
  /**
   * Per row, in one atomic step: opted out? invited within the fatigue window (by this very
   * invitation: duplicate)? over the day's cap? An admitted row holds its fatigue window (from
   * `now`) and a place under the cap until `release`.
   */
  admit(campaign: Pick<Campaign, 'id' | 'dailyCap'>, rows: GateRequest[], fatigueSeconds: number, now: Date): Promise<GateOutcome[]>;
  /** Gives back what `admit` took for rows that were not stored after all. */
  release(campaignId: string, rows: GateRequest[]): Promise<void>;
  /** Adds to a campaign's counters (`invited`, `skipped:<reason>`). */
  count(campaignId: string, counts: Record<string, number>): Promise<void>;
  /** Records a milestone of one invitation; true the first time (its counter moved). */
  mark(campaignId: string, invitationId: string, milestone: InvitationMilestone): Promise<boolean>;
  /** The campaign's counters. */
  counters(campaignId: string): Promise<Record<string, number>>;
  /** How many invitations count against a local day's cap. */
  capUsed(campaignId: string, day: string): Promise<number>;
  /** Claims an invitation for an entry (`claimant`); returns whoever holds it now. */
  claim(invitationId: string, claimant: string, ttlSeconds: number): Promise<string>;
  /** Remembers which identities a conversation belongs to (an opt-out there covers them all). */
  linkConversation(conversationKey: string, identities: string[]): Promise<void>;
  /** Opts identities out (or back in); opted-out identities are never admitted. */
  setOptedOut(identities: string[], optedOut: boolean): Promise<void>;
  /** The identities linked to a conversation, its own WeCom id included. */
  identitiesOf(conversationKey: string, externalUserId: string): Promise<string[]>;
  /** True the first time `key` is taken within `ttlSeconds` (at most one reminder). */
  once(key: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Starts handling a signed event id: `new` the first time, `busy` while another delivery of
   * it runs, or the stored outcome of the delivery that handled it.
   */
  beginEvent(eventId: string): Promise<{ state: 'new' } | { state: 'busy' } | { state: 'done'; outcome: string }>;
  finishEvent(eventId: string, outcome: string | null): Promise<void>;
}

/** The WeCom calls campaigns make (channels/wecom implements them; the simulator answers them). */
export interface CampaignWecom {
  /** `kf/add_contact_way`: a kf link whose entries carry `scene`. */
  addContactWay(openKfId: string, scene: string): Promise<string>;
  /**
   * `externalcontact/add_msg_template`: a mass-send task for one advisor to one customer (客户联系),
   * the invitation link as a link attachment. Absent without 客户联系 credentials.
   */
  addMsgTemplate?(request: { sender: string; externalUserId: string; text: string; link: { title: string; url: string; desc?: string } }): Promise<{ msgId: string; failed: boolean }>;
}
