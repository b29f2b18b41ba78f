import { Readable } from 'node:stream';
import type { Logger } from '../core/logger.ts';
import { defineRoute, reply, type Route } from '../http/route.ts';
import { analyticsCompareSchema, analyticsDriversSchema, analyticsFlowsSchema, analyticsSummarySchema, analyticsTrendSchema, analyticsVerbatimsSchema, filterValuesSchema } from './analyticsApiSchemas.ts';
import type { AnalyticsService } from './analyticsService.ts';
import { compareSchema, filterSchema, toFilter, trendSchema, verbatimsSchema } from './query.ts';

// Numbers change with every answer: never serve them from a cache.
const noStore = (body: unknown) => reply({ headers: { 'Cache-Control': 'no-store' }, body });
const tags = ['analytics'];

/**
 * The analytics API, for admin users with the viewer role and up:
 * `GET /api/analytics/summary|trend|verbatims|filters|flows`, and `export.csv` for admins only
 * (it holds every answer's text and the customer ids). Verbatims come masked (the service masks
 * them). Every query parameter is validated (400 QUERY_INVALID names each bad one).
 */
export function analyticsRoutes(deps: { service: AnalyticsService; logger: Logger }): Route[] {
  const log = deps.logger.child({ module: 'analytics-api' });
  const { service } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/analytics/flows',
      auth: 'viewer',
      tags,
      summary: 'Flows to choose from, and today in the survey time zone',
      output: analyticsFlowsSchema,
      handler: async () => noStore({ items: await service.flows(), today: service.today() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/filters',
      auth: 'viewer',
      tags,
      summary: 'Values each filter takes for a flow (versions, dimension values)',
      input: { query: filterSchema },
      output: filterValuesSchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: async ({ query }) => noStore(await service.filterValues(query.flowId)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/summary',
      auth: 'viewer',
      tags,
      summary: 'NPS with margin of error, CSAT per touchpoint, repurchase, reasons and topics, funnel, escalations, segments',
      input: { query: filterSchema },
      output: analyticsSummarySchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: async ({ query }) => noStore(await service.summary(toFilter(query))),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/drivers',
      auth: 'viewer',
      tags,
      summary: 'Key drivers of NPS: per topic and CSAT touchpoint, NPS with vs without, the difference with its 95% interval, detractors and the potential gain',
      input: { query: filterSchema },
      output: analyticsDriversSchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: async ({ query }) => noStore(await service.drivers(toFilter(query))),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/compare',
      auth: 'viewer',
      tags,
      summary: 'Is the change real: NPS of the range against a base range, the difference with its 95% interval and whether it is significant',
      input: { query: compareSchema },
      output: analyticsCompareSchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: async ({ query }) => noStore(await service.compare(toFilter(query), { from: query.baseFrom, to: query.baseTo })),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/trend',
      auth: 'viewer',
      tags,
      summary: 'NPS per day or week with its margin of error (default: the last 30 days or 12 weeks)',
      input: { query: trendSchema },
      output: analyticsTrendSchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: async ({ query }) => noStore(await service.trend(toFilter(query), query.interval)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/verbatims',
      auth: 'viewer',
      tags,
      summary:
        'Reasons customers gave, newest first (the 50 most recent per month, group and topic are kept), each linking to its session; phone, ID and card numbers and emails masked',
      input: { query: verbatimsSchema },
      output: analyticsVerbatimsSchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: async ({ query: q }) => noStore(await service.verbatims({ ...toFilter(q), ...(q.group ? { group: q.group } : {}), ...(q.topic ? { topic: q.topic } : {}), limit: q.limit })),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/export.csv',
      auth: 'admin',
      tags,
      summary:
        'One row per session started in the range (ids, customer, flow and version, times, status, segment, dimensions, every answer raw and as read; then the purchase window, a column per catalogue item of the flow holding 1 when any answer named it, 都可以, and one per purchase factor), UTF-8 with BOM, streamed',
      input: { query: filterSchema },
      output: { description: 'CSV', type: 'text/csv' },
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: async ({ query }) => {
        const filter = toFilter(query);
        const rows = await service.exportCsv(filter);
        const name = [filter.flowId, filter.from, filter.to].filter(Boolean).join('_');
        // Streamed row by row: 100k sessions never sit in memory.
        const stream = Readable.from(rows);
        stream.on('error', (error) => log.error({ err: error, flowId: filter.flowId }, 'export stopped half-way'));
        return reply({
          headers: {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': `attachment; filename="${name}.csv"`,
            'X-Content-Type-Options': 'nosniff',
            'Cache-Control': 'no-store',
          },
          body: stream,
        });
      },
    }),
  ];
}
