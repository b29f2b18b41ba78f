import { z } from 'zod';
import type { AuditLog } from '../core/admin.ts';
import { NotFoundError } from '../core/errors.ts';
import { itemsOf } from '../http/apiSchemas.ts';
import { defineRoute, reply, type InvalidInput, type Route } from '../http/route.ts';
import { createWebhookBodySchema, deliveriesQuerySchema, deliveryId, endpointId, webhookDeliverySchema, webhookEndpointSchema } from './followUpSchemas.ts';
import type { WebhookEndpoint } from './types.ts';
import { deliverySummaryView, deliveryView, type WebhookService } from './webhooks/webhookService.ts';

const endpointParams = z.object({ id: endpointId });
const deliveryParams = z.object({ id: deliveryId });
// An id of the wrong shape names nothing that exists: 404, like an unknown one.
const notFound = (code: string, what: string): InvalidInput => ({ code, status: 404, message: (p) => `No ${what} ${String((p as { id?: unknown }).id)}` });
const noEndpoint = notFound('WEBHOOK_NOT_FOUND', 'webhook endpoint');
const noDelivery = notFound('DELIVERY_NOT_FOUND', 'webhook delivery');
const tags = ['webhooks'];

/**
 * Outbound webhooks, admin role: register (the `whsec_…` secret is shown once), list, disable and
 * enable endpoints, list deliveries (answers as status and length), open one (with the kept start
 * of each answer and the payload), replay one. Every change is audited.
 */
export function webhookRoutes(deps: { webhooks: WebhookService; audit: AuditLog }): Route[] {
  const toggle = (path: 'disable' | 'enable', active: boolean, summary: string) =>
    defineRoute({
      method: 'post',
      path: `/api/webhooks/:id/${path}`,
      auth: 'admin',
      tags,
      summary,
      input: { params: endpointParams, invalidParams: noEndpoint },
      output: webhookEndpointSchema,
      handler: async ({ params: { id }, principal }) => {
        const endpoint = await deps.webhooks.setActive(id, active);
        await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: active ? 'webhook.enabled' : 'webhook.disabled', note: id });
        return endpointView(endpoint);
      },
    });
  return [
    defineRoute({
      method: 'post',
      path: '/api/webhooks',
      auth: 'admin',
      tags,
      summary: 'Register a webhook endpoint; answers its Standard Webhooks secret (whsec_…) once',
      description:
        'Each message is POSTed as JSON `{type, timestamp, data}` with `webhook-id` (same on retries and replays), `webhook-timestamp` (seconds) and ' +
        '`webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with the base64-decoded part of the secret after `whsec_`. ' +
        'Any 2xx answer counts as delivered; anything else (a 3xx too: redirects are never followed) is retried with backoff for 24 h (WEBHOOK_RETRY_WINDOW_SECONDS), then the delivery is dead-lettered. ' +
        'A URL whose host is, or resolves to, a loopback, private, CGNAT, link-local, unique-local, multicast, unspecified or broadcast address (IPv4, IPv6, IPv4-mapped; any written form), ' +
        'or a special-use name (localhost, *.localhost, *.internal, *.local, *.home.arpa), is refused with 400 WEBHOOK_URL_REFUSED unless WEBHOOK_ALLOW_HOSTS names it; the same check runs again when each delivery connects.',
      input: { body: createWebhookBodySchema },
      output: { status: 201, description: 'Registered', schema: z.object({ id: z.string(), secret: z.string().regex(/^whsec_/), endpoint: webhookEndpointSchema, note: z.string() }) },
      errors: { 400: 'WEBHOOK_URL_REFUSED (leads inside the network), WEBHOOK_HOST_UNRESOLVED (the name does not resolve)' },
      handler: async ({ body, principal }) => {
        const { endpoint, secret } = await deps.webhooks.register(body, principal.name);
        await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'webhook.registered', note: endpoint.id, details: { host: new URL(endpoint.url).host, events: endpoint.events } });
        return reply({
          status: 201,
          body: { id: endpoint.id, secret, endpoint: endpointView(endpoint), note: 'The secret is shown only now; verify each webhook-signature with it (Standard Webhooks).' },
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/webhooks',
      auth: 'admin',
      tags,
      summary: 'Webhook endpoints',
      output: itemsOf(webhookEndpointSchema),
      handler: async () => ({ items: (await deps.webhooks.list()).map(endpointView) }),
    }),
    toggle('disable', false, 'Stop sending to an endpoint (pending deliveries are dead-lettered)'),
    toggle('enable', true, 'Send to an endpoint again'),
    defineRoute({
      method: 'get',
      path: '/api/webhooks/deliveries/:id',
      auth: 'admin',
      tags,
      summary: 'One delivery, with the first 300 characters of each answer and the payload',
      input: { params: deliveryParams, invalidParams: noDelivery },
      output: webhookDeliverySchema,
      handler: async ({ params: { id } }) => {
        const delivery = await deps.webhooks.delivery(id);
        if (!delivery) throw new NotFoundError('DELIVERY_NOT_FOUND', `No webhook delivery ${id}`);
        return deliveryView(delivery);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/webhooks/deliveries/:id/replay',
      auth: 'admin',
      tags,
      summary: 'Send a delivered or dead-lettered message again (same webhook-id and body, new timestamp and signature, a new 24 h retry round)',
      input: { params: deliveryParams, invalidParams: noDelivery },
      output: { status: 202, description: 'Queued', schema: webhookDeliverySchema },
      errors: { 409: 'DELIVERY_PENDING: still being retried' },
      handler: async ({ params: { id }, principal }) => {
        const delivery = await deps.webhooks.replay(id, principal.name);
        await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'webhook.replayed', note: id, details: { endpointId: delivery.endpointId, type: delivery.type } });
        return reply({ status: 202, body: deliveryView(delivery) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/webhooks/:id/deliveries',
      auth: 'admin',
      tags,
      summary: 'Deliveries to an endpoint, newest first (`failed` = dead-lettered); each attempt with the status and length of the answer (open one delivery for the answer itself and the payload)',
      input: { params: endpointParams, invalidParams: noEndpoint, query: deliveriesQuerySchema },
      output: { description: 'Deliveries (attempts without `body`, no `payload`)', schema: itemsOf(webhookDeliverySchema) },
      handler: async ({ params: { id }, query }) => {
        if (!(await deps.webhooks.get(id))) throw new NotFoundError('WEBHOOK_NOT_FOUND', `No webhook endpoint ${id}`);
        // Answers as status and length only; GET /deliveries/:id opens one with the kept start of each.
        return { items: (await deps.webhooks.deliveries(id, query)).map(deliverySummaryView) };
      },
    }),
  ];
}

function endpointView(e: WebhookEndpoint) {
  return { id: e.id, url: e.url, events: e.events, description: e.description ?? null, active: e.active, createdAt: e.createdAt.toISOString(), createdBy: e.createdBy };
}
