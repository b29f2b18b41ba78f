/** Longest token accepted; anything longer is not ours and is refused without hashing it. */
const MAX_TOKEN_LENGTH = 512;
const BEARER = new RegExp(`^Bearer\\s+(\\S{1,${MAX_TOKEN_LENGTH}})$`, 'i');

/**
 * The token of an `Authorization: Bearer <token>` header, or null when the header is missing or
 * malformed. The only bearer parser: admin users, ADMIN_TOKEN and advisors all come through it.
 *
 * @example
 * bearerToken('Bearer hf_abc') // 'hf_abc'
 */
export function bearerToken(header: string | undefined): string | null {
  return BEARER.exec(header ?? '')?.[1] ?? null;
}
