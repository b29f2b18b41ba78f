import { z } from 'zod';
import type { AdvisorRecord, AdvisorRepository } from '../core/escalations.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { itemsOf } from '../http/apiSchemas.ts';
import type { AdvisorTokens } from '../http/auth.ts';
import { join } from 'node:path';
import { defineRoute, reply, type InvalidInput, type Route } from '../http/route.ts';
import { fileReply, locatePublicDir, PAGE_CSP, pageRoute } from '../http/staticFiles.ts';
import { ADVISOR_ID_PATTERN, advisorIdOf, generateAdvisorToken, hashAdvisorToken, tokenMatches } from './advisorTokens.ts';
import type { EscalationService } from './escalationService.ts';

const advisorBody = z.strictObject({
  id: z.string().trim().regex(ADVISOR_ID_PATTERN, '2–32 lowercase letters, digits, _ or -, starting with a letter or digit'),
  name: z.string().trim().min(1).max(32),
  wecomUserId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a WeCom user id')
    .optional(),
});
// The ADMIN_TOKEN holder acts in the console as id "admin", named 管理员: an advisor by either
// would be indistinguishable from it in escalation records and the console.
const ADMIN_ACTOR = { id: 'admin', name: '管理员' } as const;
const RESERVED_ADVISOR_NAMES = new Set(['admin', ADMIN_ACTOR.name]);

