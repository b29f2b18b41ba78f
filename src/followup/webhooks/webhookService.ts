import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { DeliveryStore, FollowUpLog, WebhookEndpointStore } from '../ports.ts';
import { webhookDeliveryId } from '../ports.ts';
import type { DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType } from '../types.ts';
import { attemptDelivery, BODY_KEPT, type AttemptContext, type DeliveryJob } from './deliveryAttempt.ts';
import { createEndpointCache, type EndpointCache } from './endpointCache.ts';
import { createOutboundGuard, type OutboundGuard } from './outboundGuard.ts';
import { messageBody, type WebhookPii } from './payloads.ts';
import { generateWebhookSecret } from './signing.ts';

export { DeliveryFailedError, type DeliveryJob } from './deliveryAttempt.ts';

export interface WebhookSettings {
  /** Retries go on this long after a round's first attempt, then the delivery is dead-lettered (default 24 h). */
  retryWindowMs: number;
  /** Per-attempt HTTP timeout. */
  timeoutMs: number;
  /** Personal numbers in payloads: masked unless `full` (WEBHOOK_PII). */
  pii?: WebhookPii;
}

export interface WebhookServiceDeps {
  endpoints: WebhookEndpointStore;
  deliveries: DeliveryStore;
  log: FollowUpLog;
  /** The durable delivery queue (BullMQ: retries with backoff; a job id runs once). */
  queue: { add(job: DeliveryJob, options: { jobId: string }): Promise<void> };
  settings: WebhookSettings;
  logger: Logger;
  now?: () => Date;
  /** Refuses URLs that lead inside the network, at registration and at connect time (default: nothing allowed inside). */
  guard?: OutboundGuard;
}

/** A message to send to every endpoint that listens for its type. */
export interface OutboundEvent {
  type: WebhookEventType;
  /** What caused it, unique per event: one delivery per endpoint and key, however often it is raised. */
  eventKey: string;
  at: Date;
  sessionId?: string;
  data: Record<string, unknown>;
}

/**
 * A delivery as a list shows it: each receiver answer only as its status and length, since an
 * answer is whatever the receiver chose to send (its own error pages, tokens, customer data);
 * {@link deliveryView} (one delivery, opened by an admin) shows the kept start of it.
 */
export function deliverySummaryView(d: WebhookDelivery) {
  const { attempts, lastAttempt, payload: _payload, ...rest } = deliveryView(d);
  const summary = ({ body: _body, ...a }: ReturnType<typeof attemptView>) => a;
  return { ...rest, lastAttempt: lastAttempt ? summary(lastAttempt) : null, attempts: attempts.map(summary) };
}

/** A delivery as the admin API shows one delivery: attempts with the kept start of each answer, the payload. */
export function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    type: d.type,
    eventKey: d.eventKey,
    sessionId: d.sessionId ?? null,
    status: d.status,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    failedAt: d.failedAt?.toISOString() ?? null,
    replays: d.replays,
    attemptCount: d.attempts.length,
    lastAttempt: d.attempts.at(-1) ? attemptView(d.attempts.at(-1)!) : null,
    attempts: d.attempts.map(attemptView),
    payload: d.payload,
  };
}

function attemptView(a: DeliveryAttempt) {
  const bodyBytes = a.bodyBytes ?? (a.body === undefined ? 0 : Buffer.byteLength(a.body));
  // Attempts stored before issue 25 kept 2,000 characters: shown cut like new ones.
  return { at: a.at.toISOString(), status: a.status ?? null, durationMs: a.durationMs, bodyBytes, body: a.body?.slice(0, BODY_KEPT) ?? null, error: a.error ?? null, replay: a.replay ?? false };
}

/**
 * Outbound webhooks: endpoints (admin API), one delivery per endpoint and event, each sent by a
 * durable job, so a slow or failing receiver never delays a conversation. A delivery is retried
 * with backoff until `retryWindowMs` after its first attempt, then dead-lettered (`failed`) and
 * kept, with every attempt's answer, for an admin to look at and replay.
 */
