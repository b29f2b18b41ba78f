import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { setSecurityHeaders } from './securityHeaders.ts';

/** Checks whether a dependency answers; used by /readyz. */
export type HealthCheck = () => Promise<boolean>;

/** A plain node handler mounted before Koa routing (e.g. the WeCom simulator); false = not mine. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface AppDeps {
  logger: Logger;
  /** Named checks for /readyz, e.g. { mongodb, redis }. */
  readiness: Record<string, HealthCheck>;
  routers?: Router[];
  rawHandlers?: RawHandler[];
  /** Runs before every router: counts failed sign-ins and answers 429 after a burst (signInBrake.ts). */
  signInBrake?: Middleware;
  /**
   * TRUST_PROXY: how many reverse proxies stand in front and append to X-Forwarded-For. 0 (the
   * default): the client address is the socket's, and X-Forwarded-For is ignored, since anyone can
   * send one. n: the n-th address from the right end of X-Forwarded-For, the one our proxy saw.
   */
  trustProxy?: number;
}

/**
 * Builds the Koa application without listening, so tests run the real app on an ephemeral
 * port. Order matters: request id, then the one error middleware, then access log, then routes.
 *
 * @example
 * const app = createApp({ logger, readiness: { mongodb: () => pingMongo(conn) }, routers: [wecom.router] });
 * app.listen(3000);
 */
export function createApp(deps: AppDeps): Koa {
  const hops = deps.trustProxy ?? 0;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const log = deps.logger.child({ module: 'http' });

  // First, so error answers and raw handlers (the simulator) carry them too.
  app.use(async (ctx, next) => {
    setSecurityHeaders(ctx.res);
    await next();
  });

  app.use(async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    ctx.state.requestId = /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId as string);
    await next();
  });

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const appError = toAppError(error);
      ctx.status = appError.status;
      ctx.body = { error: { code: appError.code, message: appError.expose ? appError.message : 'Internal error' } };
      if (appError.status >= 500) ctx.app.emit('error', error, ctx);
      else log.info({ requestId: ctx.state.requestId, code: appError.code, path: ctx.path, status: appError.status }, appError.message);
    }
  });

  // Routers and handlers decode the path; bad percent-encoding is the caller's mistake, not a crash.
  app.use(async (ctx, next) => {
    if (!isDecodable(ctx.path)) throw new AppError('URL_MALFORMED', 'The URL path has invalid percent-encoding', { status: 400 });
    await next();
  });

  // The single place server errors are logged.
  app.on('error', (error: unknown, ctx?: Koa.Context) => {
    log.error({ err: error, requestId: ctx?.state.requestId, path: ctx?.path }, 'request failed');
  });

  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    await next();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log.debug({ requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms) }, 'request');
  });

  if (deps.rawHandlers?.length) {
    app.use(async (ctx, next) => {
      for (const handler of deps.rawHandlers ?? []) {
        if (await handler(ctx.req, ctx.res)) {
          ctx.respond = false;
          return;
        }
      }
      await next();
    });
  }

  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  health.get('/readyz', async (ctx) => {
    const entries = await Promise.all(
      Object.entries(deps.readiness).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
    );
    const down = entries.filter(([, ok]) => !ok).map(([name]) => name);
    ctx.status = down.length ? 503 : 200;
    ctx.body = { status: down.length ? 'unavailable' : 'ready', checks: Object.fromEntries(entries), ...(down.length ? { down } : {}) };
  });
  app.use(health.routes());
  if (deps.signInBrake) app.use(deps.signInBrake);
  for (const router of deps.routers ?? []) app.use(router.routes()).use(router.allowedMethods());

  app.use((ctx) => {
    throw new AppError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`, { status: 404 });
  });
  return app;
}

/** Turns anything thrown into an AppError, keeping Koa/http-errors statuses (e.g. 413 from a body limit). */
function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status < 500) {
    const code = status === 413 ? 'BODY_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    return new AppError(code, typeof e?.message === 'string' ? e.message : 'Bad request', { status, expose: true });
  }
  return new AppError('INTERNAL', 'Internal error', { status, expose: false, cause: error });
}

function isDecodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