const replyBody = z.strictObject({
  text: z.string().trim().min(1, 'write something').max(1000),
  /** Chosen by the page per reply, so a double submit sends once. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
});
const resolveBody = z.strictObject({
  handBack: z.enum(['none', 'resume', 'finish']).default('none'),
  note: z.string().trim().max(200).optional(),
});
const listQuery = z.object({ view: z.enum(['active', 'resolved']).default('active') });
const escalationId = z.string().regex(/^[0-9a-f]{24}$/);
// Pictures and voice notes are fetched with the sign-in header and shown as blob: URLs.
const CONSOLE_CSP = PAGE_CSP.replace("img-src 'self' data:", "img-src 'self' data: blob:");

const advisorSchema = z
  .object({ id: z.string(), name: z.string(), wecomUserId: z.string().nullable(), createdAt: z.iso.datetime(), lastSeenAt: z.iso.datetime().nullable() })
  .meta({ id: 'Advisor' });
const advisorParams = z.object({ id: z.string().regex(ADVISOR_ID_PATTERN) });
const noAdvisor: InvalidInput = { code: 'ADVISOR_NOT_FOUND', status: 404, message: (p) => `No advisor ${String((p as { id?: unknown }).id)}` };
const escalationParams = z.object({ id: escalationId });
const noEscalation: InvalidInput = { code: 'ESCALATION_NOT_FOUND', status: 404, message: (p) => `No escalation ${String((p as { id?: unknown }).id)}` };
const consoleUserSchema = z.object({ id: z.string(), name: z.string(), admin: z.boolean(), wecomUserId: z.string().optional() }).meta({ id: 'ConsoleUser' });
const escalationViewSchema = z.record(z.string(), z.unknown()).meta({
  id: 'EscalationView',
  description: 'An escalation as the console shows it: customer, trigger, reason, summary, status, who holds it, waiting times (masked when not the caller’s)',
});
const advisorTags = ['advisors'];
const consoleTags = ['console'];

/**
 * The advisor console and the advisor admin API.
 *
 * - `GET /console` (+ `/console/app.js`, `/console/app.css`): the page (Chinese UI; all customer
 *   text rendered with textContent).
 * - `/api/console/*`, console sign-in (an advisor token, ADMIN_TOKEN acting as `admin`, or an admin
 *   user's token; viewers' and editors' tokens answer 403 CONSOLE_FORBIDDEN): `GET me`,
 *   `GET escalations?view=active|resolved`, `GET escalations/:id`, `POST escalations/:id/claim`,
 *   `POST escalations/:id/reply {text, clientId}`, `POST escalations/:id/resolve {handBack, note?}`.
 * - `/api/advisors`, admin role: `GET`, `POST {id, name, wecomUserId?}` (answers the sign-in token
 *   once; only its hash is stored), `POST /:id/token` (new token), `DELETE /:id`.
 */
export function consoleRoutes(deps: { service: EscalationService; advisors: AdvisorRepository; logger: Logger }): Route[] {
  return [...consolePageRoutes(), ...advisorRoutes(deps), ...consoleApiRoutes(deps)];
}

/** `/console` and its script and style, from `console/public/` (no script inside TypeScript). */
function consolePageRoutes(): Route[] {
  const dir = locatePublicDir(import.meta.url, 'src/escalation/console/public', './console/public/');
  const file = (path: string, name: string, summary: string) =>
    defineRoute({ method: 'get', path, auth: 'public', tags: ['pages'], summary, output: { description: summary, type: name.endsWith('.css') ? 'text/css' : 'text/javascript' }, handler: () => fileReply(join(dir, name), 'no-cache') });
  return [
    pageRoute({ path: '/console', file: join(dir, 'index.html'), summary: 'The advisor console (page)', csp: CONSOLE_CSP }),
    file('/console/app.js', 'console.js', 'The console’s script'),
    file('/console/app.css', 'console.css', 'The console’s style'),
  ];
}

/** `/api/advisors…`, admin role: who may sign in to the console. */
function advisorRoutes(deps: { advisors: AdvisorRepository; logger: Logger }): Route[] {
  const log = deps.logger.child({ module: 'console' });
  return [
    defineRoute({
      method: 'get',
      path: '/api/advisors',
      auth: 'admin',
      tags: advisorTags,
      summary: 'Advisors who may sign in to the console',
      output: itemsOf(advisorSchema),
      handler: async () => ({ items: (await deps.advisors.list()).map(advisorView) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/advisors',
      auth: 'admin',
      tags: advisorTags,
      summary: 'Add an advisor; answers their console sign-in token once (only its hash is stored)',
      input: { body: advisorBody },
      output: { status: 201, description: 'Created', schema: z.object({ advisor: advisorSchema, token: z.string(), note: z.string() }) },
      errors: { 400: 'ADVISOR_NAME_RESERVED', 409: 'ADVISOR_EXISTS' },
      handler: async ({ body: input }) => {
        if (input.id === ADMIN_ACTOR.id || RESERVED_ADVISOR_NAMES.has(input.name.toLowerCase())) {
          throw new ValidationError('ADVISOR_NAME_RESERVED', `"${input.id === ADMIN_ACTOR.id ? input.id : input.name}" is how the ADMIN_TOKEN holder appears in the console; give the advisor another id and name`);
        }
        const token = generateAdvisorToken(input.id);
        const created = await deps.advisors.create({ id: input.id, name: input.name, ...(input.wecomUserId ? { wecomUserId: input.wecomUserId } : {}) }, hashAdvisorToken(token));
        if (!created) throw new ConflictError('ADVISOR_EXISTS', `Advisor ${input.id} already exists`);
        log.info({ advisorId: created.id }, 'advisor created');
        return reply({ status: 201, body: { advisor: advisorView(created), token, note: 'The token is shown only now; give it to the advisor to sign in at /console.' } });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/advisors/:id/token',
      auth: 'admin',
      tags: advisorTags,
      summary: 'Replace an advisor’s sign-in token (the old one stops working); answers the new one once',
      input: { params: advisorParams, invalidParams: noAdvisor },
      output: z.object({ token: z.string() }),
      handler: async ({ params: { id } }) => {
        const token = generateAdvisorToken(id);
        if (!(await deps.advisors.setTokenHash(id, hashAdvisorToken(token)))) throw new NotFoundError('ADVISOR_NOT_FOUND', `No advisor ${id}`);
        log.info({ advisorId: id }, 'advisor token replaced');
        return { token };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/advisors/:id',
      auth: 'admin',
      tags: advisorTags,
      summary: 'Remove an advisor',
      input: { params: advisorParams, invalidParams: noAdvisor },
      output: { status: 204, description: 'Removed' },
      handler: async ({ params: { id } }) => {
        if (!(await deps.advisors.remove(id))) throw new NotFoundError('ADVISOR_NOT_FOUND', `No advisor ${id}`);
        log.info({ advisorId: id }, 'advisor removed');
      },
    }),

  ];
}

/** `/api/console/…`, console sign-in: the escalation queue and its actions. */
function consoleApiRoutes(deps: { service: EscalationService; advisors: AdvisorRepository }): Route[] {
  const escalationAction = (action: 'claim' | 'reply' | 'resolve', summary: string) => ({
    method: 'post' as const,
    path: `/api/console/escalations/:id/${action}`,
    auth: 'console' as const,
    tags: consoleTags,
    summary,
    output: escalationViewSchema,
    errors: { 403: 'ESCALATION_NOT_YOURS', 409: 'ESCALATION_RESOLVED, ESCALATION_TAKEN' },
  });
  return [
    defineRoute({
      method: 'get',
      path: '/api/console/me',
      auth: 'console',
      tags: consoleTags,
      summary: 'Who is signed in to the console',
      output: consoleUserSchema,
      handler: async ({ consoleUser }) => {
        if (!consoleUser.admin) await deps.advisors.touch(consoleUser.id, new Date()).catch(() => undefined);
        return consoleUser;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/console/escalations',
      auth: 'console',
      tags: consoleTags,
      summary: 'Escalations: the active queue (default) or recently resolved ones; others’ masked',
      input: { query: listQuery },
      output: itemsOf(escalationViewSchema),
      handler: async ({ query, consoleUser }) => ({
        items: query.view === 'active' ? await deps.service.listActive(consoleUser) : await deps.service.listResolved(consoleUser),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/console/escalations/:id',
      auth: 'console',
      tags: consoleTags,
      summary: 'One escalation with the conversation (a full transcript read is audited first)',
      input: { params: escalationParams, invalidParams: noEscalation },
      output: escalationViewSchema,
      errors: { 404: 'ESCALATION_NOT_FOUND' },
      handler: ({ params, consoleUser }) => deps.service.detail(params.id, consoleUser),
    }),
    defineRoute({
      method: 'get',
      path: '/api/console/escalations/:id/media/:fileId',
      auth: 'console',
      tags: consoleTags,
      summary: 'A voice note or picture the customer sent in this escalation’s conversation (audited like a transcript read)',
      input: { params: z.object({ id: z.string().min(1).max(100), fileId: z.string().min(1).max(140) }), invalidParams: noEscalation },
      output: { status: 200, description: 'The file as the customer sent it (AMR for voice)', type: 'application/octet-stream' },
      errors: { 404: 'MEDIA_NOT_FOUND' },
      handler: async ({ params, consoleUser }) => {
        const file = await deps.service.mediaFile(params.id, params.fileId, consoleUser);
        return reply({ body: file.data, type: file.contentType, headers: { 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' } });
      },
    }),
    defineRoute({
      ...escalationAction('claim', 'Take an escalation (first come, first served)'),
      input: { params: escalationParams, invalidParams: noEscalation, body: z.object({}) },
      handler: ({ params, consoleUser }) => deps.service.claim(params.id, consoleUser),
    }),
    defineRoute({
      ...escalationAction('reply', 'Reply to the customer in WeCom (`clientId` makes a double submit send once)'),
      input: { params: escalationParams, invalidParams: noEscalation, body: replyBody },
      handler: ({ params, body, consoleUser }) => deps.service.reply(params.id, consoleUser, body),
    }),
    defineRoute({
      ...escalationAction('resolve', 'Resolve: hand the customer back to the survey (resume, finish) or not'),
      input: { params: escalationParams, invalidParams: noEscalation, body: resolveBody },
      handler: ({ params, body, consoleUser }) => deps.service.resolve(params.id, consoleUser, { handBack: body.handBack, ...(body.note ? { note: body.note } : {}) }),
    }),
  ];
}

/**
 * Console sign-in with advisor tokens (`hfa.<id>.<secret>`): the advisor whose current token it
 * is. http/auth.ts asks this first and tries ADMIN_TOKEN and admin users for other tokens.
 */
export function advisorSignIn(advisors: Pick<AdvisorRepository, 'get'>): AdvisorTokens {
  return {
    owns: (token) => advisorIdOf(token) !== null,
    async signIn(token) {
      const advisor = await advisors.get(advisorIdOf(token) ?? '');
      if (!advisor || !tokenMatches(token, advisor.tokenHash)) return null;
      return { id: advisor.id, name: advisor.name, admin: false, ...(advisor.wecomUserId ? { wecomUserId: advisor.wecomUserId } : {}) };
    },
  };
}

function advisorView(a: AdvisorRecord) {
  return { id: a.id, name: a.name, wecomUserId: a.wecomUserId ?? null, createdAt: a.createdAt, lastSeenAt: a.lastSeenAt ?? null };
}