export function createWebhookService(deps: WebhookServiceDeps) {
  const context: WebhookContext = {
    deps,
    log: deps.logger.child({ module: 'webhooks' }),
    clock: deps.now ?? (() => new Date()),
    guard: deps.guard ?? createOutboundGuard(),
    endpoints: createEndpointCache(deps.endpoints),
  };
  const attemptContext: AttemptContext = {
    ...context,
    deliveries: deps.deliveries,
    followUpLog: deps.log,
    retryWindowMs: deps.settings.retryWindowMs,
    timeoutMs: deps.settings.timeoutMs,
  };
  return {
    register: (input: EndpointInput, by: string) => registerEndpoint(context, input, by),
    setActive: (id: string, active: boolean) => setEndpointActive(context, id, active),
    list: () => deps.endpoints.list(),
    get: (id: string) => deps.endpoints.get(id),
    deliveries: (endpointId: string, options: { limit: number; status?: WebhookDelivery['status'] }) => deps.deliveries.listForEndpoint(endpointId, options),
    delivery: (id: string) => deps.deliveries.get(id),
    publish: (event: OutboundEvent) => publishEvent(context, event),
    attempt: (job: DeliveryJob) => attemptDelivery(attemptContext, job),
    replay: (id: string, by: string) => replayDelivery(context, id, by),
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

/** What the service's parts share: its dependencies, its logger and clock, the guard and the endpoint cache. */
interface WebhookContext {
  deps: WebhookServiceDeps;
  log: Logger;
  clock: () => Date;
  guard: OutboundGuard;
  endpoints: EndpointCache;
}

interface EndpointInput {
  url: string;
  events: WebhookEventType[];
  description?: string;
}

async function registerEndpoint(context: WebhookContext, input: EndpointInput, by: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  await context.guard.assertAllowed(input.url);
  const endpoint: WebhookEndpoint = {
    id: `we_${randomBytes(12).toString('hex')}`,
    url: input.url,
    events: [...new Set(input.events)],
    ...(input.description ? { description: input.description } : {}),
    active: true,
    createdAt: context.clock(),
    createdBy: by,
  };
  const secret = generateWebhookSecret();
  await context.deps.endpoints.create(endpoint, secret);
  context.endpoints.forget();
  // The URL may carry a token of the receiver's: log the host only.
  context.log.info({ endpointId: endpoint.id, host: new URL(endpoint.url).host, events: endpoint.events }, 'webhook endpoint registered');
  return { endpoint, secret };
}

async function setEndpointActive(context: WebhookContext, id: string, active: boolean): Promise<WebhookEndpoint> {
  if (!(await context.deps.endpoints.setActive(id, active))) throw new NotFoundError('WEBHOOK_NOT_FOUND', `No webhook endpoint ${id}`);
  context.endpoints.forget(id);
  return (await context.deps.endpoints.get(id))!;
}

/** Records one delivery per listening endpoint and queues it; idempotent per event key. */
async function publishEvent(context: WebhookContext, event: OutboundEvent): Promise<string[]> {
  const body = messageBody(event.type, event.at, event.data, context.deps.settings.pii);
  const listening = (await context.endpoints.active()).filter((e) => e.events.includes(event.type));
  return Promise.all(listening.map((endpoint) => queueDelivery(context, endpoint, event, body)));
}

async function queueDelivery(context: WebhookContext, endpoint: WebhookEndpoint, event: OutboundEvent, body: string): Promise<string> {
  const id = webhookDeliveryId(endpoint.id, event.eventKey);
  await context.deps.deliveries.createOnce({
    id,
    endpointId: endpoint.id,
    type: event.type,
    eventKey: event.eventKey,
    ...(event.sessionId ? { sessionId: event.sessionId } : {}),
    payload: body,
    status: 'pending',
    attempts: [],
    createdAt: context.clock(),
    replays: 0,
  });
  // The job id is the delivery's: queuing it again (a replayed outbox) adds nothing.
  await context.deps.queue.add({ deliveryId: id }, { jobId: id });
  return id;
}

/** Sends a delivered or dead-lettered message again (same id and body, new signature). */
async function replayDelivery(context: WebhookContext, id: string, by: string): Promise<WebhookDelivery> {
  const { deliveries, queue } = context.deps;
  const current = await deliveries.get(id);
  if (!current) throw new NotFoundError('DELIVERY_NOT_FOUND', `No webhook delivery ${id}`);
  if (current.status === 'pending') throw new ConflictError('DELIVERY_PENDING', 'This delivery is still being retried; replay it once it was delivered or dead-lettered');
  const next = await deliveries.update(id, (d) => {
    const { roundStartedAt: _r, deliveredAt: _d, failedAt: _f, ...rest } = d;
    return { ...rest, status: 'pending', replays: d.replays + 1 };
  });
  await queue.add({ deliveryId: id }, { jobId: `${id}-replay-${next!.replays}` });
  context.log.info({ deliveryId: id, by }, 'webhook delivery replayed');
  return next!;
}
