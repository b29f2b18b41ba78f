import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Advisor ids: short, lowercase, safe inside a token and a URL. */
export const ADVISOR_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{1,31}$/;

/**
 * A new console sign-in token for `advisorId`: `hfa.<id>.<secret>`. Naming the id lets sign-in
 * read one document by `_id` and compare hashes in constant time, instead of searching by hash.
 */
export function generateAdvisorToken(advisorId: string): string {
  return `hfa.${advisorId}.${randomBytes(24).toString('base64url')}`;
}

/** sha256 of a token, hex: what is stored. Tokens are random, so a fast hash is enough. */
export function hashAdvisorToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The advisor id a token names, or null when it is not an advisor token. */
export function advisorIdOf(token: string): string | null {
  const match = /^hfa\.([a-z0-9][a-z0-9_-]{1,31})\.[A-Za-z0-9_-]{20,64}$/.exec(token);
  return match?.[1] ?? null;
}

/** Constant-time comparison of a presented token with a stored hash. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashAdvisorToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
