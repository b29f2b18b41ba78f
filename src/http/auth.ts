import { createHash, timingSafeEqual } from 'node:crypto';
import { roleAllows, type AdminRole, type AdminUserRepository, type Principal } from '../core/admin.ts';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { bearerToken } from './bearer.ts';

/** sha256 of an API token, as stored: tokens are random, so a fast hash is enough. */
export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The name the `ADMIN_TOKEN` holder acts under (reserved: no user may take it). */
export const ADMIN_TOKEN_PRINCIPAL = 'admin';

/** Who is signed in to the console: an advisor, or an admin acting as one. */
export interface ConsoleUser {
  id: string;
  name: string;
  wecomUserId?: string;
  admin: boolean;
}

// The ADMIN_TOKEN holder acts in the console as id "admin", named 管理员.
const ADMIN_CONSOLE_USER: ConsoleUser = { id: ADMIN_TOKEN_PRINCIPAL, name: '管理员', admin: true };

/** Advisor sign-in tokens, owned by escalation/ (their format and where they are stored). */
export interface AdvisorTokens {
  /** Whether the token has the advisor format (then no other kind of token is tried). */
  owns(token: string): boolean;
  /** The advisor whose current token this is, or null. */
  signIn(token: string): Promise<ConsoleUser | null>;
}

export interface AuthDeps {
  adminToken: () => string | undefined;
  users: Pick<AdminUserRepository, 'findByTokenHash' | 'hasAny'>;
  /** Without it, only ADMIN_TOKEN and admin users reach `console` routes. */
  advisors?: AdvisorTokens;
}

/**
 * The one place callers are identified, from `Authorization: Bearer <token>`:
 * - `principal(header)`: admin-API users. ADMIN_TOKEN acts as the `admin` user (role admin); any
 *   other token must belong to an active user. Null when the token is unknown.
 * - `admin(header, role)`: the principal, or 401 without a valid token and 403 below `role`.
 * - `console(header)`: an advisor token, ADMIN_TOKEN (as 管理员) or an admin user's token; a viewer's
 *   or editor's token answers 403 CONSOLE_FORBIDDEN (customers' chats are not theirs).
 *
 * @example
 * const auth = createAuth({ adminToken: () => config.adminToken, users, advisors });
 * const caller = await auth.admin(ctx.get('authorization'), 'editor');
 */
export function createAuth(deps: AuthDeps) {
  // Users are never deleted, so once one exists the answer stays yes (no lookup per refused token).
  let accountExists = false;
  /** A refused sign-in: AUTH_NOT_CONFIGURED while no account exists at all (nothing could be right), else `message`. */
  async function refused(message?: string): Promise<UnauthorizedError> {
    if (!deps.adminToken() && !accountExists) accountExists = await deps.users.hasAny();
    if (!deps.adminToken() && !accountExists) {
      return new UnauthorizedError('还没有任何账号：未设置 ADMIN_TOKEN，也没有创建过用户。首次启动时服务日志里有一条登录链接；也可运行 npm run admin -- sign-in-link 生成新的', 'AUTH_NOT_CONFIGURED');
    }
    return new UnauthorizedError(message);
  }

  async function principal(header: string): Promise<Principal | null> {
    const token = bearerToken(header);
    if (!token) return null;
    const hash = hashAdminToken(token);
    const adminToken = deps.adminToken();
    if (adminToken && timingSafeEqual(Buffer.from(hashAdminToken(adminToken), 'hex'), Buffer.from(hash, 'hex'))) {
      return { name: ADMIN_TOKEN_PRINCIPAL, role: 'admin' };
    }
    const user = await deps.users.findByTokenHash(hash);
    return user ? { name: user.name, role: user.role } : null;
  }

  async function admin(header: string, needed: AdminRole): Promise<Principal> {
    const caller = await principal(header);
    if (!caller) throw await refused();
    if (!roleAllows(caller.role, needed)) {
      throw new ForbiddenError(`This needs the ${needed} role; ${caller.name} is ${caller.role}`, { needed, role: caller.role });
    }
    return caller;
  }

  async function console(header: string): Promise<ConsoleUser> {
    const token = bearerToken(header);
    if (!token) throw await refused('请使用顾问令牌登录');
    if (deps.advisors?.owns(token)) {
      const advisor = await deps.advisors.signIn(token);
      if (advisor) return advisor;
    } else {
      const caller = await principal(header);
      if (caller?.name === ADMIN_TOKEN_PRINCIPAL) return ADMIN_CONSOLE_USER;
      if (caller?.role === 'admin') return { id: caller.name, name: caller.name, admin: true };
      if (caller) throw new ForbiddenError(`控制台只对顾问和管理员开放；${caller.name} 的角色是 ${caller.role}`, { role: caller.role }, 'CONSOLE_FORBIDDEN');
    }
    throw await refused('令牌无效或已被更换');
  }

  return { principal, admin, console };
}

export type Auth = ReturnType<typeof createAuth>;
