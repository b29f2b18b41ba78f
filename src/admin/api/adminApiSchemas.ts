import { z } from 'zod';
import type { adminRoles } from '../../core/admin.ts';

/**
 * Request and answer shapes of the admin API (zod at the trust boundary). The routes validate with
 * them and /api/openapi.json is generated from them, so the two cannot drift apart.
 */

export const flowIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'flow ids are lowercase letters, digits and -');
export const versionRefSchema = z.union([z.literal('latest'), z.literal('published'), z.coerce.number().int().min(1)]);
const noteSchema = z.string().trim().max(500, 'notes are at most 500 characters').optional();
const sourceSchema = z.string().min(1, 'the flow YAML is empty').max(262_144);

export const saveVersionBodySchema = z.strictObject({
  /** The flow as YAML. */
  source: sourceSchema,
  /** The newest version the editor started from (0 for a new flow); a newer one means a conflict. */
  baseVersion: z.number().int().min(0),
  note: noteSchema,
});

export const validateBodySchema = z.strictObject({ source: sourceSchema });

export const publishBodySchema = z.strictObject({ version: z.number().int().min(1), note: noteSchema });

export const rollbackBodySchema = z.strictObject({ version: z.number().int().min(1), note: noteSchema });

export const archiveBodySchema = z.strictObject({ note: noteSchema });

export const previewBodySchema = z.strictObject({
  source: sourceSchema,
  /** The `state` from the previous preview answer; null or absent to start. */
  state: z.unknown().optional(),
  text: z.string().max(2_000).optional(),
  menuId: z.string().max(200).optional(),
  customer: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/), z.string().max(200)).optional(),
});

export const diffQuerySchema = z.object({ from: versionRefSchema, to: versionRefSchema });

export const auditQuerySchema = z.object({
  flowId: flowIdSchema.optional(),
  /** One action, e.g. `transcript.read`. */
  action: z.string().regex(/^[a-z]+\.[a-z_]+$/, 'an audit action such as transcript.read').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().regex(/^[a-f0-9]{24}$/).optional(),
});

export const createUserBodySchema = z.strictObject({
  name: z.string().trim().regex(/^[\p{L}\p{N}_.@-]{1,40}$/u, 'names are 1-40 letters, digits, _ . @ or -'),
  role: z.enum(['viewer', 'editor', 'admin'] satisfies typeof adminRoles),
});

// ------------------------------------------------------------ answers (documented in /api/openapi.json)

const dateTime = z.iso.datetime();
const flowProblemSchema = z
  .object({
    stepId: z.string().optional(),
    path: z.string().describe('e.g. steps[3].branch[0].goto'),
    message: z.string(),
    line: z.number().int().optional().describe('1-based YAML line'),
  })
  .meta({ id: 'FlowProblem' });

export const flowSummarySchema = z
  .object({
    flowId: z.string(),
    title: z.string(),
    publishedVersion: z.number().int().nullable(),
    latestVersion: z.number().int(),
    archived: z.boolean(),
    publishedBy: z.string().optional(),
    publishedAt: dateTime.optional(),
    updatedAt: dateTime,
  })
  .meta({ id: 'FlowSummary' });

const versionSchema = z
  .object({
    flowId: z.string(),
    version: z.number().int(),
    author: z.string(),
    note: z.string().nullable(),
    valid: z.boolean(),
    createdAt: dateTime,
    published: z.boolean(),
    sessions: z.number().int().describe('Sessions that started on this version'),
  })
  .meta({ id: 'Version' });

export const flowDetailSchema = flowSummarySchema.extend({ versions: z.array(versionSchema) }).meta({ id: 'FlowDetail' });
export const versionWithSourceSchema = versionSchema.extend({ source: z.string(), problems: z.array(flowProblemSchema) }).meta({ id: 'VersionWithSource' });
export const saveResultSchema = z.object({ created: z.boolean(), version: z.number().int(), valid: z.boolean(), problems: z.array(flowProblemSchema) }).meta({ id: 'SaveResult' });
export const validateResultSchema = z.object({ valid: z.boolean(), problems: z.array(flowProblemSchema) }).meta({ id: 'ValidateResult' });
export const publishResultSchema = z.object({ publishedVersion: z.number().int(), changed: z.boolean().optional(), copiedFrom: z.number().int().optional() });

const fieldChangeSchema = z
  .object({ field: z.string(), group: z.enum(['text', 'branching', 'kind', 'position', 'other']), before: z.unknown(), after: z.unknown() })
  .meta({ id: 'FieldChange' });

export const flowDiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    comparable: z.boolean(),
    identical: z.boolean(),
    steps: z.array(
      z.object({
        stepId: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        kind: z.unknown(),
        text: z.unknown(),
        index: z.number().int(),
        routes: z.array(z.object({ when: z.record(z.string(), z.unknown()).optional(), goto: z.string(), implicit: z.boolean().optional() })),
        changes: z.array(fieldChangeSchema),
      }),
    ),
    flow: z.array(fieldChangeSchema),
  })
  .meta({ id: 'FlowDiff' });

export const previewResultSchema = z
  .object({
    messages: z.array(z.record(z.string(), z.unknown()).describe('{kind:"text",text} or {kind:"menu",head?,items:[{id,label}],tail?}')),
    state: z.unknown().describe('Engine snapshot; send it back with the next turn'),
    status: z.enum(['active', 'paused', 'escalated', 'completed', 'opted_out', 'expired']),
    stepId: z.string().nullable(),
    answers: z.record(z.string(), z.unknown()),
    effects: z.array(z.record(z.string(), z.unknown())),
    analysis: z.record(z.string(), z.unknown()).nullable(),
    filled: z.array(z.string()).describe('Steps the reply answered in passing (the flow\'s fills), besides the awaited one'),
  })
  .meta({ id: 'PreviewResult' });

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: dateTime,
    actor: z.string(),
    actorRole: z.string(),
    action: z.string().describe('e.g. flow.published, user.created, transcript.read'),
    flowId: z.string().optional(),
    version: z.number().int().optional(),
    note: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'AuditEntry' });

export const principalSchema = z.object({ name: z.string(), role: z.enum(['viewer', 'editor', 'admin']) }).meta({ id: 'Principal' });

export const userSchema = z
  .object({ name: z.string(), role: z.enum(['viewer', 'editor', 'admin']), createdBy: z.string(), createdAt: dateTime, revokedAt: dateTime.optional() })
  .meta({ id: 'User' });

