import { dimensions } from '../sessionFacts/dimensions.ts';
import { purchaseFactorSchema, timingBucketSchema } from '../core/analysis.ts';
import { npsGroups, segments } from '../sessionFacts/types.ts';

type Json = Record<string, unknown>;

const q = (name: string, schema: Json, description: string, required = false): Json => ({ name, in: 'query', required, description, schema });
const errors: Json = {
  400: { description: 'QUERY_INVALID: a query parameter is missing or malformed (the message names it)' },
  401: { description: 'No valid bearer token' },
  404: { description: 'FLOW_NOT_FOUND' },
};
const ok = (description: string, schema: Json, type = 'application/json'): Json => ({ 200: { description, content: { [type]: { schema } } }, ...errors });
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const num = { type: ['number', 'null'] };
const int = { type: 'integer' };
const counts = (keys: readonly string[], description: string): Json => ({ type: 'object', description, properties: Object.fromEntries(keys.map((k) => [k, int])) });
const bySegment = counts([...segments, 'none'], 'sessions by segment (none: not completed)');

/** The filter parameters every analytics endpoint takes (one per dimension, so new ones appear here too). */
const filterParameters: Json[] = [
  q('flowId', { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }, 'The flow', true),
  q('from', { type: 'string', format: 'date' }, 'First day (YYYY-MM-DD, survey time zone): answers given on or after it; session counts (funnel, outcomes, segments) by the day the session started'),
  q('to', { type: 'string', format: 'date' }, 'Last day, inclusive'),
  q('version', { type: 'integer', minimum: 1 }, 'Only sessions that ran on this flow version'),
  q('segment', { enum: [...segments] }, 'Only completed sessions of this segment'),
  ...dimensions.map((d) => q(d.key, { type: 'string', maxLength: 64 }, `Only sessions whose ${d.key} (${d.label}) is this`)),
];

