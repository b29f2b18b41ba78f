import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { CallbackNonces } from '../../core/channelState.ts';
import type { Logger } from '../../core/logger.ts';
import type { CallbackVerifier } from './callbackVerifier.ts';
import type { CallbackPayload } from './callbackXml.ts';
import { WecomCallbackError } from './wecomErrors.ts';

/** The router type, re-exported so modules outside the HTTP layer need not import @koa/router. */
export type WecomRouter = Router;

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
 * The WeCom callback router: `GET` answers URL verification with the bare decrypted echostr;
 * `POST` verifies, decrypts and queues the callback, then answers 200 at once (WeCom gives
 * 5 s). Refused requests get a 4xx `{ error: { code, message } }` and one log line.
 *
 * @example
 * app.use(createWecomRoutes({ verifier, accept, logger }).routes());
 */
export function createWecomRoutes(deps: WecomRoutesDeps): WecomRouter {
  const router = new Router();
  const path = deps.path ?? '/wecom/callback';
  const limit = deps.bodyLimitBytes ?? 64 * 1024;
  const log = deps.logger.child({ module: 'wecom-callback' });
  const replays = deps.replays && deps.replays.windowSeconds > 0 ? deps.replays : undefined;

  function refuse(ctx: Context, error: WecomCallbackError): void {
    log.warn({ code: error.code, status: error.status, method: ctx.method, ip: ctx.ip, ...error.context }, `wecom callback refused: ${error.message}`);
    ctx.status = error.status;
    ctx.body = { error: { code: error.code, message: error.message } };
  }

  router.get(path, (ctx) => {
    const result = deps.verifier.verifyUrl(ctx.query);
    if (!result.ok) return refuse(ctx, result.error);
    ctx.status = 200;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = result.value;
  });

  router.post(path, async (ctx) => {
    let body: string;
    try {
      body = await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined, encoding: 'utf-8' });
    } catch (error) {
      const e = error as { status?: number; type?: string; message: string };
      if (e.status === 413) return refuse(ctx, new WecomCallbackError('WECOM_BODY_TOO_LARGE', `body is larger than ${limit} bytes`));
      return refuse(ctx, new WecomCallbackError('WECOM_BODY_UNREADABLE', `body unreadable: ${e.type ?? e.message}`));
    }
    const result = deps.verifier.openMessage(ctx.query, body);
    if (!result.ok) return refuse(ctx, result.error);
    // Verified, so both are strings the signature covers.
    const signedAt = { timestamp: String(ctx.query.timestamp), nonce: String(ctx.query.nonce) };
    if (replays && (await replays.nonces.seen(signedAt.timestamp, signedAt.nonce))) {
      return refuse(ctx, new WecomCallbackError('WECOM_CALLBACK_REPLAYED', 'this signed callback (timestamp and nonce) was already accepted'));
    }
    try {
      await deps.accept(result.value);
    } catch (error) {
      log.error({ err: (error as Error).message, type: result.value.type }, 'wecom callback not queued; WeCom will retry');
      ctx.status = 503;
      ctx.body = { error: { code: 'WECOM_QUEUE_UNAVAILABLE', message: 'Try again later' } };
      return;
    }
    // Remembered only once accepted, so WeCom's retry of a callback we failed to queue gets
    // through; a duplicate accepted meanwhile is harmless (queued callbacks are deduplicated).
    if (replays) await replays.nonces.remember(signedAt.timestamp, signedAt.nonce, rememberFor(signedAt.timestamp, replays));
    // Empty 200: "received, no passive reply" for app callbacks, and all kf needs.
    ctx.status = 200;
    ctx.body = '';
  });

  return router;
}

/** Seconds until `timestamp` leaves the window: after that the verifier refuses it anyway. */
function rememberFor(timestamp: string, replays: { windowSeconds: number; now?: () => number }): number {
  const nowSeconds = Math.floor((replays.now ?? Date.now)() / 1000);
  return Number(timestamp) + replays.windowSeconds - nowSeconds + 1;
}
