import { z } from 'zod';
import { purchaseFactorSchema, timingBucketSchema } from '../core/analysis.ts';
import { npsGroups, segments } from '../sessionFacts/types.ts';

/** Answers of the analytics API, as documented in /api/openapi.json. */

const num = z.number().nullable();
const int = z.number().int();
const counts = (keys: readonly string[], description: string) => z.object(Object.fromEntries(keys.map((k) => [k, int]))).describe(description);
const bySegment = counts([...segments, 'none'], 'sessions by segment (none: not completed)');
const record = (description: string) => z.record(z.string(), z.unknown()).describe(description);

const npsSchema = z
  .object({
    stepId: z.string().nullable(),
    responses: int,
    promoters: int,
    passives: int,
    detractors: int,
    promoterPct: num,
    passivePct: num,
    detractorPct: num,
    score: num,
    marginOfError: num,
    enough: z.boolean(),
  })
  .describe('score and marginOfError in NPS points (−100..100); marginOfError = 1.96·√(var/n)·100, var = p + d − (p − d)²');

const repurchaseSchema = z.object({
  stepId: z.string().nullable(),
  n: int,
  distribution: record('intent 0–5 → answers'),
  mean: num,
  likelyShare: num.describe('percent with intent ≥ 4'),
  timing: counts(timingBucketSchema.options, 'purchase window bucket → sessions (once per respondent, on the day of the answer that gave it)'),
  products: z
    .array(
      z.object({
        id: z.string().describe('catalogue id'),
        name: z.string().describe("name in the flow's catalogue (newest version listing it), else the id"),
        n: int,
        timing: counts([...timingBucketSchema.options, 'none'], 'sessions by purchase window bucket'),
        segments: bySegment,
      }),
    )
    .describe(
      "Catalogue items customers are interested in, most sessions first: sessions that named the item in any answer (reason, timing, products question…), once per session, counted on the day of the first answer naming it; by the session's purchase window and by segment",
    ),
  openInterest: z.object({ n: int, segments: bySegment }).describe('sessions open to anything ("都行 / 都想试试"), once per session'),
  factors: z
    .array(z.object({ id: purchaseFactorSchema, n: int, segments: bySegment }))
    .describe('what would decide the next purchase: sessions naming each factor (once per session, on the day first named), every factor listed, most named first'),
});

export const analyticsSummarySchema = z
  .object({
    flowId: z.string(),
    title: z.string().nullable(),
    generatedAt: z.iso.datetime(),
    minResponses: int.describe('Below this many NPS responses show "not enough responses" (ANALYTICS_MIN_RESPONSES)'),
    nps: npsSchema,
    csat: z.array(z.object({ stepId: z.string(), label: z.string(), n: int, mean: num, top2Box: num.describe('percent of 4 and 5'), distribution: record('score → answers') })),
    repurchase: repurchaseSchema,
    choices: z.array(record('a choice question and its answers')),
    reasons: record('answers to the NPS reason steps (not follow-ups of a CSAT or intent question) per NPS group (and none): n, sentiment {positive, neutral, negative}, topics [{topic, n}]'),
    funnel: z.array(
      z.object({ stepId: z.string(), label: z.string(), reached: int, answered: int, skipped: int, stopped: record('sessions not completed whose last question was this, by outcome') }),
    ),
    sessions: z.object({
      started: int,
      outcomes: record('sessions by where they stand now, one each: completed, opted_out, escalated (with an advisor now), expired, in_progress'),
      escalated: int.describe('sessions ever handed to a person, whatever happened next'),
      escalatedOutcomes: record('those sessions by outcome now: a handed-over session that completed counts in outcomes.completed and here'),
      completionRate: num,
      medianSecondsToComplete: num,
    }),
    escalations: z.object({ count: int, byTrigger: record('escalations by trigger'), medianFirstReplySeconds: num, replied: int, resolved: int, resolvedShare: num }),
    segments: counts(segments, 'completed sessions by segment'),
    followUp: z
      .object({ detractors: int, contactedWithin48h: int, share: num })
      .describe('Detractor sessions, and those an advisor reached through a follow-up task (called back, resolved, refund) within 48 h of the score'),
  })
  .meta({ id: 'AnalyticsSummary' });

export const analyticsTrendSchema = z
  .object({
    interval: z.enum(['day', 'week']),
    from: z.iso.date(),
    to: z.iso.date(),
    points: z.array(z.object({ period: z.string(), responses: int, score: num, marginOfError: num, low: num, high: num, started: int, completed: int })),
  })
  .meta({ id: 'AnalyticsTrend' });

export const analyticsVerbatimsSchema = z
  .object({
    items: z.array(
      z.object({
        sessionId: z.string(),
        stepId: z.string(),
        at: z.iso.datetime(),
        text: z.string(),
        topics: z.array(z.string()),
        sentiment: z.string().nullable(),
        group: z.enum([...npsGroups, 'none']).or(z.string()),
      }),
    ),
  })
  .meta({ id: 'AnalyticsVerbatims' });

export const analyticsFlowsSchema = z.object({
  items: z.array(z.object({ flowId: z.string(), title: z.string() })),
  today: z.string().describe('today in the survey time zone (YYYY-MM-DD)'),
});

export const filterValuesSchema = record('Values each filter takes for the flow (versions, dimension values)');

export const analyticsDriversSchema = z
  .object({
    flowId: z.string(),
    npsStepId: z.string().nullable(),
    responses: int.describe('NPS responses in the filter'),
    minResponses: int.describe('each side of a driver needs this many answers, else enough is false and its numbers are null'),
    drivers: z.array(
      z.object({
        kind: z.enum(['topic', 'csat']),
        id: z.string().describe('the topic, or the CSAT step id'),
        label: z.string().describe('the topic, or the touchpoint'),
        n: int.describe('respondents who name the topic in a reason / rate the touchpoint 1–3'),
        npsWith: num,
        npsWithout: num,
        impact: num.describe('npsWith − npsWithout, NPS points'),
        low: num.describe('95% interval of impact'),
        high: num,
        detractors: int.describe('detractors among them'),
        potentialGain: num.describe('NPS points gained if those detractors became passives: 100·detractors / responses'),
        enough: z.boolean(),
      }),
    ),
  })
  .describe('Ranked by potentialGain, then impact; drivers with too few answers last')
  .meta({ id: 'AnalyticsDrivers' });

const compareSide = z.object({ score: num, marginOfError: num, n: int, enough: z.boolean().describe('n ≥ minResponses') });
export const analyticsCompareSchema = z
  .object({
    flowId: z.string(),
    npsStepId: z.string().nullable(),
    current: compareSide,
    base: compareSide,
    difference: num.describe('current − base, NPS points'),
    low: num.describe('95% interval of the difference: ±1.96·100·√(var₁/n₁ + var₂/n₂), var = p + d − (p − d)²'),
    high: num,
    significant: z.boolean().describe('the interval leaves out 0'),
  })
  .meta({ id: 'AnalyticsCompare' });
