import { randomBytes } from 'node:crypto';
import { AppError, ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { DeliveryStore, FollowUpLog, WebhookEndpointStore } from '../ports.ts';
import { webhookDeliveryId, withAttempt } from '../ports.ts';
import type { DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType } from '../types.ts';
import { messageBody, type WebhookPii } from './payloads.ts';
import { generateWebhookSecret, signatureHeaders } from './signing.ts';

/** A delivery job: one attempt at one message (retried by the queue with backoff). */
export interface DeliveryJob {
  deliveryId: string;
}

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
  /** The HTTP client (tests may pass their own); defaults to fetch. */
  fetch?: typeof fetch;
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

/** A delivery as the admin API shows it. */
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
  return { at: a.at.toISOString(), status: a.status ?? null, durationMs: a.durationMs, body: a.body ?? null, error: a.error ?? null, replay: a.replay ?? false };
}

/** The answer of an attempt that failed, for the retry log and the queue. */
export class DeliveryFailedError extends AppError {
  constructor(deliveryId: string, why: string) {
    super('WEBHOOK_DELIVERY_FAILED', `Webhook delivery ${deliveryId}: ${why}`, { status: 502, retryable: true, context: { deliveryId } });
  }
}

const BODY_KEPT = 2_000;
const ENDPOINT_CACHE_MS = 5_000;

/**
 * Outbound webhooks: endpoints (admin API), one delivery per endpoint and event, each sent by a
 * durable job, so a slow or failing receiver never delays a conversation. A delivery is retried
 * with backoff until `retryWindowMs` after its first attempt, then dead-lettered (`failed`) and
 * kept, with every attempt's answer, for an admin to look at and replay.
 */
