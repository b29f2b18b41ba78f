import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { responsesOf, type Route } from './route.ts';

/** The error body every route answers with: `{ error: { code, message } }`. */
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).meta({ id: 'Error' });

/** 400 and 409 answers may add the problems found (with paths, lines) or what a conflict was with. */
const errorWithDetailsSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      problems: z.array(z.looseObject({ path: z.string().optional(), message: z.string() }).meta({ id: 'Problem' })).optional(),
      more: z.number().int().optional().describe('How many problems the list leaves out'),
      conflict: z.record(z.string(), z.unknown()).optional().describe('DRAFT_CONFLICT: latestVersion, author, at, basedOn'),
    }),
  })
  .meta({ id: 'ErrorWithDetails' });

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

/**
 * The OpenAPI 3.1 document of `routes`, generated from their definitions (zod-openapi turns the
 * zod schemas into JSON Schema; schemas with a `.meta({ id })` become shared components). Each
 * operation carries `x-access` (public, signed, console or a role) and, for admin-API routes,
 * `x-required-role`.
 *
 * @example
 * const document = createOpenApiDocument(routes, { title: 'huifang API', version: '1', description: '…' });
 */
export function createOpenApiDocument(routes: readonly Route[], info: DocumentInfo): Record<string, unknown> {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { ...info },
    security: [{ bearer: [] }],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  }) as unknown as Record<string, unknown>;
}

/** `/api/flows/:id` → `/api/flows/{id}`; `/admin/vendor/yaml/*path` → `/admin/vendor/yaml/{path}`. */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function operation(route: Route): ZodOpenApiOperationObject {
  const input = route.input ?? {};
  const signIn = route.auth === 'public' || route.auth === 'signed' ? {} : { 'x-required-role': route.auth === 'console' ? 'advisor' : route.auth };
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.tags ? { tags: route.tags } : {}),
    ...(signIn['x-required-role'] ? {} : { security: [] }),
    'x-access': route.auth,
    ...signIn,
    requestParams: {
      path: pathParams(route),
      ...(input.query ? { query: input.query as z.ZodObject } : {}),
      ...(input.headers ? { header: input.headers as z.ZodObject } : {}),
    },
    ...requestBody(route),
    responses: { ...successes(route), ...failures(route) },
  };
}

/** The route's params schema, or plain strings for path parameters it does not describe. */
function pathParams(route: Route): z.ZodObject {
  const declared = route.input?.params as z.ZodObject | undefined;
  const names = [...route.path.matchAll(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  const missing = names.filter((name) => !declared?.shape[name]);
  const extra = z.object(Object.fromEntries(missing.map((name) => [name, z.string()])));
  return declared ? declared.extend(extra.shape) : extra;
}

function requestBody(route: Route): Pick<ZodOpenApiOperationObject, 'requestBody'> {
  const input = route.input ?? {};
  if (input.body) return { requestBody: { required: true, content: { 'application/json': { schema: input.body } } } };
  if (input.rawBody) return { requestBody: { required: true, content: Object.fromEntries(Object.entries(input.rawBody).map(([type, schema]) => [type, { schema }])) } };
  return {};
}

function successes(route: Route): ZodOpenApiResponsesObject {
  const answers: ZodOpenApiResponsesObject = {};
  for (const response of responsesOf(route)) {
    const type = response.type ?? 'application/json';
    const status = String(response.status ?? 200) as `${1 | 2 | 3 | 4 | 5}${string}`;
    const schema = response.schema ?? (type === 'application/json' ? undefined : z.string());
    answers[status] = { description: response.description ?? 'OK', ...(schema ? { content: { [type]: { schema } } } : {}) };
  }
  return answers;
}

/** Error answers implied by the route's access and input, then the ones it names. */
function failures(route: Route): ZodOpenApiResponsesObject {
  const input = route.input ?? {};
  const texts: Record<number, string[]> = {};
  const add = (status: number, text: string) => (texts[status] ??= []).push(text);
  if (route.auth === 'console') {
    add(401, 'UNAUTHORIZED: no valid console token; AUTH_NOT_CONFIGURED: no ADMIN_TOKEN and no account exists yet');
    add(403, 'CONSOLE_FORBIDDEN: a viewer or editor token');
  } else if (route.auth !== 'public' && route.auth !== 'signed') {
    add(401, 'UNAUTHORIZED: no valid bearer token; AUTH_NOT_CONFIGURED: no ADMIN_TOKEN and no account exists yet');
    if (route.auth !== 'viewer') add(403, `FORBIDDEN: needs the ${route.auth} role`);
  }
  if (route.auth !== 'public' && route.auth !== 'signed') add(429, 'AUTH_RATE_LIMITED: too many refused tokens from this address; wait Retry-After seconds');
  for (const invalid of [input.params && (input.invalidParams ?? { code: 'QUERY_INVALID' }), input.query && (input.invalidQuery ?? { code: 'QUERY_INVALID' })]) {
    if (invalid) add(invalid.status ?? 400, [invalid.code, ...Object.values(invalid.codeByField ?? {})].join(', '));
  }
  if (input.body) {
    add(400, 'BODY_NOT_JSON, BODY_INVALID (problems: path and message of each)');
    add(413, 'BODY_TOO_LARGE: over 256 KB');
  }
  for (const [status, text] of Object.entries(route.errors ?? {})) add(Number(status), text);
  return Object.fromEntries(
    Object.entries(texts).map(([status, parts]) => [
      status,
      { description: [...new Set(parts)].join('; '), content: { 'application/json': { schema: status === '400' || status === '409' ? errorWithDetailsSchema : errorSchema } } },
    ]),
  );
}
