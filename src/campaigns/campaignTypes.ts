import { z } from 'zod';
import { campaignStatuses } from '../core/campaigns.ts';
import { DEFAULT_QUIET_HOURS } from './quietHours.ts';

/**
 * Campaigns, their audience rows and invitations: the shapes and the zod schemas that guard every
 * way in (the admin API's JSON, CSV rows, merchant events).
 */

export { campaignStatuses, skipReasons } from '../core/campaigns.ts';
export type { AudienceRow, Campaign, CampaignStatus, Invitation, SkipReason } from '../core/campaigns.ts';

const flowIdSchema = z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a flow id: lowercase letters, digits and -');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const quietHoursSchema = z.object({ start: hhmm, end: hhmm }).strict();
const eventType = z.string().trim().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'dotted lowercase, e.g. order.completed');

export const DEFAULT_MASS_TEXT = '{{name|您}}好！关于{{visit|您近期的服务}}，想请您花两分钟聊聊感受，点开下方链接即可开始。';
export const DEFAULT_MASS_REMINDER = '{{name|您}}好，前两天邀请您做的服务回访还没完成，方便的时候点开链接聊两句就好～';

/** The fields a mass-send text may name: what `describeVisit` knows about an invitation. */
export const MASS_TEXT_FIELDS = ['name', 'store', 'touchpoint', 'orderId', 'products', 'visitDate', 'visit'] as const;

/** A mass-send text: its `{{field}}`s must be invitation fields (`{{constructor}}` is refused, 400). */
const massTextSchema = z
  .string()
  .trim()
  .min(1)
  .max(600)
  .superRefine((text, ctx) => {
    for (const match of text.matchAll(/\{\{\s*([^{}|]*?)\s*(?:\|[^{}]*)?\}\}/g)) {
      const field = match[1] ?? '';
      if (!(MASS_TEXT_FIELDS as readonly string[]).includes(field)) {
        ctx.addIssue({ code: 'custom', message: `unknown field {{${field.slice(0, 40)}}}; a mass-send text may use ${MASS_TEXT_FIELDS.map((f) => `{{${f}}}`).join(', ')}` });
      }
    }
  });

const campaignFields = {
  name: z.string().trim().min(1).max(100),
  flowId: flowIdSchema,
  status: z.enum(campaignStatuses),
  openKfId: z.string().trim().regex(/^[0-9a-zA-Z_-]{1,64}$/, 'an open_kfid'),
  audience: z
    .object({
      source: z.enum(['upload', 'events', 'both']).default('both'),
      /** Empty: every event type. */
      eventTypes: z.array(eventType).max(20).default([]),
    })
    .strict(),
  delayMinutes: z.number().int().min(0).max(60 * 24 * 60),
  samplingRate: z.number().min(0).max(1),
  dailyCap: z.number().int().min(1).max(10_000_000).nullable(),
  quietHours: quietHoursSchema.nullable(),
  expiresAfterHours: z.number().int().min(1).max(24 * 90),
  // WeCom delivers one mass message per customer per day: a reminder comes a day later at the earliest.
  reminder: z.object({ afterHours: z.number().int().min(24).max(24 * 30) }).strict().nullable(),
  massSend: z
    .object({
      enabled: z.boolean().default(false),
      text: massTextSchema.default(DEFAULT_MASS_TEXT),
      reminderText: massTextSchema.default(DEFAULT_MASS_REMINDER),
    })
    .strict(),
};

/** `POST /api/campaigns`: only name and flowId are required; everything else has a default. */
export const campaignCreateSchema = z
  .object({
    name: campaignFields.name,
    flowId: campaignFields.flowId,
    status: campaignFields.status.default('draft'),
    openKfId: campaignFields.openKfId.optional(),
    audience: campaignFields.audience.default({ source: 'both', eventTypes: [] }),
    delayMinutes: campaignFields.delayMinutes.default(120),
    samplingRate: campaignFields.samplingRate.default(1),
    dailyCap: campaignFields.dailyCap.default(null),
    quietHours: campaignFields.quietHours.default(DEFAULT_QUIET_HOURS),
    expiresAfterHours: campaignFields.expiresAfterHours.default(24 * 7),
    reminder: campaignFields.reminder.default({ afterHours: 48 }),
    massSend: campaignFields.massSend.default({ enabled: false, text: DEFAULT_MASS_TEXT, reminderText: DEFAULT_MASS_REMINDER }),
  })
  .strict();