export function createWebhookService(deps: WebhookServiceDeps) {
  const log = deps.logger.child({ module: 'webhooks' });
  const clock = deps.now ?? (() => new Date());
  const http = deps.fetch ?? fetch;
  let cached: { at: number; endpoints: WebhookEndpoint[] } | undefined;
  // Every attempt needs its endpoint and secret: read once per few seconds, not per attempt.
  const signing = new Map<string, { at: number; endpoint: WebhookEndpoint | null; secret: string | null }>();
  async function endpointWithSecret(id: string) {
    const hit = signing.get(id);
    if (hit && Date.now() - hit.at < ENDPOINT_CACHE_MS) return hit;
    const [endpoint, secret] = await Promise.all([deps.endpoints.get(id), deps.endpoints.secret(id)]);
    const entry = { at: Date.now(), endpoint, secret };
    signing.set(id, entry);
    return entry;
  }

  async function activeEndpoints(): Promise<WebhookEndpoint[]> {
    if (!cached || Date.now() - cached.at > ENDPOINT_CACHE_MS) cached = { at: Date.now(), endpoints: (await deps.endpoints.list()).filter((e) => e.active) };
    return cached.endpoints;
  }

  async function register(input: { url: string; events: WebhookEventType[]; description?: string }, by: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const endpoint: WebhookEndpoint = {
      id: `we_${randomBytes(12).toString('hex')}`,
      url: input.url,
      events: [...new Set(input.events)],
      ...(input.description ? { description: input.description } : {}),
      active: true,
      createdAt: clock(),
      createdBy: by,
    };
    const secret = generateWebhookSecret();
    await deps.endpoints.create(endpoint, secret);
    cached = undefined;
    // The URL may carry a token of the receiver's: log the host only.
    log.info({ endpointId: endpoint.id, host: new URL(endpoint.url).host, events: endpoint.events }, 'webhook endpoint registered');
    return { endpoint, secret };
  }

  async function setActive(id: string, active: boolean): Promise<WebhookEndpoint> {
    if (!(await deps.endpoints.setActive(id, active))) throw new NotFoundError('WEBHOOK_NOT_FOUND', `No webhook endpoint ${id}`);
    cached = undefined;
    signing.delete(id);
    return (await deps.endpoints.get(id))!;
  }

  /** Records one delivery per listening endpoint and queues it; idempotent per event key. */
  async function publish(event: OutboundEvent): Promise<string[]> {
    const body = messageBody(event.type, event.at, event.data, deps.settings.pii);
    const listening = (await activeEndpoints()).filter((e) => e.events.includes(event.type));
    return Promise.all(listening.map((endpoint) => deliverTo(endpoint, event, body)));
  }

  async function deliverTo(endpoint: WebhookEndpoint, event: OutboundEvent, body: string): Promise<string> {
    const id = webhookDeliveryId(endpoint.id, event.eventKey);
    await deps.deliveries.createOnce({
      id,
      endpointId: endpoint.id,
      type: event.type,
      eventKey: event.eventKey,
      ...(event.sessionId ? { sessionId: event.sessionId } : {}),
      payload: body,
      status: 'pending',
      attempts: [],
      createdAt: clock(),
      replays: 0,
    });
    // The job id is the delivery's: queuing it again (a replayed outbox) adds nothing.
    await deps.queue.add({ deliveryId: id }, { jobId: id });
    return id;
  }


  /**
   * One attempt (the queue's job). Success or a dead letter ends the job; any other failure
   * throws, and the queue tries again after its backoff.
   */
  async function attempt(job: DeliveryJob): Promise<void> {
    const delivery = await deps.deliveries.get(job.deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    const { endpoint, secret } = await endpointWithSecret(delivery.endpointId);
    if (!endpoint || !endpoint.active || !secret) {
      await finish(delivery.id, { status: 'failed', error: 'the endpoint was disabled or removed' });
      return;
    }
    const started = clock();
    const roundStartedAt = delivery.roundStartedAt ?? started;
    const result = await post(endpoint.url, secret, delivery, started);
    const replay = delivery.replays > 0;
    const record: DeliveryAttempt = { at: started, ...result, ...(replay ? { replay } : {}) };
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    if (ok) {
      await finish(delivery.id, { status: 'delivered', attempt: record, roundStartedAt });
      return;
    }
    const why = result.error ?? `HTTP ${result.status}`;
    if (clock().getTime() - roundStartedAt.getTime() >= deps.settings.retryWindowMs) {
      await finish(delivery.id, { status: 'failed', attempt: record, roundStartedAt, error: why });
      log.warn({ deliveryId: delivery.id, endpointId: endpoint.id, attempts: delivery.attempts.length + 1 }, 'webhook delivery dead-lettered after the retry window');
      return;
    }
    await deps.deliveries.update(delivery.id, (d) => ({ ...withAttempt(d, record), roundStartedAt }));
    throw new DeliveryFailedError(delivery.id, why);
  }

  async function post(url: string, secret: string, delivery: WebhookDelivery, at: Date): Promise<Omit<DeliveryAttempt, 'at'>> {
    const t0 = performance.now();
    try {
      const response = await http(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'huifang-webhooks/1', ...signatureHeaders(secret, delivery.id, at, delivery.payload) },
        body: delivery.payload,
        // A redirect is an answer, not a place to follow the secret-signed body to.
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.settings.timeoutMs),
      });
      const text = await response.text().catch(() => '');
      return { status: response.status, durationMs: Math.round(performance.now() - t0), ...(text ? { body: text.slice(0, BODY_KEPT) } : {}) };
    } catch (error) {
      const message = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${deps.settings.timeoutMs} ms` : error.message) : String(error);
      return { durationMs: Math.round(performance.now() - t0), error: message.slice(0, 300) };
    }
  }

  async function finish(
    id: string,
    end: { status: 'delivered' | 'failed'; attempt?: DeliveryAttempt; roundStartedAt?: Date; error?: string },
  ): Promise<void> {
    const at = clock();
    const saved = await deps.deliveries.update(id, (d) => ({
      ...(end.attempt ? withAttempt(d, end.attempt) : d),
      status: end.status,
      ...(end.roundStartedAt ? { roundStartedAt: end.roundStartedAt } : {}),
      ...(end.status === 'delivered' ? { deliveredAt: at } : { failedAt: at }),
    }));
    if (saved?.sessionId) {
      const what = end.status === 'delivered' ? 'webhook_delivered' : 'webhook_failed';
      await deps.log.append(saved.sessionId, [
        { key: `${what}:${id}:${saved.replays}`, at, by: 'system', action: what, detail: `${saved.type} → ${saved.endpointId}${end.error ? `（${end.error}）` : ''}` },
      ]);
    }
  }

  /** Sends a delivered or dead-lettered message again (same id and body, new signature). */
  async function replay(id: string, by: string): Promise<WebhookDelivery> {
    const current = await deps.deliveries.get(id);
    if (!current) throw new NotFoundError('DELIVERY_NOT_FOUND', `No webhook delivery ${id}`);
    if (current.status === 'pending') throw new ConflictError('DELIVERY_PENDING', 'This delivery is still being retried; replay it once it was delivered or dead-lettered');
    const next = await deps.deliveries.update(id, (d) => {
      const { roundStartedAt: _r, deliveredAt: _d, failedAt: _f, ...rest } = d;
      return { ...rest, status: 'pending', replays: d.replays + 1 };
    });
    await deps.queue.add({ deliveryId: id }, { jobId: `${id}-replay-${next!.replays}` });
    log.info({ deliveryId: id, by }, 'webhook delivery replayed');
    return next!;
  }

  return {
    register,
    setActive,
    list: () => deps.endpoints.list(),
    get: (id: string) => deps.endpoints.get(id),
    deliveries: (endpointId: string, options: { limit: number; status?: WebhookDelivery['status'] }) => deps.deliveries.listForEndpoint(endpointId, options),
    delivery: (id: string) => deps.deliveries.get(id),
    publish,
    attempt,
    replay,
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
