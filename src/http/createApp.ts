import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa, { type Middleware } from 'koa';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Auth } from './auth.ts';
import { mountRoutes } from './mountRoutes.ts';
import { createOpenApiDocument, type DocumentInfo } from './openApiDocument.ts';
import { defineRoute, reply, type Route } from './route.ts';
import { setSecurityHeaders } from './securityHeaders.ts';

/** Checks whether a dependency answers; used by /readyz. */
export type HealthCheck = () => Promise<boolean>;

/** A plain node handler mounted before Koa routing (e.g. the WeCom simulator); false = not mine. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface AppDeps {
  logger: Logger;
  /** Named checks for /readyz, e.g. { mongodb, redis }. */
  readiness: Record<string, HealthCheck>;
  /** Every route of the service, in matching order; also what `/api/openapi.json` describes. */
  routes?: readonly Route[];
  /** Identifies callers of routes that need sign-in. */
  auth?: Auth;
  /** Title and text of the API document. */
  document?: DocumentInfo;
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
 * `/healthz`, `/readyz` and `/api/openapi.json` (generated from all routes) are added here.
 *
 * @example
 * const app = createApp({ logger, readiness: { mongodb: () => pingMongo(conn) }, routes: wecom.routes, auth });
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
      ctx.body = { error: { code: appError.code, message: appError.expose ? appError.message : 'Internal error', ...details(appError) } };
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

  // The document describes every route mounted here, itself included; built once, at start.
  let document: Record<string, unknown> = {};
  const health = healthRoutes(deps.readiness);
  const routes = [...(deps.routes ?? []), openApiRoute(() => document)];
  document = createOpenApiDocument([...health, ...routes], deps.document ?? DEFAULT_DOCUMENT);
  // Probes answer before the sign-in brake: they carry no credentials worth counting.
  const probes = mountRoutes(health);
  app.use(probes.routes());
  if (deps.signInBrake) app.use(deps.signInBrake);
  const router = mountRoutes(routes, deps.auth);
  app.use(router.routes()).use(router.allowedMethods());

  app.use((ctx) => {
    throw new AppError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`, { status: 404 });
  });
  return app;
}

const DEFAULT_DOCUMENT: DocumentInfo = { title: 'huifang API', version: '1', description: 'Survey flows, sessions, analytics, campaigns and follow-up.' };

/** `GET /api/openapi.json` (public): the API document. */
function openApiRoute(document: () => Record<string, unknown>): Route {
  return defineRoute({
    method: 'get',
    path: '/api/openapi.json',
    auth: 'public',
    summary: 'This document (OpenAPI 3.1), generated from the route definitions',
    output: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) },
    handler: document,
  });
}

/** Liveness and readiness, for probes (public). */
function healthRoutes(readiness: Record<string, HealthCheck>): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      auth: 'public',
      summary: 'Liveness: the process answers',
      output: z.object({ status: z.literal('ok') }),
      handler: () => ({ status: 'ok' }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      auth: 'public',
      summary: 'Readiness: MongoDB and Redis answer (503 names those that do not)',
      output: [
        { status: 200, description: 'Ready', schema: readinessSchema },
        { status: 503, description: 'A dependency is down', schema: readinessSchema },
      ],
      handler: async () => {
        const entries = await Promise.all(Object.entries(readiness).map(async ([name, check]) => [name, await check().catch(() => false)] as const));
        const down = entries.filter(([, ok]) => !ok).map(([name]) => name);
        return reply({ status: down.length ? 503 : 200, body: { status: down.length ? 'unavailable' : 'ready', checks: Object.fromEntries(entries), ...(down.length ? { down } : {}) } });
      },
    }),
  ];
}

const readinessSchema = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.boolean()), down: z.array(z.string()).optional() });

/** What a client error adds to its body: the problems found (and how many more), or what a conflict was with. */
function details(error: AppError): Record<string, unknown> {
  if (error.status >= 500) return {};
  const { problems, more, conflict } = error.context as { problems?: unknown; more?: unknown; conflict?: unknown };
  return {
    ...(problems === undefined ? {} : { problems }),
    // How many problems the (bounded) list leaves out.
    ...(typeof more === 'number' && more > 0 ? { more } : {}),
    ...(conflict === undefined ? {} : { conflict }),
  };
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
