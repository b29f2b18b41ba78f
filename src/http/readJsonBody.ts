import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { AppError, ValidationError } from '../core/errors.ts';

/**
 * Reads a JSON request body with a byte limit, parses it and validates it with `schema`.
 * Oversized bodies get 413, bad JSON 400 `BODY_NOT_JSON`, schema failures 400 `BODY_INVALID`
 * listing each problem's path.
 *
 * @example
 * const input = await readJsonBody(ctx, draftSchema, { limit: '1mb' });
 */
export async function readJsonBody<S extends z.ZodType>(ctx: Context, schema: S, options: { limit?: string | number } = {}): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: options.limit ?? '256kb', encoding: 'utf8', length: ctx.get('content-length') || undefined });
  } catch (error) {
    const e = error as { status?: number; type?: string; message: string };
    if (e.status === 413) throw new AppError('BODY_TOO_LARGE', `Request body is larger than ${options.limit ?? '256kb'}`, { status: 413 });
    throw new AppError('BODY_UNREADABLE', e.message, { status: e.status ?? 400 });
  }
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
