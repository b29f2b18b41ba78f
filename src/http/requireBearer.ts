import { timingSafeEqual, createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../core/errors.ts';

/**
 * Koa middleware that lets a request through only with `Authorization: Bearer <token>` matching
 * one of `tokens()` (compared in constant time). No configured token means every request is refused.
 */
export function requireBearer(tokens: () => string[]): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !tokens().some((t) => sameSecret(t, match[1]!))) throw new UnauthorizedError();
    await next();
  };
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so lengths match and timing does not leak the length.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
