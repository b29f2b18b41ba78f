import { z } from 'zod';
import type { CallbackNonces } from '../../core/channelState.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { readRawBody } from '../../http/readBody.ts';
import { defineRoute, reply, type Reply, type Route, type RouteRequest } from '../../http/route.ts';
import type { CallbackVerifier } from './callbackVerifier.ts';
import type { CallbackPayload } from './callbackXml.ts';
import { WecomCallbackError } from './wecomErrors.ts';

export interface WecomRoutesDeps {
  verifier: CallbackVerifier;
  /** Durably queues the payload; throwing answers 503 so WeCom retries the callback. */
  accept: (payload: CallbackPayload) => Promise<void>;
  logger: Logger;
  /** Mount path (default `/wecom/callback`). */
  path?: string;
  /** Largest accepted POST body (default 64 KB; real callbacks are a few hundred bytes). */
  bodyLimitBytes?: number;
  /**
   * Refuses a signed POST whose timestamp and nonce were already accepted, for as long as its
   * timestamp stays inside the verifier's window (`windowSeconds`, WECOM_MAX_SKEW_S; 0 = off).
   */
  replays?: { nonces: CallbackNonces; windowSeconds: number; now?: () => number };
}

/**
 * The WeCom callback routes: `GET` answers URL verification with the bare decrypted echostr;
 * `POST` verifies, decrypts and queues the callback, then answers 200 at once (WeCom gives
 * 5 s). Refused requests get a 4xx `{ error: { code, message } }` and one log line. The signature
 * is the authentication (`signed`): the verifier checks msg_signature over the query and body.
 *
 * @example
 * const app = createApp({ logger, readiness, routes: createWecomRoutes({ verifier, accept, logger }) });
 */
export function createWecomRoutes(deps: WecomRoutesDeps): Route[] {
  const path = deps.path ?? '/wecom/callback';
  const limit = deps.bodyLimitBytes ?? 64 * 1024;
  const log = deps.logger.child({ module: 'wecom-callback' });
  const replays = deps.replays && deps.replays.windowSeconds > 0 ? deps.replays : undefined;
  const tags = ['wecom'];
  const refusals = { 400: 'WECOM_PARAMS_INVALID, WECOM_XML_INVALID', 401: 'WECOM_SIGNATURE_INVALID' };

  function refuse(request: RouteRequest, error: WecomCallbackError): Reply {
    log.warn({ code: error.code, status: error.status, method: request.method, ip: request.ip, ...error.context }, `wecom callback refused: ${error.message}`);
    return reply({ status: error.status, body: { error: { code: error.code, message: error.message } } });
  }

  async function readBody(request: RouteRequest): Promise<string | WecomCallbackError> {
    try {
      return await readRawBody(request.stream, { limit });
    } catch (error) {
      if (error instanceof AppError && error.code === 'BODY_TOO_LARGE') return new WecomCallbackError('WECOM_BODY_TOO_LARGE', `body is larger than ${limit} bytes`);
      return new WecomCallbackError('WECOM_BODY_UNREADABLE', `body unreadable: ${(error as Error).message}`);
    }
  }

  return [
    defineRoute({
      method: 'get',
      path,
      auth: 'signed',
      tags,
      summary: 'WeCom URL verification: answers the decrypted echostr (query: msg_signature, timestamp, nonce, echostr)',
      output: { description: 'The echostr, decrypted', type: 'text/plain' },
      errors: refusals,
      handler: (request) => {
        const result = deps.verifier.verifyUrl(request.rawQuery);
        if (!result.ok) return refuse(request, result.error);
        return reply({ status: 200, type: 'text/plain; charset=utf-8', body: result.value });
      },
    }),
    defineRoute({
      method: 'post',
      path,
      auth: 'signed',
      tags,
      summary: 'A WeCom callback (encrypted XML; query: msg_signature, timestamp, nonce): verified, queued, answered at once with an empty 200',
      input: { rawBody: { 'text/xml': z.string().describe('<xml><ToUserName/><Encrypt/><AgentID/></xml>') } },
      output: { description: 'Received (no passive reply)', type: 'text/plain' },
      errors: { ...refusals, 409: 'WECOM_CALLBACK_REPLAYED', 413: 'WECOM_BODY_TOO_LARGE', 503: 'WECOM_QUEUE_UNAVAILABLE: WeCom retries' },
      handler: async (request) => {
        const body = await readBody(request);
        if (body instanceof WecomCallbackError) return refuse(request, body);
        const result = deps.verifier.openMessage(request.rawQuery, body);
        if (!result.ok) return refuse(request, result.error);
        // Verified, so both are strings the signature covers.
        const signedAt = { timestamp: String(request.rawQuery.timestamp), nonce: String(request.rawQuery.nonce) };
        if (replays && (await replays.nonces.seen(signedAt.timestamp, signedAt.nonce))) {
          return refuse(request, new WecomCallbackError('WECOM_CALLBACK_REPLAYED', 'this signed callback (timestamp and nonce) was already accepted'));
        }
        try {
          await deps.accept(result.value);
        } catch (error) {
          log.error({ err: (error as Error).message, type: result.value.type }, 'wecom callback not queued; WeCom will retry');
          return reply({ status: 503, body: { error: { code: 'WECOM_QUEUE_UNAVAILABLE', message: 'Try again later' } } });
        }
        // Remembered only once accepted, so WeCom's retry of a callback we failed to queue gets
        // through; a duplicate accepted meanwhile is harmless (queued callbacks are deduplicated).
        if (replays) await replays.nonces.remember(signedAt.timestamp, signedAt.nonce, rememberFor(signedAt.timestamp, replays));
        // Empty 200: "received, no passive reply" for app callbacks, and all kf needs.
        return reply({ status: 200, body: '' });
      },
    }),
  ];
}

/** Seconds until `timestamp` leaves the window: after that the verifier refuses it anyway. */
function rememberFor(timestamp: string, replays: { windowSeconds: number; now?: () => number }): number {
  const nowSeconds = Math.floor((replays.now ?? Date.now)() / 1000);
  return Number(timestamp) + replays.windowSeconds - nowSeconds + 1;
}
