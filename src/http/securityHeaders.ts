import type { ServerResponse } from 'node:http';

/**
 * Headers on every response. The CSP suits JSON, errors and anything that is not a page (nothing
 * may load, nothing may frame it); pages (/admin, /console, /simulator) replace it with their own.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/**
 * Sets SECURITY_HEADERS on `res` before anything is written; a handler that sets its own value
 * later (a page's CSP, through ctx.set or writeHead) wins.
 *
 * @example
 * setSecurityHeaders(ctx.res);
 */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
