import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { roleAllows, type AdminRole, type AdminUserRepository, type Principal } from '../../core/admin.ts';
import { AppError, ForbiddenError, UnauthorizedError } from '../../core/errors.ts';

/** sha256 of an API token, as stored: tokens are random, so a fast hash is enough. */
export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The name the `ADMIN_TOKEN` holder acts under (reserved: no user may take it). */
export const ADMIN_TOKEN_PRINCIPAL = 'admin';

/**
 * Bearer authentication for the admin API: `ADMIN_TOKEN` acts as the `admin` user, any other
 * token must belong to an active user. `auth('editor')` answers 401 without a valid token and
 * 403 when the caller's role is below `editor`; it leaves the caller in `ctx.state.principal`.
 *
 * @example
 * const auth = createAdminAuth({ adminToken: () => config.adminToken, users });
 * router.post('/:id/publish', auth('admin'), handler);
 */
export function createAdminAuth(deps: { adminToken: () => string | undefined; users: AdminUserRepository }) {
  async function identify(header: string): Promise<Principal | null> {
    const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
    if (!match) return null;
    const token = match[1]!;
    const hash = hashAdminToken(token);
    const adminToken = deps.adminToken();
    if (adminToken && timingSafeEqual(Buffer.from(hashAdminToken(adminToken), 'hex'), Buffer.from(hash, 'hex'))) {
      return { name: ADMIN_TOKEN_PRINCIPAL, role: 'admin' };
    }
    const user = await deps.users.findByTokenHash(hash);
    return user ? { name: user.name, role: user.role } : null;
  }

  function auth(needed: AdminRole): Middleware {
    return async (ctx, next) => {
      const principal = await identify(ctx.get('authorization'));
      if (!principal) throw new UnauthorizedError();
      if (!roleAllows(principal.role, needed)) {
        throw new ForbiddenError(`This needs the ${needed} role; ${principal.name} is ${principal.role}`, { needed, role: principal.role });
      }
      ctx.state.principal = principal;
      await next();
    };
  }
  // identify: the console signs admin users in as admins and tells viewers and editors it is not theirs.
  return Object.assign(auth, { identify });
}

export type AdminAuth = ReturnType<typeof createAdminAuth>;

/** The caller `auth()` let through. */
export function principalOf(state: Record<string, unknown>): Principal {
  return state.principal as Principal;
}

/**
 * Renders client errors that carry flow problems or conflict facts with those details, e.g.
 * `{error:{code:'FLOW_INVALID', message, problems:[…]}}`; everything else goes to the app's
 * error middleware unchanged.
 */
export const errorDetails: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    const { problems, more, conflict } = error.context as { problems?: unknown; more?: unknown; conflict?: unknown };
    if (problems === undefined && conflict === undefined) throw error;
    ctx.status = error.status;
    ctx.body = {
      error: {
        code: error.code,
        message: error.message,
        ...(problems === undefined ? {} : { problems }),
        // How many problems the (bounded) list leaves out.
        ...(typeof more === 'number' && more > 0 ? { more } : {}),
        ...(conflict === undefined ? {} : { conflict }),
      },
    };
  }
};
