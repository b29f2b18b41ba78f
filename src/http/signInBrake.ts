import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Middleware } from 'koa';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { bearerToken } from './bearer.ts';
import type { SignInFailures, SignInSubject } from '../core/ports.ts';

export interface SignInBrakeSettings {
  /** Failed sign-ins from one client address within a window before it is braked (AUTH_FAILURE_LIMIT). */
  perAddress: number;
  /**
   * Failures under one token prefix (an advisor's `hfa.<id>`, else the first 8 characters) from
   * any address: catches guessing spread over many addresses; higher, because anyone may send
   * a prefix and so lock its owner out for a window.
   */
  perTokenPrefix: number;
  /** Window length (AUTH_FAILURE_WINDOW_SECONDS × 1000); it starts at a subject's first failure. */
  windowMs: number;
}

/**
 * Brakes token guessing on every route that takes a bearer token (admin API, analytics, console,
 * advisors, follow-up tasks), whichever of them checks the token: a request carrying an
 * Authorization header whose answer is 401 counts as a failed sign-in, per client address and per
 * token prefix, in Redis so all processes share the count. Once a subject reaches its limit,
 * requests with credentials from it get 429 `AUTH_RATE_LIMITED` with `Retry-After` until the
 * window ends, without their token being looked at. Every failure is logged (warn) with the
 * client address, never the token. A right token costs one Redis round trip (no write). If
 * Redis cannot answer, sign-in goes on unbraked (logged): the stores' outage is not the
 * tokens' business, and the routes behind need Redis anyway.
 *
 * Requests without credentials are not counted: there is nothing to guess, and a page polling
 * after its token was replaced signs itself out on the first 401.
 *
 * @example
 * app.use(signInBrake({ failures, settings: { perAddress: 10, perTokenPrefix: 30, windowMs: 60_000 }, logger }));
 */
export function signInBrake(deps: { failures: SignInFailures; settings: SignInBrakeSettings; logger: Logger }): Middleware {
  const log = deps.logger.child({ module: 'sign-in' });
  const { perAddress, perTokenPrefix, windowMs } = deps.settings;

  return async (ctx, next) => {
    const credential = ctx.get('authorization').trim();
    if (!credential) return next();
    const address = clientAddress(ctx.ip);
    // A malformed header counts too, under what was sent.
    const token = bearerToken(credential) ?? credential;
    const subjects: SignInSubject[] = [
      { key: `ip:${address}`, limit: perAddress },
      { key: `token:${prefixHash(token)}`, limit: perTokenPrefix },
    ];

    const waitMs = await deps.failures.blockedForMs(subjects).catch((error: unknown) => {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'sign-in brake unavailable; checking the token without it');
      return 0;
    });
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      ctx.set('Retry-After', String(seconds));
      throw new AppError('AUTH_RATE_LIMITED', `登录失败次数过多，请 ${seconds} 秒后再试。Too many failed sign-ins; try again in ${seconds} s.`, {
        status: 429,
        context: { address },
      });
    }

    let failed = false;
    try {
      await next();
      failed = ctx.status === 401;
    } catch (error) {
      failed = error instanceof AppError ? error.status === 401 : (error as { status?: unknown }).status === 401;
      throw error;
    } finally {
      if (failed) await countFailure(subjects, { address, path: ctx.path, method: ctx.method, kind: tokenKind(token) });
    }
  };

  async function countFailure(subjects: SignInSubject[], where: { address: string; path: string; method: string; kind: string }): Promise<void> {
    try {
      const [fromAddress = 0, withPrefix = 0] = await deps.failures.record(
        subjects.map((s) => s.key),
        windowMs,
      );
      log.warn({ ...where, failures: fromAddress, prefixFailures: withPrefix }, 'sign-in failed');
      if (fromAddress === perAddress || withPrefix === perTokenPrefix) {
        log.warn({ ...where, windowMs, braked: fromAddress >= perAddress ? 'address' : 'token prefix' }, 'sign-ins braked: 429 until the window ends');
      }
    } catch (error) {
      log.warn({ ...where, err: error instanceof Error ? error.message : String(error) }, 'sign-in failed (not counted: Redis did not answer)');
    }
  }
}

/**
 * The address failures are counted under: IPv4 as is (also when it arrives IPv4-mapped), IPv6 by
 * its /64, since one host usually holds a whole /64 and could otherwise rotate addresses.
 */
export function clientAddress(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip || 'unknown';
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}

/** Advisor tokens name their advisor (`hfa.<id>.<secret>`): the prefix is that name; otherwise 8 characters. */
function tokenPrefix(token: string): string {
  const advisor = /^hfa\.[a-z0-9_-]{1,32}\./.exec(token);
  return advisor ? advisor[0] : token.slice(0, 8);
}

/** Hashed, so not even a prefix of a mistyped real token lands in Redis. */
function prefixHash(token: string): string {
  return createHash('sha256').update(tokenPrefix(token)).digest('hex').slice(0, 24);
}

/** What kind of token failed, for the log (never the token). */
function tokenKind(token: string): string {
  if (token.startsWith('hfa.')) return 'advisor';
  if (token.startsWith('hf_')) return 'api-user';
  return 'other';
}
