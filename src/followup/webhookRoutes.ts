import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { principalOf, type AdminAuth } from '../admin/api/adminAuth.ts';
import type { AuditLog } from '../core/admin.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { readJsonBody } from '../http/readJsonBody.ts';
import { createWebhookBodySchema, deliveriesQuerySchema, deliveryId, endpointId } from './followUpSchemas.ts';
import type { WebhookEndpoint } from './types.ts';
import { deliverySummaryView, deliveryView, type WebhookService } from './webhooks/webhookService.ts';

/**
 * Outbound webhooks, admin role (see /api/openapi.json):
 * `POST /api/webhooks {url, events}` → `{id, secret}` (the `whsec_…` secret is shown once),
 * `GET /api/webhooks`, `POST /api/webhooks/:id/disable|enable`,
 * `GET /api/webhooks/:id/deliveries?status=&limit=` (answers as status and length),
 * `GET /api/webhooks/deliveries/:id` (one delivery with the kept start of each answer),
 * `POST /api/webhooks/deliveries/:id/replay`. Every change is audited.
 */
export function createWebhookRoutes(deps: { webhooks: WebhookService; audit: AuditLog; auth: AdminAuth }): Router {
  const router = new Router({ prefix: '/api/webhooks' });
  router.use(deps.auth('admin'));
  const who = (ctx: Context) => principalOf(ctx.state);
  const param = <T>(schema: z.ZodType<T>, value: unknown, code: string, what: string): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new NotFoundError(code, `No ${what} ${String(value)}`);
    return parsed.data;
  };

  router.post('/', async (ctx) => {
    const input = await readJsonBody(ctx, createWebhookBodySchema);
    const { endpoint, secret } = await deps.webhooks.register(input, who(ctx).name);
    await deps.audit.record({ actor: who(ctx).name, actorRole: who(ctx).role, action: 'webhook.registered', note: endpoint.id, details: { host: new URL(endpoint.url).host, events: endpoint.events } });
    ctx.status = 201;
    ctx.body = { id: endpoint.id, secret, endpoint: endpointView(endpoint), note: 'The secret is shown only now; verify each webhook-signature with it (Standard Webhooks).' };
  });

  router.get('/', async (ctx) => {
    ctx.body = { items: (await deps.webhooks.list()).map(endpointView) };
  });

  for (const [path, active] of [['disable', false], ['enable', true]] as const) {
    router.post(`/:id/${path}`, async (ctx) => {
      const id = param(endpointId, ctx.params.id, 'WEBHOOK_NOT_FOUND', 'webhook endpoint');
      const endpoint = await deps.webhooks.setActive(id, active);
      await deps.audit.record({ actor: who(ctx).name, actorRole: who(ctx).role, action: active ? 'webhook.enabled' : 'webhook.disabled', note: id });
      ctx.body = endpointView(endpoint);
    });
  }

  router.get('/deliveries/:id', async (ctx) => {
    const id = param(deliveryId, ctx.params.id, 'DELIVERY_NOT_FOUND', 'webhook delivery');
    const delivery = await deps.webhooks.delivery(id);
    if (!delivery) throw new NotFoundError('DELIVERY_NOT_FOUND', `No webhook delivery ${id}`);
    ctx.body = deliveryView(delivery);
  });

  router.post('/deliveries/:id/replay', async (ctx) => {
    const id = param(deliveryId, ctx.params.id, 'DELIVERY_NOT_FOUND', 'webhook delivery');
    const delivery = await deps.webhooks.replay(id, who(ctx).name);
    await deps.audit.record({ actor: who(ctx).name, actorRole: who(ctx).role, action: 'webhook.replayed', note: id, details: { endpointId: delivery.endpointId, type: delivery.type } });
    ctx.status = 202;
    ctx.body = deliveryView(delivery);
  });

  router.get('/:id/deliveries', async (ctx) => {
    const id = param(endpointId, ctx.params.id, 'WEBHOOK_NOT_FOUND', 'webhook endpoint');
    const query = deliveriesQuerySchema.safeParse(ctx.query);
    if (!query.success) throw new ValidationError('QUERY_INVALID', query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (!(await deps.webhooks.get(id))) throw new NotFoundError('WEBHOOK_NOT_FOUND', `No webhook endpoint ${id}`);
    // Answers as status and length only; GET /deliveries/:id opens one with the kept start of each.
    ctx.body = { items: (await deps.webhooks.deliveries(id, query.data)).map(deliverySummaryView) };
  });

  return router;
}

function endpointView(e: WebhookEndpoint) {
  return { id: e.id, url: e.url, events: e.events, description: e.description ?? null, active: e.active, createdAt: e.createdAt.toISOString(), createdBy: e.createdBy };
}
