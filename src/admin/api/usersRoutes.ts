import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { flowAuditActions, type AdminUserRepository, type AuditAction, type AuditLog } from '../../core/admin.ts';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { itemsOf, pageOf } from '../../http/apiSchemas.ts';
import { ADMIN_TOKEN_PRINCIPAL, hashAdminToken } from '../../http/auth.ts';
import { defineRoute, reply, type Route } from '../../http/route.ts';
import { auditEntrySchema, auditQuerySchema, createUserBodySchema, principalSchema, userSchema } from './adminApiSchemas.ts';

const tags = ['users'];

/**
 * Who is calling (`GET /api/me`, any role), the audit log (`GET /api/audit?flowId=&action=`:
 * admins see every entry; viewers and editors only the flow history, because the rest names
 * customers' sessions, tasks and who read their transcripts), and admin users with per-user
 * tokens (`/api/users`, admin only). A new user's token is returned once, at creation; only its
 * sha256 is stored.
 */
export function usersRoutes(deps: { users: AdminUserRepository; audit: AuditLog }): Route[] {
  const { users, audit } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/me',
      auth: 'viewer',
      tags,
      summary: 'The caller and their role',
      output: principalSchema,
      handler: ({ principal }) => principal,
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit',
      auth: 'viewer',
      tags,
      summary: 'Audit log, newest first (viewers and editors: flow entries only; admins: everything, e.g. action=transcript.read)',
      input: { query: auditQuerySchema },
      output: pageOf(auditEntrySchema),
      handler: async ({ query: { action, ...query }, principal }) => {
        const wanted: readonly AuditAction[] | undefined = action ? [action as AuditAction] : undefined;
        const actions = principal.role === 'admin' ? wanted : (wanted ?? flowAuditActions).filter((a) => flowAuditActions.includes(a));
        const page = await audit.list({ ...query, ...(actions ? { actions } : {}) });
        return { items: page.items, next: page.next ?? null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users',
      auth: 'admin',
      tags,
      summary: 'Admin users',
      output: itemsOf(userSchema),
      handler: async () => ({ items: await users.list() }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/users',
      auth: 'admin',
      tags,
      summary: 'Create a user; the token is in this answer only',
      input: { body: createUserBodySchema },
      output: { status: 201, description: 'Created', schema: userSchema.extend({ token: z.string() }) },
      errors: { 409: 'USER_EXISTS' },
      handler: async ({ body, principal }) => {
        if (body.name === ADMIN_TOKEN_PRINCIPAL) throw new ConflictError('USER_EXISTS', `"${ADMIN_TOKEN_PRINCIPAL}" is reserved for the ADMIN_TOKEN holder`);
        const token = `hf_${randomBytes(24).toString('base64url')}`;
        const user = await users.create({ name: body.name, role: body.role, tokenHash: hashAdminToken(token), createdBy: principal.name });
        if (!user) throw new ConflictError('USER_EXISTS', `A user named "${body.name}" exists already (revoked users keep their name)`);
        await audit.record({ actor: principal.name, actorRole: principal.role, action: 'user.created', details: { name: user.name, role: user.role } });
        // The only time the token is shown: it cannot be read back later.
        return reply({ status: 201, body: { ...user, token } });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/users/:name',
      auth: 'admin',
      tags,
      summary: 'Revoke a user’s token',
      input: { params: z.object({ name: z.string() }) },
      output: z.object({ name: z.string(), revoked: z.literal(true) }),
      errors: { 404: 'USER_NOT_FOUND' },
      handler: async ({ params: { name }, principal }) => {
        if (!(await users.revoke(name))) throw new NotFoundError('USER_NOT_FOUND', `There is no active user "${name}"`);
        await audit.record({ actor: principal.name, actorRole: principal.role, action: 'user.revoked', details: { name } });
        return { name, revoked: true };
      },
    }),
  ];
}