/** Analytics paths and schemas for /api/openapi.json. */
export function analyticsOpenApi(): { paths: Json; schemas: Json } {
  const role = { 'x-required-role': 'viewer' };
  return {
    paths: {
      '/api/analytics/summary': { get: { summary: 'NPS with margin of error, CSAT per touchpoint, repurchase, reasons and topics, funnel, escalations, segments', ...role, parameters: filterParameters, responses: ok('Summary', ref('AnalyticsSummary')) } },
      '/api/analytics/trend': {
        get: {
          summary: 'NPS per day or week with its margin of error (default: the last 30 days or 12 weeks)',
          ...role,
          parameters: [...filterParameters, q('interval', { enum: ['day', 'week'], default: 'day' }, 'Point per day or per week (Monday to Sunday)')],
          responses: ok('Trend', ref('AnalyticsTrend')),
        },
      },
      '/api/analytics/verbatims': {
        get: {
          summary: 'Reasons customers gave, newest first (the 50 most recent per month, group and topic are kept), each linking to its session; phone, ID and card numbers and emails masked',
          ...role,
          parameters: [...filterParameters, q('group', { enum: [...npsGroups] }, 'NPS group'), q('topic', { type: 'string', maxLength: 40 }, 'Topic'), q('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, 'How many')],
          responses: ok('Quotes', ref('AnalyticsVerbatims')),
        },
      },
      '/api/analytics/export.csv': {
        get: {
          summary:
            "One row per session started in the range (ids, customer, flow and version, times, status, segment, dimensions, every answer raw and as read; then the purchase window, a column per catalogue item of the flow holding 1 when any answer named it, 都可以, and one per purchase factor), UTF-8 with BOM, streamed. Admin role only (403 below it)",
          'x-required-role': 'admin',
          parameters: filterParameters,
          responses: ok('CSV', { type: 'string' }, 'text/csv'),
        },
      },
      '/api/analytics/filters': { get: { summary: 'Values each filter takes for a flow (versions, dimension values)', ...role, parameters: [filterParameters[0]], responses: ok('Values', { type: 'object' }) } },
      '/api/analytics/flows': { get: { summary: 'Flows to choose from', ...role, responses: ok('Flows, and today in the survey time zone (YYYY-MM-DD)', { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { flowId: { type: 'string' }, title: { type: 'string' } } } }, today: { type: 'string' } } }) } },
    },
    schemas: {
      AnalyticsSummary: {
        type: 'object',
        properties: {
          flowId: { type: 'string' },
          title: { type: ['string', 'null'] },
          generatedAt: { type: 'string', format: 'date-time' },
          minResponses: { type: 'integer', description: 'Below this many NPS responses show "not enough responses" (ANALYTICS_MIN_RESPONSES)' },
          nps: {
            type: 'object',
            description: 'score and marginOfError in NPS points (−100..100); marginOfError = 1.96·√(var/n)·100, var = p + d − (p − d)²',
            properties: {
              stepId: { type: ['string', 'null'] },
              responses: { type: 'integer' },
              promoters: { type: 'integer' },
              passives: { type: 'integer' },
              detractors: { type: 'integer' },
              promoterPct: num,
              passivePct: num,
              detractorPct: num,
              score: num,
              marginOfError: num,
              enough: { type: 'boolean' },
            },
          },
          csat: { type: 'array', items: { type: 'object', properties: { stepId: { type: 'string' }, label: { type: 'string' }, n: { type: 'integer' }, mean: num, top2Box: { ...num, description: 'percent of 4 and 5' }, distribution: { type: 'object' } } } },
          repurchase: {
            type: 'object',
            properties: {
              stepId: { type: ['string', 'null'] },
              n: { type: 'integer' },
              distribution: { type: 'object', description: 'intent 0–5 → answers' },
              mean: num,
              likelyShare: { ...num, description: 'percent with intent ≥ 4' },
              timing: counts(timingBucketSchema.options, 'timing bucket → answers that give it'),
              products: {
                type: 'array',
                description:
                  "Catalogue items customers are interested in, most sessions first: sessions that named the item in any answer (reason, timing, products question…), once per session, counted on the day of the first answer naming it; by the session's purchase window (the timing whose window starts first; none without one) and by segment",
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string', description: 'catalogue id' },
                    name: { type: 'string', description: "name in the flow's catalogue (newest version listing it), else the id" },
                    n: int,
                    timing: counts([...timingBucketSchema.options, 'none'], 'sessions by purchase window bucket'),
                    segments: bySegment,
                  },
                },
              },
              openInterest: { type: 'object', description: 'sessions open to anything ("都行 / 都想试试"), once per session', properties: { n: int, segments: bySegment } },
              factors: {
                type: 'array',
                description: 'what would decide the next purchase: sessions naming each factor (once per session, on the day first named), every factor listed, most named first',
                items: { type: 'object', properties: { id: { enum: [...purchaseFactorSchema.options] }, n: int, segments: bySegment } },
              },
            },
          },
          choices: { type: 'array' },
          reasons: { type: 'object', description: 'per NPS group (and none): n, sentiment {positive, neutral, negative}, topics [{topic, n}]' },
          funnel: { type: 'array', items: { type: 'object', properties: { stepId: { type: 'string' }, label: { type: 'string' }, reached: { type: 'integer' }, answered: { type: 'integer' }, skipped: { type: 'integer' }, stopped: { type: 'object', description: 'sessions not completed whose last question was this, by outcome' } } } },
          sessions: { type: 'object', properties: { started: { type: 'integer' }, outcomes: { type: 'object' }, completionRate: num, medianSecondsToComplete: num } },
          escalations: { type: 'object', properties: { count: { type: 'integer' }, byTrigger: { type: 'object' }, medianFirstReplySeconds: num, replied: { type: 'integer' }, resolved: { type: 'integer' }, resolvedShare: num } },
          segments: { type: 'object', properties: Object.fromEntries(segments.map((s) => [s, { type: 'integer' }])) },
          followUp: {
            type: 'object',
            description: 'Detractor sessions, and those an advisor reached through a follow-up task (called back, resolved, refund) within 48 h of the score',
            properties: { detractors: { type: 'integer' }, contactedWithin48h: { type: 'integer' }, share: num },
          },
        },
      },
      AnalyticsTrend: {
        type: 'object',
        properties: {
          interval: { enum: ['day', 'week'] },
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          points: { type: 'array', items: { type: 'object', properties: { period: { type: 'string' }, responses: { type: 'integer' }, score: num, marginOfError: num, low: num, high: num, started: { type: 'integer' }, completed: { type: 'integer' } } } },
        },
      },
      AnalyticsVerbatims: {
        type: 'object',
        properties: { items: { type: 'array', items: { type: 'object', properties: { sessionId: { type: 'string' }, stepId: { type: 'string' }, at: { type: 'string', format: 'date-time' }, text: { type: 'string' }, topics: { type: 'array', items: { type: 'string' } }, sentiment: { type: ['string', 'null'] }, group: { type: 'string' } } } } },
      },
    },
  };
}
