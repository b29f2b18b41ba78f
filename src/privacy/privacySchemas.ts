import { z } from 'zod';

const days = z.number().int().min(1).max(3650);
/** The policy an admin sets (same bounds as RETENTION_DAYS and ESCALATION_RETENTION_DAYS). */
export const retentionPolicySchema = z.strictObject({ days, escalationDays: days });

// ------------------------------------------------------------ answers (documented in /api/openapi.json)

export const retentionPolicyViewSchema = z
  .object({
    days: z.number().int(),
    escalationDays: z.number().int(),
    source: z.enum(['env', 'admin']).describe('env: RETENTION_DAYS / ESCALATION_RETENTION_DAYS; admin: set with PUT'),
    updatedBy: z.string().optional(),
    updatedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'RetentionPolicy' });

export const retentionSweepSchema = z
  .object({
    dryRun: z.boolean(),
    policy: retentionPolicyViewSchema,
    cutoff: z.iso.datetime(),
    escalationCutoff: z.iso.datetime(),
    due: z.number().int().describe('Closed sessions past their retention that still hold words or identity'),
    redacted: z.number().int(),
    complete: z.boolean(),
  })
  .meta({ id: 'RetentionSweep' });

export const erasureSchema = z.object({
  subject: z.string().describe('sha256(externalUserId), 16 hex'),
  counts: z.record(z.string(), z.number().int()),
  optedOutKept: z.boolean(),
});

const records = z.array(z.record(z.string(), z.unknown()));
export const customerExportSchema = z.object({
  externalUserId: z.string(),
  exportedAt: z.iso.datetime(),
  customers: records,
  sessions: records.describe('Each session with answers, readings and `transcript`'),
  escalations: records,
  tasks: records,
  tags: records,
  invitations: records,
  consents: z.array(z.object({ identity: z.string(), optedOutAt: z.string() })),
});
