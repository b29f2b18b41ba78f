import { z } from 'zod';
import { dimensions } from '../sessionFacts/dimensions.ts';
import { npsGroups, segments } from '../sessionFacts/types.ts';

/** A calendar day, `YYYY-MM-DD`, that exists. */
const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

const dimensionShape = Object.fromEntries(dimensions.map((d) => [d.key, z.string().trim().min(1).max(64).optional()])) as Record<string, z.ZodOptional<z.ZodString>>;

const filterFields = z.object({
  flowId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a flow id'),
  from: daySchema.optional().describe('First day (YYYY-MM-DD, survey time zone): answers given on or after it; session counts by the day the session started'),
  to: daySchema.optional().describe('Last day, inclusive'),
  version: z.coerce.number().int().min(1).optional().describe('Only sessions that ran on this flow version'),
  segment: z.enum(segments).optional().describe('Only completed sessions of this segment'),
  ...dimensionShape,
});
const fromNotAfterTo: [(q: { from?: string; to?: string }) => boolean, { message: string; path: string[] }] = [
  (q) => !q.from || !q.to || q.from <= q.to,
  { message: 'from must not be after to', path: ['from'] },
];

/**
 * The filter every analytics endpoint takes as query parameters: flow, version, date range of the
 * answer (session start for session counts), segment, and one parameter per dimension.
 */
export const filterSchema = filterFields.refine(...fromNotAfterTo);

export type AnalyticsFilter = { flowId: string; from?: string; to?: string; version?: number; segment?: (typeof segments)[number]; dims: Record<string, string> };

export const trendSchema = filterFields.extend({ interval: z.enum(['day', 'week']).default('day').describe('Point per day or per week (Monday to Sunday)') }).refine(...fromNotAfterTo);
export const verbatimsSchema = filterFields
  .extend({
    group: z.enum(npsGroups).optional(),
    topic: z.string().trim().min(1).max(40).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine(...fromNotAfterTo);

export const compareSchema = filterFields
  .extend({
    baseFrom: daySchema.describe('First day of the base range to compare with (e.g. the previous period of the same length)'),
    baseTo: daySchema.describe('Last day of the base range, inclusive'),
  })
  .refine(...fromNotAfterTo)
  .refine((q) => q.baseFrom <= q.baseTo, { message: 'baseFrom must not be after baseTo', path: ['baseFrom'] });

/** The parsed query as an AnalyticsFilter (dimension parameters gathered under `dims`). */
export function toFilter(q: z.infer<typeof filterSchema>): AnalyticsFilter {
  const dims: Record<string, string> = {};
  for (const d of dimensions) {
    const value = (q as Record<string, unknown>)[d.key];
    if (typeof value === 'string') dims[d.key] = value;
  }
  return {
    flowId: q.flowId,
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.version ? { version: q.version } : {}),
    ...(q.segment ? { segment: q.segment } : {}),
    dims,
  };
}
