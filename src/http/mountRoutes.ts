import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { Auth } from './auth.ts';
import { readJsonBody } from './readBody.ts';
import { Reply, responsesOf, type InvalidInput, type Route, type RouteAccess, type RouteRequest } from './route.ts';

/**
 * The Koa router for a list of route definitions, in list order (the first route whose method
 * and path match answers). Each route runs: its access check, then params, query and JSON body
 * through its schemas, then the handler, whose value becomes the answer.
 *
 * @example
 * app.use(mountRoutes(routes, auth).routes());
 */
export function mountRoutes(routes: readonly Route[], auth?: Auth): Router {
  const router = new Router();
  for (const route of routes) {
    router[route.method](route.path, accessCheck(route.auth, auth, route), answer(route));
  }
  return router;
}

/** Lets the request through only for callers `access` admits; leaves them in ctx.state. */
function accessCheck(access: RouteAccess, auth: Auth | undefined, route: Route): Middleware {
  if (access === 'public' || access === 'signed') return (_ctx, next) => next();
  if (!auth) throw new Error(`${route.method.toUpperCase()} ${route.path} needs sign-in, but the app has no auth`);
  if (access === 'console') {
    return async (ctx, next) => {
      ctx.state.consoleUser = await auth.console(ctx.get('authorization'));
      await next();
    };
  }
  return async (ctx, next) => {
    ctx.state.principal = await auth.admin(ctx.get('authorization'), access);
    await next();
  };
}

function answer(route: Route): Middleware {
  const status = responsesOf(route)[0]?.status ?? 200;
  const input = route.input ?? {};
  return async (ctx) => {
    const params = input.params ? parse(input.params, ctx.params, input.invalidParams) : undefined;
    const query = input.query ? parse(input.query, ctx.query, input.invalidQuery) : undefined;
    const body = input.body ? await readJsonBody(ctx.req, input.body, { tooLargeHint: input.bodyTooLargeHint }) : undefined;
    const result = await route.handler(requestOf(ctx, params, query, body));
    send(ctx, result instanceof Reply ? result.init : { body: result }, status);
  };
}

/** A value from the URL through its schema; a failure answers `invalid` (default 400 QUERY_INVALID). */
function parse(schema: z.ZodType, value: unknown, invalid: InvalidInput = { code: 'QUERY_INVALID' }): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const message = invalid.message?.(value) ?? problems.map((p) => `${p.path || '(value)'}: ${p.message}`).join('; ');
  const field = String(parsed.error.issues[0]?.path[0] ?? '');
  throw new AppError(invalid.codeByField?.[field] ?? invalid.code, message, { status: invalid.status ?? 400 });
}

function requestOf(ctx: Context, params: unknown, query: unknown, body: unknown): RouteRequest {
  return {
    params,
    query,
    body,
    get principal() {
      return ctx.state.principal;
    },
    get consoleUser() {
      return ctx.state.consoleUser;
    },
    header: (name) => ctx.get(name),
    rawQuery: ctx.query,
    stream: ctx.req,
    method: ctx.method,
    path: ctx.path,
    ip: ctx.ip,
    requestId: ctx.state.requestId as string,
  };
}

function send(ctx: Context, init: Reply['init'], defaultStatus: number): void {
  ctx.status = init.status ?? defaultStatus;
  if (init.headers) ctx.set(init.headers);
  if (init.attachment) ctx.attachment(init.attachment);
  if (init.type) ctx.type = init.type;
  if (init.body !== undefined) ctx.body = init.body;
}