export type CampaignCreate = z.infer<typeof campaignCreateSchema>;

/** `PATCH /api/campaigns/:id`: any subset of the fields. */
export const campaignPatchSchema = z
  .object({
    name: campaignFields.name,
    flowId: campaignFields.flowId,
    status: campaignFields.status,
    openKfId: campaignFields.openKfId,
    audience: campaignFields.audience,
    delayMinutes: campaignFields.delayMinutes,
    samplingRate: campaignFields.samplingRate,
    dailyCap: campaignFields.dailyCap,
    quietHours: campaignFields.quietHours,
    expiresAfterHours: campaignFields.expiresAfterHours,
    reminder: campaignFields.reminder,
    massSend: campaignFields.massSend,
  })
  .partial()
  .strict();
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v === '' ? undefined : v));

/** Products as a list, or one cell separated by 、，,;| . */
const productsSchema = z
  .union([z.array(z.string().trim().min(1).max(64)).max(20), z.string().trim().max(1000)])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const list = Array.isArray(v) ? v : v.split(/[、，,;；|]/).map((p) => p.trim()).filter(Boolean);
    if (list.length > 20 || list.some((p) => p.length > 64)) {
      ctx.addIssue({ code: 'custom', message: 'at most 20 products of at most 64 characters' });
      return z.NEVER;
    }
    return list.length ? list : undefined;
  });

/** The fields of one audience row, before the visit time is read in the survey time zone. */
export const audienceRowSchema = z.object({
  customerRef: z.string().trim().min(1, 'required').max(64).regex(/^\S*$/, 'no spaces'),
  name: optionalText(32),
  phone: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v.replace(/[\s-]/g, '') : undefined))
    .refine((v) => v === undefined || /^\+?\d{6,20}$/.test(v), 'digits only (6–20), an optional leading +'),
  externalUserId: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || /^[0-9a-zA-Z_-]{1,64}$/.test(v), 'a WeCom external_userid'),
  advisorUserId: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || /^[0-9a-zA-Z_.@-]{1,64}$/.test(v), 'a WeCom userid'),
  store: optionalText(64),
  orderId: optionalText(64),
  products: productsSchema,
  touchpoint: optionalText(32),
  /** Read with parseVisitTime (local times are in SURVEY_TIMEZONE). */
  visitAt: optionalText(40),
});
export type AudienceRowInput = z.input<typeof audienceRowSchema>;

/** `POST /api/events` body (after its signature is checked). */
export const audienceEventSchema = z
  .object({
    type: eventType,
    /** The merchant's customer reference, or the customer with what is known about them. */
    customer: z.union([
      z.string().trim().min(1).max(64),
      z
        .object({
          ref: z.string().trim().min(1).max(64),
          name: z.string().max(32).optional(),
          phone: z.string().max(32).optional(),
          externalUserId: z.string().max(64).optional(),
          advisorUserId: z.string().max(64).optional(),
        })
        .strict(),
    ]),
    store: z.string().max(64).optional(),
    orderId: z.string().max(64).optional(),
    products: z.union([z.array(z.string().max(64)).max(20), z.string().max(1000)]).optional(),
    touchpoint: z.string().max(32).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
    /** Only this campaign; otherwise every active campaign that takes this event type. */
    campaignId: z.string().regex(/^[a-z0-9]{4,24}$/).optional(),
  })
  .strict();
export type AudienceEvent = z.infer<typeof audienceEventSchema>;
