import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { DeliveryStore, FollowUpLog } from '../ports.ts';
import { withAttempt } from '../ports.ts';
import type { DeliveryAttempt, WebhookDelivery } from '../types.ts';
import { request } from 'undici';
import type { EndpointCache } from './endpointCache.ts';
import type { OutboundGuard } from './outboundGuard.ts';
import { signatureHeaders } from './signing.ts';

/** A delivery job: one attempt at one message (retried by the queue with backoff). */
export interface DeliveryJob {
  deliveryId: string;
}

/** What one attempt reads and writes. */
export interface AttemptContext {
  deliveries: DeliveryStore;
  followUpLog: FollowUpLog;
  endpoints: EndpointCache;
  guard: OutboundGuard;
  log: Logger;
  clock: () => Date;
  /** Retries go on this long after a round's first attempt, then the delivery is dead-lettered. */
  retryWindowMs: number;
  /** Per-attempt HTTP timeout. */
  timeoutMs: number;
}

/** The answer of an attempt that failed, for the retry log and the queue. */
export class DeliveryFailedError extends AppError {
  constructor(deliveryId: string, why: string) {
    super('WEBHOOK_DELIVERY_FAILED', `Webhook delivery ${deliveryId}: ${why}`, { status: 502, retryable: true, context: { deliveryId } });
  }
}

/** Characters of a receiver's answer kept: enough for an error message, not for a page of data. */
export const BODY_KEPT = 300;
/** Bytes of an answer read (and counted); the rest is not waited for. */
const BODY_READ_MAX = 64 * 1024;

/**
 * One attempt (the queue's job). Success or a dead letter ends the job; any other failure
 * throws, and the queue tries again after its backoff.
 */
export async function attemptDelivery(context: AttemptContext, job: DeliveryJob): Promise<void> {
  const delivery = await context.deliveries.get(job.deliveryId);
  if (!delivery || delivery.status !== 'pending') return;
  const { endpoint, secret } = await context.endpoints.withSecret(delivery.endpointId);
  if (!endpoint || !endpoint.active || !secret) {
    await finishDelivery(context, delivery.id, { status: 'failed', error: 'the endpoint was disabled or removed' });
    return;
  }
  const started = context.clock();
  const roundStartedAt = delivery.roundStartedAt ?? started;
  const result = await postDelivery(context, endpoint.url, secret, delivery, started);
  const replay = delivery.replays > 0;
  const record: DeliveryAttempt = { at: started, ...result, ...(replay ? { replay } : {}) };
  const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
  if (ok) {
    await finishDelivery(context, delivery.id, { status: 'delivered', attempt: record, roundStartedAt });
    return;
  }
  const why = result.error ?? `HTTP ${result.status}`;
  if (context.clock().getTime() - roundStartedAt.getTime() >= context.retryWindowMs) {
    await finishDelivery(context, delivery.id, { status: 'failed', attempt: record, roundStartedAt, error: why });
    context.log.warn({ deliveryId: delivery.id, endpointId: endpoint.id, attempts: delivery.attempts.length + 1 }, 'webhook delivery dead-lettered after the retry window');
    return;
  }
  await context.deliveries.update(delivery.id, (d) => ({ ...withAttempt(d, record), roundStartedAt }));
  throw new DeliveryFailedError(delivery.id, why);
}

async function postDelivery(context: AttemptContext, url: string, secret: string, delivery: WebhookDelivery, at: Date): Promise<Omit<DeliveryAttempt, 'at'>> {
  const { guard, timeoutMs } = context;
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
      signal: AbortSignal.timeout(timeoutMs),
    });
    const answer = await readCapped(response.body);
    return { status: response.statusCode, durationMs: Math.round(performance.now() - t0), bodyBytes: answer.bytes, ...(answer.text ? { body: answer.text } : {}) };
  } catch (error) {
    return { durationMs: Math.round(performance.now() - t0), error: attemptError(error, timeoutMs) };
  }
}

/** Ends a delivery (delivered or dead-lettered) and notes it in its session's follow-up log. */
async function finishDelivery(
  context: AttemptContext,
  id: string,
  end: { status: 'delivered' | 'failed'; attempt?: DeliveryAttempt; roundStartedAt?: Date; error?: string },
): Promise<void> {
  const at = context.clock();
  const saved = await context.deliveries.update(id, (d) => ({
    ...(end.attempt ? withAttempt(d, end.attempt) : d),
    status: end.status,
    ...(end.roundStartedAt ? { roundStartedAt: end.roundStartedAt } : {}),
    ...(end.status === 'delivered' ? { deliveredAt: at } : { failedAt: at }),
  }));
  if (saved?.sessionId) {
    const what = end.status === 'delivered' ? 'webhook_delivered' : 'webhook_failed';
    await context.followUpLog.append(saved.sessionId, [
      { key: `${what}:${id}:${saved.replays}`, at, by: 'system', action: what, detail: `${saved.type} → ${saved.endpointId}${end.error ? `（${end.error}）` : ''}` },
    ]);
  }
}

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
