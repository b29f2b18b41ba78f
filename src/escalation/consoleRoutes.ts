import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { AdvisorRecord, AdvisorRepository } from '../core/escalations.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { readJsonBody } from '../http/readJsonBody.ts';
import type { Principal } from '../core/admin.ts';
import { ADVISOR_ID_PATTERN, advisorIdOf, generateAdvisorToken, hashAdvisorToken, tokenMatches } from './advisorTokens.ts';
import { CONSOLE_HTML, CONSOLE_SCRIPT, CONSOLE_STYLE } from './console/consolePage.ts';
import type { ConsoleActor, EscalationService } from './escalationService.ts';

export type ConsoleRouter = Router;

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

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Nothing inline runs: the script and style are served from /console itself.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/**
 * The advisor console and the advisor admin API.
 *
 * - `GET /console` (+ `/console/app.js`, `/console/app.css`): the page (Chinese UI; all customer
 *   text rendered with textContent).
 * - `/api/console/*`, bearer = an advisor token (or ADMIN_TOKEN, acting as `admin`, or an admin
 *   user's token; viewers' and editors' tokens answer 403 CONSOLE_FORBIDDEN):
 *   `GET me`, `GET escalations?view=active|resolved`, `GET escalations/:id`,
 *   `POST escalations/:id/claim`, `POST escalations/:id/reply {text, clientId}`,
 *   `POST escalations/:id/resolve {handBack: none|resume|finish, note?}`.
 * - `/api/advisors`, admin role (`manage`; ADMIN_TOKEN or an admin user): `GET`, `POST {id, name, wecomUserId?}` (answers the
 *   sign-in token once; only its hash is stored), `POST /:id/token` (new token), `DELETE /:id`.
 */
export function createConsoleRoutes(deps: {
  service: EscalationService;
  advisors: AdvisorRepository;
  adminTokens: () => string[];
  /** Admin API callers by their Authorization header (admin users may use the console). */
  apiUsers?: (authorization: string) => Promise<Principal | null>;
  /** Guards advisor management (admin role). */
  manage: Middleware;
  logger: Logger;
}): Router {
  const router = new Router();
  const log = deps.logger.child({ module: 'console' });

  const page = (type: string, body: string) => (ctx: Context) => {
    ctx.set(PAGE_HEADERS);
    ctx.type = type;
    ctx.body = body;
  };
  router.get('/console', page('text/html; charset=utf-8', CONSOLE_HTML));
  router.get('/console/app.js', page('application/javascript; charset=utf-8', CONSOLE_SCRIPT));
  router.get('/console/app.css', page('text/css; charset=utf-8', CONSOLE_STYLE));

  // ------------------------------------------------------------ advisor admin (admin role)

  const admin = deps.manage;
  router.get('/api/advisors', admin, async (ctx) => {
    ctx.body = { items: (await deps.advisors.list()).map(advisorView) };
  });
  router.post('/api/advisors', admin, async (ctx) => {
    const input = await readJsonBody(ctx, advisorBody);
    if (input.id === ADMIN_ACTOR.id || RESERVED_ADVISOR_NAMES.has(input.name.toLowerCase())) {
      throw new ValidationError('ADVISOR_NAME_RESERVED', `"${input.id === ADMIN_ACTOR.id ? input.id : input.name}" is how the ADMIN_TOKEN holder appears in the console; give the advisor another id and name`);
    }
    const token = generateAdvisorToken(input.id);
    const created = await deps.advisors.create({ id: input.id, name: input.name, ...(input.wecomUserId ? { wecomUserId: input.wecomUserId } : {}) }, hashAdvisorToken(token));
    if (!created) throw new ConflictError('ADVISOR_EXISTS', `Advisor ${input.id} already exists`);
    log.info({ advisorId: created.id }, 'advisor created');
    ctx.status = 201;
    ctx.body = { advisor: advisorView(created), token, note: 'The token is shown only now; give it to the advisor to sign in at /console.' };
  });
  router.post('/api/advisors/:id/token', admin, async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!ADVISOR_ID_PATTERN.test(id)) throw new NotFoundError('ADVISOR_NOT_FOUND', `No advisor ${id}`);
    const token = generateAdvisorToken(id);
    if (!(await deps.advisors.setTokenHash(id, hashAdvisorToken(token)))) throw new NotFoundError('ADVISOR_NOT_FOUND', `No advisor ${id}`);
    log.info({ advisorId: id }, 'advisor token replaced');
    ctx.body = { token };
  });
  router.delete('/api/advisors/:id', admin, async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!ADVISOR_ID_PATTERN.test(id) || !(await deps.advisors.remove(id))) throw new NotFoundError('ADVISOR_NOT_FOUND', `No advisor ${id}`);
    log.info({ advisorId: id }, 'advisor removed');
    ctx.status = 204;
  });

  // ------------------------------------------------------------ console API (advisor token)

  const signedIn = consoleSignIn(deps);

  const actorOf = (ctx: Context) => ctx.state.actor as ConsoleActor;
  const idOf = (ctx: Context): string => {
    const parsed = escalationId.safeParse(ctx.params.id);
    if (!parsed.success) throw new NotFoundError('ESCALATION_NOT_FOUND', `No escalation ${String(ctx.params.id)}`);
    return parsed.data;
  };

  router.get('/api/console/me', signedIn, async (ctx) => {
    const actor = actorOf(ctx);
    if (!actor.admin) await deps.advisors.touch(actor.id, new Date()).catch(() => undefined);
    ctx.body = actor;
  });
  router.get('/api/console/escalations', signedIn, async (ctx) => {
    const parsed = listQuery.safeParse(ctx.query);
    if (!parsed.success) throw new ValidationError('QUERY_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const actor = actorOf(ctx);
    ctx.body = { items: parsed.data.view === 'active' ? await deps.service.listActive(actor) : await deps.service.listResolved(actor) };
  });
  router.get('/api/console/escalations/:id', signedIn, async (ctx) => {
    ctx.body = await deps.service.detail(idOf(ctx), actorOf(ctx));
  });
  router.post('/api/console/escalations/:id/claim', signedIn, async (ctx) => {
    const id = idOf(ctx);
    await readJsonBody(ctx, z.object({}));
    ctx.body = await deps.service.claim(id, actorOf(ctx));
  });
  router.post('/api/console/escalations/:id/reply', signedIn, async (ctx) => {
    const id = idOf(ctx);
    const input = await readJsonBody(ctx, replyBody);
    ctx.body = await deps.service.reply(id, actorOf(ctx), input);
  });
  router.post('/api/console/escalations/:id/resolve', signedIn, async (ctx) => {
    const id = idOf(ctx);
    const input = await readJsonBody(ctx, resolveBody);
    ctx.body = await deps.service.resolve(id, actorOf(ctx), { handBack: input.handBack, ...(input.note ? { note: input.note } : {}) });
  });

  return router;
}

