import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { readJsonBody } from '../../http/readJsonBody.ts';
import { FLOW_BODY_LIMIT } from './adminApiSchemas.ts';

/**
 * `readJsonBody` with the admin API's 256 KB cap and a 413 message that says what to do (a
 * megabyte of question text is refused here, before anything parses it).
 */
export async function readAdminBody<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.infer<S>> {
  try {
    return await readJsonBody(ctx, schema, { limit: FLOW_BODY_LIMIT });
  } catch (error) {
    if (error instanceof AppError && error.code === 'BODY_TOO_LARGE') {
      throw new AppError('BODY_TOO_LARGE', 'The request is larger than 256 KB; a flow (YAML and all its texts) must stay under 200,000 characters and each text under 1,000', { status: 413 });
    }
    throw error;
  }
}

/** Parses route params or a query with `schema`, as a 400 naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, code = 'QUERY_INVALID'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError(code, problems.map((p) => `${p.path || '(value)'}: ${p.message}`).join('; '), { status: 400 });
  }
  return parsed.data;
}
