import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { flowAuditActions, type AdminUserRepository, type AuditAction, type AuditLog } from '../../core/admin.ts';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { ADMIN_TOKEN_PRINCIPAL, errorDetails, hashAdminToken, principalOf, type AdminAuth } from './adminAuth.ts';
import { auditQuerySchema, createUserBodySchema } from './adminApiSchemas.ts';
import { parseInput, readAdminBody } from './readAdminBody.ts';

/**
 * Who is calling (`GET /api/me`, any role), the audit log (`GET /api/audit?flowId=&action=`:
 * admins see every entry; viewers and editors only the flow history, because the rest names
 * customers' sessions, tasks and who read their transcripts), and admin
 * users with per-user tokens (`/api/users`, admin only). A new user's token is returned once,
 * at creation; only its sha256 is stored.
 */
export function createUsersRoutes(deps: { users: AdminUserRepository; audit: AuditLog; auth: AdminAuth }): Router {
  const { users, audit, auth } = deps;
  const router = new Router({ prefix: '/api' });

  router.get('/me', auth('viewer'), (ctx) => {
    ctx.body = principalOf(ctx.state);
  });

  router.get('/audit', auth('viewer'), async (ctx) => {
    const { action, ...query } = parseInput(auditQuerySchema, ctx.query);
    const wanted: readonly AuditAction[] | undefined = action ? [action as AuditAction] : undefined;
    const actions = principalOf(ctx.state).role === 'admin' ? wanted : (wanted ?? flowAuditActions).filter((a) => flowAuditActions.includes(a));
    const page = await audit.list({ ...query, ...(actions ? { actions } : {}) });
    ctx.body = { items: page.items, next: page.next ?? null };
  });

  router.get('/users', auth('admin'), async (ctx) => {
    ctx.body = { items: await users.list() };
  });

  router.post('/users', errorDetails, auth('admin'), async (ctx) => {
    const body = await readAdminBody(ctx, createUserBodySchema);
    if (body.name === ADMIN_TOKEN_PRINCIPAL) throw new ConflictError('USER_EXISTS', `"${ADMIN_TOKEN_PRINCIPAL}" is reserved for the ADMIN_TOKEN holder`);
    const token = `hf_${randomBytes(24).toString('base64url')}`;
    const actor = principalOf(ctx.state);
    const user = await users.create({ name: body.name, role: body.role, tokenHash: hashAdminToken(token), createdBy: actor.name });
    if (!user) throw new ConflictError('USER_EXISTS', `A user named "${body.name}" exists already (revoked users keep their name)`);
    await audit.record({ actor: actor.name, actorRole: actor.role, action: 'user.created', details: { name: user.name, role: user.role } });
    ctx.status = 201;
    // The only time the token is shown: it cannot be read back later.
    ctx.body = { ...user, token };
  });

  router.delete('/users/:name', auth('admin'), async (ctx) => {
    const name = ctx.params.name ?? '';
    if (!(await users.revoke(name))) throw new NotFoundError('USER_NOT_FOUND', `There is no active user "${name}"`);
    const actor = principalOf(ctx.state);
    await audit.record({ actor: actor.name, actorRole: actor.role, action: 'user.revoked', details: { name } });
    ctx.body = { name, revoked: true };
  });

  return router;
}
