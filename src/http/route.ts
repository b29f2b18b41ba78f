import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { AdminRole, Principal } from '../core/admin.ts';
import type { ConsoleUser } from './auth.ts';

/**
 * Each HTTP route is defined once, as data: method, path, who may call it, its zod input and
 * output, and a summary. http/ turns the list into the Koa router (mountRoutes.ts) and into
 * `/api/openapi.json` (openApiDocument.ts), so the two cannot drift apart. Feature folders
 * declare routes with `defineRoute` and never touch Koa.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route: anyone (`public`); anyone whose request carries a signature the handler
 * checks (`signed`: WeCom callbacks, merchant events); a console user (`console`: an advisor
 * token, ADMIN_TOKEN or an admin user); or an admin-API user with at least this role.
 */
export type RouteAccess = 'public' | 'signed' | 'console' | AdminRole;

/** The answer to a params or query value that fails its schema (default: 400 QUERY_INVALID). */
export interface InvalidInput {
  code: string;
  /** Another code when a given field is the first one wrong, e.g. `{ version: 'VERSION_INVALID' }`. */
  codeByField?: Record<string, string>;
  status?: 400 | 404;
  /** The message, from the raw value; default: each problem as `path: message`. */
  message?: (value: unknown) => string;
}

export interface RouteInput<P, Q, B> {
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** A JSON body, read with the 256 KB cap (413 BODY_TOO_LARGE, 400 BODY_NOT_JSON / BODY_INVALID). */
  body?: z.ZodType<B>;
  /** Added to the 413 message: what to do about a body that is too large. */
  bodyTooLargeHint?: string;
  /** A body the handler reads itself from `request.stream` (CSV, XML, signed events), by content type. */
  rawBody?: Record<string, z.ZodType>;
  /** Request headers the route reads (documented). */
  headers?: z.ZodType;
  invalidParams?: InvalidInput;
  invalidQuery?: InvalidInput;
}

/** One documented answer; `schema` describes a JSON body unless `type` names another. */
export interface RouteResponse {
  status?: number;
  description?: string;
  schema?: z.ZodType;
  /** Content type; default application/json. */
  type?: string;
}

/** What a handler sees: validated input, the caller, and the raw request where a route needs it. */
export interface RouteRequest<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  /** The admin user a role route let through. */
  readonly principal: Principal;
  /** The console user a `console` route let through. */
  readonly consoleUser: ConsoleUser;
  header(name: string): string;
  /** The query as sent, for routes that pass it on (audience uploads). */
  rawQuery: Record<string, string | string[] | undefined>;
  /** The request body, unread, for routes with `rawBody`. */
  stream: IncomingMessage;
  method: string;
  path: string;
  ip: string;
  requestId: string;
}

/** A non-default answer: another status, a content type, headers, a download name. */
export class Reply {
  constructor(
    readonly init: { status?: number; body?: unknown; type?: string; headers?: Record<string, string>; attachment?: string },
  ) {}
}

/** Builds a Reply; a handler that returns a plain value answers it as JSON with the route's status. */
export function reply(init: Reply['init']): Reply {
  return new Reply(init);
}

export interface RouteDefinition<P, Q, B> {
  method: HttpMethod;
  /** Koa-style path: `/api/flows/:id`, `/admin/vendor/yaml/*path`. */
  path: string;
  auth: RouteAccess;
  summary: string;
  description?: string;
  tags?: string[];
  input?: RouteInput<P, Q, B>;
  /** The success answer(s); the first one's status is the default. */
  output?: z.ZodType | RouteResponse | RouteResponse[];
  /** Error answers worth naming beyond those the auth and input imply, e.g. `{ 409: 'FLOW_ARCHIVED' }`. */
  errors?: Record<number, string>;
  handler: (request: RouteRequest<P, Q, B>) => unknown;
}

/** A route with its types erased, as lists hold them. */
export type Route = RouteDefinition<unknown, unknown, unknown>;

/**
 * Declares a route; the handler's `params`, `query` and `body` are typed from the input schemas.
 *
 * @example
 * defineRoute({ method: 'get', path: '/api/me', auth: 'viewer', summary: 'The caller', output: principalSchema, handler: (r) => r.principal });
 */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(definition: RouteDefinition<P, Q, B>): Route {
  return definition as unknown as Route;
}

/** The documented success answers of a route, first = default. */
export function responsesOf(route: Route): RouteResponse[] {
  const output = route.output;
  if (output === undefined) return [{ status: 200 }];
  if (Array.isArray(output)) return output;
  if (isZodSchema(output)) return [{ status: 200, schema: output }];
  return [output];
}

function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * A public `GET` that answers fixed text (a page, its script or style) with its own headers.
 *
 * @example
 * staticRoute({ path: '/console/app.css', type: 'text/css; charset=utf-8', body: CSS, headers: PAGE_HEADERS, summary: 'The console’s style' });
 */
export function staticRoute(page: { path: string; type: string; body: string; headers: Record<string, string>; summary: string }): Route {
  return defineRoute({
    method: 'get',
    path: page.path,
    auth: 'public',
    tags: ['pages'],
    summary: page.summary,
    output: { description: page.summary, type: page.type.split(';')[0] },
    handler: () => reply({ headers: page.headers, type: page.type, body: page.body }),
  });
}