/**
 * Console sign-in: an advisor token, ADMIN_TOKEN acting as `admin`, or an admin user's token (a
 * viewer's or editor's answers 403 CONSOLE_FORBIDDEN); leaves the ConsoleActor in
 * `ctx.state.actor`. Also used by the follow-up tasks tab (src/followup/taskRoutes.ts).
 */
export function consoleSignIn(deps: { advisors: AdvisorRepository; adminTokens: () => string[]; apiUsers?: (authorization: string) => Promise<Principal | null> }): Middleware {
  async function identify(header: string): Promise<ConsoleActor> {
    const token = /^Bearer\s+(\S{1,256})$/i.exec(header)?.[1];
    if (!token) throw new UnauthorizedError('请使用顾问令牌登录');
    const id = advisorIdOf(token);
    if (id) {
      const advisor = await deps.advisors.get(id);
      if (advisor && tokenMatches(token, advisor.tokenHash)) {
        return { id: advisor.id, name: advisor.name, admin: false, ...(advisor.wecomUserId ? { wecomUserId: advisor.wecomUserId } : {}) };
      }
    } else if (deps.adminTokens().some((t) => tokenMatches(token, hashAdvisorToken(t)))) {
      return { ...ADMIN_ACTOR, admin: true };
    } else {
      const user = await deps.apiUsers?.(header);
      if (user?.role === 'admin') return { id: user.name, name: user.name, admin: true };
      // Analytics viewers and flow editors hold valid tokens, but customers' chats are not theirs.
      if (user) throw new ForbiddenError(`控制台只对顾问和管理员开放；${user.name} 的角色是 ${user.role}`, { role: user.role }, 'CONSOLE_FORBIDDEN');
    }
    throw new UnauthorizedError('令牌无效或已被更换');
  }
  return async (ctx, next) => {
    ctx.state.actor = await identify(ctx.get('authorization'));
    await next();
  };
}

function advisorView(a: AdvisorRecord) {
  return { id: a.id, name: a.name, wecomUserId: a.wecomUserId ?? null, createdAt: a.createdAt, lastSeenAt: a.lastSeenAt ?? null };
}
