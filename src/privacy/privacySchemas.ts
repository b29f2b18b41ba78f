import { z } from 'zod';

const days = z.number().int().min(1).max(3650);
/** The policy an admin sets (same bounds as RETENTION_DAYS and ESCALATION_RETENTION_DAYS). */
export const retentionPolicySchema = z.strictObject({ days, escalationDays: days });
