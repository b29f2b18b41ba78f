import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { AppError, ValidationError } from '../core/errors.ts';

/** The JSON body cap: flows (the largest bodies) stop at 200,000 characters. */
export const JSON_BODY_LIMIT = '256kb';

/**
 * Reads a request body as text with a byte limit: 413 BODY_TOO_LARGE (the message names the
 * limit, plus `tooLargeHint`), 400 BODY_UNREADABLE for a broken or aborted upload.
 *
 * @example
 * const raw = await readRawBody(req, { limit: '64kb', tooLarge: 'An event is at most 64 KB' });
 */
export async function readRawBody(req: IncomingMessage, options: { limit: string | number; tooLarge?: string }): Promise<string> {
  try {
    return await getRawBody(req, { limit: options.limit, encoding: 'utf8', length: req.headers['content-length'] || undefined });
  } catch (error) {
    const e = error as { status?: number; message: string };
    if (e.status === 413) throw new AppError('BODY_TOO_LARGE', options.tooLarge ?? `The request body is larger than ${sizeText(options.limit)}`, { status: 413 });
    throw new AppError('BODY_UNREADABLE', e.message, { status: e.status ?? 400 });
  }
}

/**
 * Reads a JSON request body (256 KB cap unless `limit`), parses it and validates it with
 * `schema`. Oversized bodies get 413 BODY_TOO_LARGE, bad JSON 400 BODY_NOT_JSON, schema failures
 * 400 BODY_INVALID listing each problem's path. An empty body reads as `{}`.
 *
 * @example
 * const input = await readJsonBody(req, draftSchema, { tooLargeHint: 'a flow must stay under 200,000 characters' });
 */
export async function readJsonBody<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
  options: { limit?: string | number; tooLargeHint?: string } = {},
): Promise<z.infer<S>> {
  const limit = options.limit ?? JSON_BODY_LIMIT;
  const tooLarge = `The request body is larger than ${sizeText(limit)}${options.tooLargeHint ? `; ${options.tooLargeHint}` : ''}`;
  const text = await readRawBody(req, { limit, tooLarge });
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ValidationError('BODY_NOT_JSON', 'Request body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError('BODY_INVALID', `Request body is invalid: ${problems.map((p) => `${p.path || '(body)'} ${p.message}`).join('; ')}`, { problems });
  }
  return parsed.data;
}

/** '256kb' → '256 KB', for messages people read. */
function sizeText(limit: string | number): string {
  if (typeof limit === 'number') return `${limit} bytes`;
  return limit.replace(/^(\d+)\s*(kb|mb)$/i, (_m, n: string, unit: string) => `${n} ${unit.toUpperCase()}`);
}

/**
 * A refusal can come before the whole body arrived (a line too long, a body too large): the rest
 * is read and thrown away, up to `limit` more bytes, so the client gets the answer instead of a
 * reset connection; past that the connection is cut.
 */
export function discardRest(request: IncomingMessage, limit: number): void {
  if (request.readableEnded || request.destroyed) return;
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) request.destroy();
  });
  request.resume();
}
