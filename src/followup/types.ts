import type { SessionMilestone } from '../core/sessions.ts';

/**
 * The follow-up vocabulary: what happens after a session (tasks for advisors, tags on the
 * customer, signed webhooks to the merchant's systems) and the trail it leaves per session.
 */

export type FollowUpEvent = SessionMilestone;

/** Webhook event types (Standard Webhooks `type`). */
export const webhookEventTypes = ['survey.completed', 'survey.escalated', 'task.closed', 'customer.opted_out'] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const milestoneEventTypes: Record<FollowUpEvent, WebhookEventType> = {
  completed: 'survey.completed',
  escalated: 'survey.escalated',
  opted_out: 'customer.opted_out',
};

export type TaskStatus = 'open' | 'claimed' | 'closed';

/** How a follow-up task ended. */
export const taskOutcomes = ['called_back', 'resolved', 'refund', 'no_answer', 'declined', 'other'] as const;
export type TaskOutcome = (typeof taskOutcomes)[number];
/** Outcomes that mean an advisor reached the customer (analytics: contacted within 48 h). */
export const contactOutcomes: readonly TaskOutcome[] = ['called_back', 'resolved', 'refund'];

/** One thing done to a task or a session's follow-up, by whom and when. */
export interface FollowUpAction {
  at: Date;
  /** `system`, an advisor id, or an admin user. */
  by: string;
  action: string;
  detail?: string;
}

/** A follow-up task for an advisor: call the customer back, not a live hand-over. */
export interface FollowUpTask {
  /** Derived from session id + rule id, so a rule makes at most one task per session. */
  id: string;
  sessionId: string;
  ruleId: string;
  flowId: string;
  conversationKey: string;
  customerId: string;
  nickname?: string;
  reason: string;
  createdAt: Date;
  dueAt: Date;
  status: TaskStatus;
  claimedBy?: string;
  claimedAt?: Date;
  notes: Array<{ at: Date; by: string; text: string }>;
  outcome?: TaskOutcome;
  closedAt?: Date;
  closedBy?: string;
  /** What the advisor needs at a glance: the score, segment and answers when the task was made. */
  context: { npsScore?: number; group?: string; segment?: string; answers: Array<{ stepId: string; label?: string; kind: string; text: string }> };
  actions: FollowUpAction[];
}

export type NewTask = Omit<FollowUpTask, 'status' | 'notes' | 'actions'>;

/** A tag on a customer, in a group (WeCom corp tag groups). */
export interface CustomerTag {
  group: string;
  name: string;
}

/** A customer's tags in huifang, and how far they reached WeCom. */
export interface CustomerTags {
  conversationKey: string;
  tags: CustomerTag[];
  /** The session that last set them. */
  sessionId: string;
  updatedAt: Date;
  wecom?: {
    status: 'synced' | 'not_a_contact' | 'failed';
    at: Date;
    externalUserId?: string;
    userId?: string;
    /** Corp tag ids huifang set in WeCom (removed again when a later session replaces them). */
    tagIds?: string[];
    error?: string;
  };
}

/** A registered webhook endpoint. The secret never leaves the store except to sign. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  description?: string;
  active: boolean;
  createdAt: Date;
  createdBy: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One attempt to deliver a message, and what the endpoint answered. */
export interface DeliveryAttempt {
  at: Date;
  /** HTTP status, absent when no answer came (network error, timeout). */
  status?: number;
  durationMs: number;
  /** The first 300 characters of the answer (2,000 before issue 25). */
  body?: string;
  /** Bytes of the answer received (read up to 64 KiB); absent on attempts stored before issue 25. */
  bodyBytes?: number;
  error?: string;
  replay?: boolean;
}

/**
 * One message to one endpoint: the Standard Webhooks message id, its event and payload, and
 * every attempt. Retried with backoff for the retry window, then dead-lettered (`failed`).
 */
export interface WebhookDelivery {
  /** Also the `webhook-id` header: the same on every retry and replay, so receivers can dedupe. */
  id: string;
  endpointId: string;
  type: WebhookEventType;
  /** What caused it (e.g. `<sessionId>:completed`, `task:<id>`). */
  eventKey: string;
  sessionId?: string;
  /** The JSON body sent, as text (signed byte for byte). */
  payload: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: Date;
  /** When the first attempt of the current round was made (the retry window runs from here). */
  roundStartedAt?: Date;
  deliveredAt?: Date;
  failedAt?: Date;
  replays: number;
}
