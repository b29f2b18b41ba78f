import { randomBytes } from 'node:crypto';
import { AppError, ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { DeliveryStore, FollowUpLog, WebhookEndpointStore } from '../ports.ts';
import { webhookDeliveryId, withAttempt } from '../ports.ts';
import type { DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType } from '../types.ts';
import { request } from 'undici';
import { createOutboundGuard, type OutboundGuard } from './outboundGuard.ts';
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

/** The answer of an attempt that failed, for the retry log and the queue. */
export class DeliveryFailedError extends AppError {
  constructor(deliveryId: string, why: string) {
    super('WEBHOOK_DELIVERY_FAILED', `Webhook delivery ${deliveryId}: ${why}`, { status: 502, retryable: true, context: { deliveryId } });
  }
}

/** Characters of a receiver's answer kept: enough for an error message, not for a page of data. */
const BODY_KEPT = 300;
/** Bytes of an answer read (and counted); the rest is not waited for. */
const BODY_READ_MAX = 64 * 1024;
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
  const guard = deps.guard ?? createOutboundGuard();
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
    await guard.assertAllowed(input.url);
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
      // Address literals are judged here; names at connect time by the guard's lookup.
      guard.assertAllowedWithoutDns(url);
      // undici's request never follows a redirect: a 3xx is an answer (a failure), and the
      // secret-signed body does not travel on to wherever the Location points.
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'huifang-webhooks/1', ...signatureHeaders(secret, delivery.id, at, delivery.payload) },
        body: delivery.payload,
        dispatcher: guard.dispatcher,
        signal: AbortSignal.timeout(deps.settings.timeoutMs),
      });
      const answer = await readCapped(response.body);
      return { status: response.statusCode, durationMs: Math.round(performance.now() - t0), bodyBytes: answer.bytes, ...(answer.text ? { body: answer.text } : {}) };
    } catch (error) {
      return { durationMs: Math.round(performance.now() - t0), error: attemptError(error, deps.settings.timeoutMs) };
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

/** Reads at most BODY_READ_MAX bytes of an answer; keeps the first BODY_KEPT characters. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<{ bytes: number; text: string }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body) {
      // 4 bytes per character at most: enough bytes for BODY_KEPT characters of any UTF-8.
      if (bytes < BODY_KEPT * 4) chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= BODY_READ_MAX) break;
    }
  } catch {
    // An answer cut off midway still has its status; what arrived is kept.
  } finally {
    body.destroy();
  }
  return { bytes, text: Buffer.concat(chunks).toString('utf8').slice(0, BODY_KEPT) };
}

/** Why an attempt got no answer, for the admin: the cause (refused address, ECONNREFUSED…), not "fetch failed". */
function attemptError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error).slice(0, 300);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = (error as { code?: unknown }).code;
  const message = code === 'WEBHOOK_URL_REFUSED' || code === 'WEBHOOK_HOST_UNRESOLVED' ? `${code}: ${error.message}` : error.message;
  return message.slice(0, 300);
}
