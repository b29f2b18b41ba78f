import { z } from 'zod';
import type { adminRoles } from '../../core/admin.ts';

/**
 * Request shapes of the admin API (zod at the trust boundary). The OpenAPI document is built
 * from these same schemas, so the two cannot drift apart.
 */

/** The body cap for anything carrying a flow: 256 KB (flows themselves stop at 200,000 characters). */
export const FLOW_BODY_LIMIT = '256kb';

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
