import { z } from 'zod';
import { createWebhookBodySchema, taskCloseBodySchema, taskNoteBodySchema } from './followUpSchemas.ts';
import { taskOutcomes, webhookEventTypes } from './types.ts';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const body = (schema: z.ZodType): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Json;
  return { required: true, content: json(rest) };
};
const path = (name: string, pattern: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string', pattern } });
const errs = (extra: Record<string, string> = {}): Json => ({
  400: { description: 'BODY_INVALID / QUERY_INVALID' },
  401: { description: 'No valid bearer token' },
  403: { description: 'The role may not do this (admin needed)' },
  ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { description: v }])),
});
const admin = { 'x-required-role': 'admin' };
const endpointIdParam = path('id', '^we_[0-9a-f]{24}$');
const deliveryIdParam = path('id', '^msg_[0-9a-f]{24}$');
const str = { type: 'string' };
const strOrNull = { type: ['string', 'null'] };

/** Follow-up paths (webhooks, tasks) and schemas for /api/openapi.json. */
export function followUpOpenApi(): { paths: Json; schemas: Json } {
  return {
    paths: {
      '/api/webhooks': {
        post: {
          summary: 'Register a webhook endpoint; answers its Standard Webhooks secret (whsec_…) once',
          description:
            'Each message is POSTed as JSON `{type, timestamp, data}` with `webhook-id` (same on retries and replays), `webhook-timestamp` (seconds) and ' +
            '`webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with the base64-decoded part of the secret after `whsec_`. ' +
            'Any 2xx answer counts as delivered; anything else (a 3xx too: redirects are never followed) is retried with backoff for 24 h (WEBHOOK_RETRY_WINDOW_SECONDS), then the delivery is dead-lettered. ' +
            'A URL whose host is, or resolves to, a loopback, private, CGNAT, link-local, unique-local, multicast, unspecified or broadcast address (IPv4, IPv6, IPv4-mapped; any written form), ' +
            'or a special-use name (localhost, *.localhost, *.internal, *.local, *.home.arpa), is refused with 400 WEBHOOK_URL_REFUSED unless WEBHOOK_ALLOW_HOSTS names it; the same check runs again when each delivery connects.',
          ...admin,
          requestBody: body(createWebhookBodySchema),
          responses: {
            201: { description: 'Registered', content: json({ type: 'object', required: ['id', 'secret'], properties: { id: str, secret: { type: 'string', pattern: '^whsec_' }, endpoint: ref('WebhookEndpoint') } }) },
            ...errs({ 400: 'BODY_INVALID (not an http(s) URL, credentials in it) / WEBHOOK_URL_REFUSED (leads inside the network) / WEBHOOK_HOST_UNRESOLVED (the name does not resolve)' }),
          },
        },
        get: { summary: 'Webhook endpoints', ...admin, responses: { 200: { description: 'Endpoints', content: json({ type: 'object', properties: { items: { type: 'array', items: ref('WebhookEndpoint') } } }) }, ...errs() } },
      },
      '/api/webhooks/{id}/disable': { post: { summary: 'Stop sending to an endpoint (pending deliveries are dead-lettered)', ...admin, parameters: [endpointIdParam], responses: { 200: { description: 'Endpoint', content: json(ref('WebhookEndpoint')) }, ...errs({ 404: 'WEBHOOK_NOT_FOUND' }) } } },
      '/api/webhooks/{id}/enable': { post: { summary: 'Send to an endpoint again', ...admin, parameters: [endpointIdParam], responses: { 200: { description: 'Endpoint', content: json(ref('WebhookEndpoint')) }, ...errs({ 404: 'WEBHOOK_NOT_FOUND' }) } } },
      '/api/webhooks/{id}/deliveries': {
        get: {
          summary: 'Deliveries to an endpoint, newest first; each attempt with the status and length of the answer (open one delivery for the answer itself and the payload)',
          ...admin,
          parameters: [
            endpointIdParam,
            { name: 'status', in: 'query', schema: { enum: ['pending', 'delivered', 'failed'] }, description: '`failed` = dead-lettered' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          ],
          responses: { 200: { description: 'Deliveries (attempts without `body`, no `payload`)', content: json({ type: 'object', properties: { items: { type: 'array', items: ref('WebhookDelivery') } } }) }, ...errs({ 404: 'WEBHOOK_NOT_FOUND' }) },
        },
      },
      '/api/webhooks/deliveries/{id}': { get: { summary: 'One delivery, with the first 300 characters of each answer and the payload', ...admin, parameters: [deliveryIdParam], responses: { 200: { description: 'Delivery', content: json(ref('WebhookDelivery')) }, ...errs({ 404: 'DELIVERY_NOT_FOUND' }) } } },
      '/api/webhooks/deliveries/{id}/replay': {
        post: {
          summary: 'Send a delivered or dead-lettered message again (same webhook-id and body, new timestamp and signature, a new 24 h retry round)',
          ...admin,
          parameters: [deliveryIdParam],
          responses: { 202: { description: 'Queued', content: json(ref('WebhookDelivery')) }, ...errs({ 404: 'DELIVERY_NOT_FOUND', 409: 'DELIVERY_PENDING: still being retried' }) },
        },
      },
      '/api/tasks': {
        get: {
          summary: 'Follow-up tasks for advisors: open (and claimed) ones by due date, or closed ones newest first',
          ...admin,
          parameters: [
            { name: 'status', in: 'query', schema: { enum: ['open', 'closed'], default: 'open' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 100 } },
          ],
          responses: { 200: { description: 'Tasks', content: json({ type: 'object', properties: { items: { type: 'array', items: ref('FollowUpTask') }, open: { type: 'integer' } } }) }, ...errs() },
        },
      },
      '/api/console/tasks/{id}/note': { post: { summary: 'Add a note to a task (console sign-in: the advisor who claimed it, or an admin; 403 TASK_NOT_CLAIMED / TASK_NOT_YOURS otherwise)', parameters: [path('id', '^[0-9a-f]{24}$')], requestBody: body(taskNoteBodySchema), responses: { 200: { description: 'Task', content: json(ref('FollowUpTask')) } } } },
      '/api/console/tasks/{id}/close': {
        post: {
          summary: 'Close a task with its outcome (console sign-in: the advisor who claimed it, or an admin); recorded on the session, audited, and sent as task.closed',
          parameters: [path('id', '^[0-9a-f]{24}$')],
          requestBody: body(taskCloseBodySchema),
          responses: { 200: { description: 'Task', content: json(ref('FollowUpTask')) }, 409: { description: 'TASK_CLOSED with another outcome' } },
        },
      },
    },
    schemas: {
      WebhookEndpoint: {
        type: 'object',
        properties: { id: str, url: str, events: { type: 'array', items: { enum: [...webhookEventTypes] } }, description: strOrNull, active: { type: 'boolean' }, createdAt: str, createdBy: str },
      },
      WebhookDelivery: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'The webhook-id header' },
          endpointId: str,
          type: { enum: [...webhookEventTypes] },
          eventKey: str,
          sessionId: strOrNull,
          status: { enum: ['pending', 'delivered', 'failed'] },
          createdAt: str,
          deliveredAt: strOrNull,
          failedAt: strOrNull,
          replays: { type: 'integer' },
          attemptCount: { type: 'integer' },
          attempts: { type: 'array', items: { type: 'object', properties: { at: str, status: { type: ['integer', 'null'] }, durationMs: { type: 'integer' }, bodyBytes: { type: 'integer', description: 'Bytes of the answer received (read up to 64 KiB)' }, body: { ...strOrNull, description: 'First 300 characters of the answer; only when one delivery is opened' }, error: strOrNull, replay: { type: 'boolean' } } } },
          payload: { type: 'string', description: 'The exact body sent; only when one delivery is opened' },
        },
      },
      FollowUpTask: {
        type: 'object',
        properties: {
          id: str,
          sessionId: str,
          flowId: str,
          ruleId: str,
          customer: { type: 'object', properties: { id: str, conversationKey: str, nickname: strOrNull } },
          reason: str,
          createdAt: str,
          dueAt: str,
          overdue: { type: 'boolean' },
          status: { enum: ['open', 'claimed', 'closed'] },
          claimedBy: strOrNull,
          outcome: { enum: [...taskOutcomes, null] },
          closedAt: strOrNull,
          closedBy: strOrNull,
        },
      },
    },
  };
}
