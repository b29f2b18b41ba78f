import { z } from 'zod';
import { taskOutcomes, webhookEventTypes } from './types.ts';

/** Request shapes of the follow-up APIs (validated by the routes, documented in OpenAPI). */

/**
 * http(s) only, no credentials in the URL (they would be logged and shown), at most 2 KB. One
 * check parses once, so text that is no URL at all is a 400 like any other, not a crash. Messages
 * never repeat the URL: it may carry the receiver's token, and 4xx messages are logged.
 */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, ctx) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    if (!url || !/^https?:$/.test(url.protocol)) ctx.addIssue({ code: 'custom', message: '不是 http(s) 地址 / must be an http or https URL' });
    else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: '地址中不能带用户名或密码 / must not carry a user name or password; use the signature to authenticate' });
  });

export const createWebhookBodySchema = z.strictObject({
  url: webhookUrlSchema,
  events: z.array(z.enum(webhookEventTypes)).min(1),
  description: z.string().trim().max(200).optional(),
});

export const deliveriesQuerySchema = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const tasksQuerySchema = z.object({
  status: z.enum(['open', 'closed']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

export const taskNoteBodySchema = z.strictObject({ text: z.string().trim().min(1, 'write something').max(1000) });
export const taskCloseBodySchema = z.strictObject({ outcome: z.enum(taskOutcomes), note: z.string().trim().max(1000).optional() });

export const hexId = z.string().regex(/^[0-9a-f]{24}$/);
export const endpointId = z.string().regex(/^we_[0-9a-f]{24}$/);
export const deliveryId = z.string().regex(/^msg_[0-9a-f]{24}$/);

// ------------------------------------------------------------ answers (documented in /api/openapi.json)

const nullableString = z.string().nullable();

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(webhookEventTypes)),
    description: nullableString,
    active: z.boolean(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const webhookDeliverySchema = z
  .object({
    id: z.string().describe('The webhook-id header'),
    endpointId: z.string(),
    type: z.enum(webhookEventTypes),
    eventKey: z.string(),
    sessionId: nullableString,
    status: z.enum(['pending', 'delivered', 'failed']),
    createdAt: z.string(),
    deliveredAt: nullableString,
    failedAt: nullableString,
    replays: z.number().int(),
    attemptCount: z.number().int(),
    attempts: z.array(
      z.object({
        at: z.string(),
        status: z.number().int().nullable(),
        durationMs: z.number().int(),
        bodyBytes: z.number().int().optional().describe('Bytes of the answer received (read up to 64 KiB)'),
        body: nullableString.optional().describe('First 300 characters of the answer; only when one delivery is opened'),
        error: nullableString,
        replay: z.boolean(),
      }),
    ),
    payload: z.string().optional().describe('The exact body sent; only when one delivery is opened'),
  })
  .meta({ id: 'WebhookDelivery' });

export const followUpTaskSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    flowId: z.string(),
    ruleId: z.string(),
    customer: z.object({ id: z.string(), conversationKey: z.string(), nickname: nullableString }),
    reason: z.string(),
    createdAt: z.string(),
    dueAt: z.string(),
    overdue: z.boolean(),
    status: z.enum(['open', 'claimed', 'closed']),
    claimedBy: nullableString,
    outcome: z.enum(taskOutcomes).nullable(),
    closedAt: nullableString,
    closedBy: nullableString,
  })
  .meta({ id: 'FollowUpTask' });

/** A task as the console shows it: masked when it is not the advisor's own (the unclaimed queue). */
export const consoleTaskSchema = followUpTaskSchema.extend({ masked: z.boolean() }).meta({ id: 'ConsoleTask' });

export const consoleTaskDetailSchema = consoleTaskSchema
  .extend({
    maskedBecause: z.enum(['not_yours', 'audit_unavailable']).nullable(),
    session: z.object({ id: z.string(), status: z.string(), flowId: z.string(), followUp: z.record(z.string(), z.unknown()).nullable() }).nullable(),
    transcript: z.array(
      z.object({ direction: z.string(), author: z.string(), text: z.string(), at: z.unknown(), advisorId: nullableString, delivery: z.unknown() }),
    ),
    log: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'ConsoleTaskDetail' });
