import { z } from 'zod';
import { audienceRowSchema, campaignCreateSchema } from './campaignTypes.ts';

/** Answers of the campaigns API, as documented in /api/openapi.json. */

const dateTime = z.iso.datetime();

export const campaignSchema = campaignCreateSchema
  .extend({
    id: z.string(),
    scene: z.string().describe('WeCom scene of the campaign’s kf link'),
    contactWay: z.object({ url: z.string(), openKfId: z.string(), createdAt: dateTime }).nullable(),
    createdBy: z.string(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'Campaign' });

const invitationLinkSchema = z
  .object({
    line: z.number().int().optional(),
    row: z.number().int().optional(),
    customerRef: z.string(),
    invitationId: z.string(),
    sceneParam: z.string().max(128),
    url: z.string(),
    sendAt: dateTime,
    expiresAt: dateTime,
  })
  .meta({ id: 'InvitationLink' });

export const audienceResultSchema = z
  .object({
    campaignId: z.string(),
    received: z.number().int(),
    invited: z.number().int(),
    skippedCount: z.number().int(),
    skippedByReason: z.record(z.string(), z.number().int()),
    ignoredColumns: z.array(z.string()),
    rowsNumberedBy: z.enum(['line', 'row']),
    invitations: z.array(invitationLinkSchema).optional(),
    skipped: z
      .array(
        z.object({
          line: z.number().int().optional(),
          row: z.number().int().optional(),
          customerRef: z.string(),
          reason: z.enum(['duplicate', 'opted_out', 'fatigue', 'sampled_out', 'daily_cap']),
          invitationId: z.string().optional(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'AudienceResult' });

/** CSV or JSON rows; the CSV header names the columns in English or Chinese. */
export const audienceBodies = {
  'text/csv': z
    .string()
    .describe(
      'Header line, then one customer per line. Columns (English or Chinese): customerRef/客户编号 (required), name/姓名, phone/手机号, externalUserId/外部联系人ID, advisorUserId/顾问, store/门店, orderId/订单号, products/项目 (separated by 、 , ;), touchpoint/服务类型, visitAt/到店时间 (2026-11-28 14:30 in SURVEY_TIMEZONE, or ISO 8601)',
    ),
  'application/json': z.union([z.array(audienceRowSchema), z.object({ rows: z.array(audienceRowSchema) })]),
};

export const invitationSchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    customerRef: z.string(),
    sceneParam: z.string(),
    url: z.string(),
    status: z.enum(['invited', 'opened', 'started', 'completed', 'expired']),
    sendAt: dateTime,
    expiresAt: dateTime,
    openedAt: dateTime.optional(),
    completedAt: dateTime.optional(),
  })
  .loose()
  .meta({ id: 'Invitation' });

export const campaignStatsSchema = z
  .object({
    campaignId: z.string(),
    invited: z.number().int(),
    opened: z.number().int(),
    started: z.number().int().describe('Entered and answered at least one question'),
    completed: z.number().int(),
    responseRate: z.number().describe('completed ÷ invited'),
    openRate: z.number(),
    skipped: z.record(z.string(), z.number().int()),
    skippedTotal: z.number().int(),
    today: z.object({ day: z.string(), invited: z.number().int(), cap: z.number().int().nullable() }),
  })
  .meta({ id: 'CampaignStats' });

export const eventOutcomeSchema = z
  .object({
    eventId: z.string(),
    invitations: z.array(invitationLinkSchema.extend({ campaignId: z.string() })),
    skipped: z.array(z.object({ campaignId: z.string().nullable(), invitationId: z.string().optional(), reason: z.string() })),
  })
  .meta({ id: 'EventOutcome' });
