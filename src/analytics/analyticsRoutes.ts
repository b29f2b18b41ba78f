import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { AnalyticsService } from './analyticsService.ts';
import { filterSchema, toFilter, trendSchema, verbatimsSchema } from './query.ts';

/** Who may take the customers' own words out in bulk. */
export interface AnalyticsPrivacy {
  /** Guards the CSV export: it holds every answer's text and the customer ids (admin role). */
  exportAuth: Middleware;
}

/**
 * The analytics API, for admin users with the viewer role and up (`auth`):
 * `GET /api/analytics/summary|trend|verbatims|filters|flows`, and `export.csv` for admins only
 * (`privacy.exportAuth`). Verbatims come masked (the service masks them). Every query parameter is
 * validated (400 QUERY_INVALID names each bad one); see /api/openapi.json for the shapes.
 */
export function createAnalyticsRoutes(deps: { service: AnalyticsService; auth: Middleware; privacy: AnalyticsPrivacy; logger: Logger }): Router {
  const router = new Router({ prefix: '/api/analytics' });
  const log = deps.logger.child({ module: 'analytics-api' });
  router.use(deps.auth);
  router.use(async (ctx, next) => {
    await next();
    // Numbers change with every answer: never serve them from a cache.
    ctx.set('Cache-Control', 'no-store');
  });

  router.get('/flows', async (ctx) => {
    ctx.body = { items: await deps.service.flows(), today: deps.service.today() };
  });

  router.get('/filters', async (ctx) => {
    ctx.body = await deps.service.filterValues(parse(ctx, filterSchema).flowId);
  });

  router.get('/summary', async (ctx) => {
    ctx.body = await deps.service.summary(toFilter(parse(ctx, filterSchema)));
  });

  router.get('/trend', async (ctx) => {
    const q = parse(ctx, trendSchema);
    ctx.body = await deps.service.trend(toFilter(q), q.interval);
  });

  router.get('/verbatims', async (ctx) => {
    const q = parse(ctx, verbatimsSchema);
    ctx.body = await deps.service.verbatims({ ...toFilter(q), ...(q.group ? { group: q.group } : {}), ...(q.topic ? { topic: q.topic } : {}), limit: q.limit });
  });

  router.get('/export.csv', deps.privacy.exportAuth, async (ctx) => {
    const filter = toFilter(parse(ctx, filterSchema));
    const rows = await deps.service.exportCsv(filter);
    const name = [filter.flowId, filter.from, filter.to].filter(Boolean).join('_');
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="${name}.csv"`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    // Streamed row by row: 100k sessions never sit in memory.
    const stream = Readable.from(rows);
    stream.on('error', (error) => log.error({ err: error, flowId: filter.flowId }, 'export stopped half-way'));
    ctx.body = stream;
  });

  return router;
}

function parse<T extends z.ZodType>(ctx: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) {
    throw new ValidationError('QUERY_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
