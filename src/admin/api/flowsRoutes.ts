import { z } from 'zod';
import { itemsOf } from '../../http/apiSchemas.ts';
import { defineRoute, reply, type Route } from '../../http/route.ts';
import type { FlowAdmin } from '../flowAdmin.ts';
import type { FlowPreview } from '../previewFlow.ts';
import {
  archiveBodySchema,
  diffQuerySchema,
  flowDetailSchema,
  flowDiffSchema,
  flowIdSchema,
  flowSummarySchema,
  previewBodySchema,
  previewResultSchema,
  publishBodySchema,
  publishResultSchema,
  rollbackBodySchema,
  saveResultSchema,
  saveVersionBodySchema,
  validateBodySchema,
  validateResultSchema,
  versionRefSchema,
  versionWithSourceSchema,
} from './adminApiSchemas.ts';

const flowParams = z.object({ id: flowIdSchema });
const versionParams = flowParams.extend({ version: versionRefSchema.describe('A version number, `latest` or `published`') });
const invalidParams = { code: 'FLOW_ID_INVALID', codeByField: { version: 'VERSION_INVALID' } };
// A flow (YAML and all its texts) is refused here, before anything parses it.
const bodyTooLargeHint = 'a flow (YAML and all its texts) must stay under 200,000 characters and each text under 1,000';
const tags = ['flows'];
const archivedSchema = z.object({ archived: z.boolean(), changed: z.boolean() });

/**
 * The flow store over HTTP, under `/api/flows`. Roles: viewer reads, validates and diffs; editor
 * also saves versions and previews drafts; admin also publishes, rolls back and archives.
 */
export function flowsRoutes(deps: { admin: FlowAdmin; preview: FlowPreview }): Route[] {
  const { admin } = deps;
  const flowInput = { params: flowParams, invalidParams, bodyTooLargeHint };
  return [
    defineRoute({
      method: 'get',
      path: '/api/flows',
      auth: 'viewer',
      tags,
      summary: 'List flows',
      output: itemsOf(flowSummarySchema),
      handler: async () => ({ items: await admin.listFlows() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/flows/:id',
      auth: 'viewer',
      tags,
      summary: 'A flow with its versions (author, note, valid, published, sessions run on each)',
      input: { params: flowParams, invalidParams },
      output: flowDetailSchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: ({ params }) => admin.getFlow(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/api/flows/:id/versions/:version',
      auth: 'viewer',
      tags,
      summary: 'One version with its YAML source and current problems',
      input: { params: versionParams, invalidParams },
      output: versionWithSourceSchema,
      errors: { 404: 'FLOW_NOT_FOUND, VERSION_NOT_FOUND' },
      handler: ({ params }) => admin.getVersion(params.id, params.version),
    }),
    defineRoute({
      method: 'post',
      path: '/api/flows/:id/versions',
      auth: 'editor',
      tags,
      summary: 'Save a draft as a new immutable version (invalid drafts are stored with valid=false)',
      description: 'A save names `baseVersion`, the newest version it started from, and is refused with 409 DRAFT_CONFLICT when another was saved since.',
      input: { ...flowInput, body: saveVersionBodySchema },
      output: [
        { status: 201, description: 'Saved', schema: saveResultSchema },
        { status: 200, description: 'Unchanged: same source as the base version', schema: saveResultSchema },
      ],
      errors: { 409: 'DRAFT_CONFLICT (`conflict` says who saved and when), VERSION_OLDER_THAN_PUBLISHED, FLOW_ARCHIVED' },
      handler: async ({ params, body, principal }) => {
        const saved = await admin.saveVersion(principal, params.id, body);
        return reply({ status: saved.created ? 201 : 200, body: saved });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/flows/:id/validate',
      auth: 'viewer',
      tags,
      summary: 'Validate YAML (same checks as `flow validate`, plus id and size limits)',
      input: { ...flowInput, body: validateBodySchema },
      output: validateResultSchema,
      handler: ({ params, body }) => admin.validate(params.id, body.source),
    }),
    defineRoute({
      method: 'post',
      path: '/api/flows/:id/publish',
      auth: 'admin',
      tags,
      summary: 'Publish a version (new sessions use it; running sessions keep theirs). Refused with the problems when invalid',
      input: { ...flowInput, body: publishBodySchema },
      output: publishResultSchema,
      errors: { 400: 'FLOW_INVALID (problems)', 404: 'FLOW_NOT_FOUND, VERSION_NOT_FOUND', 409: 'VERSION_OLDER_THAN_PUBLISHED, FLOW_ARCHIVED' },
      handler: ({ params, body, principal }) => admin.publish(principal, params.id, body.version, body.note),
    }),
    defineRoute({
      method: 'post',
      path: '/api/flows/:id/rollback',
      auth: 'admin',
      tags,
      summary: 'Roll back: save an older version as a new version and publish it',
      input: { ...flowInput, body: rollbackBodySchema },
      output: publishResultSchema,
      errors: { 400: 'FLOW_INVALID (problems)', 404: 'FLOW_NOT_FOUND, VERSION_NOT_FOUND', 409: 'FLOW_ARCHIVED' },
      handler: ({ params, body, principal }) => admin.rollback(principal, params.id, body.version, body.note),
    }),
    defineRoute({
      method: 'post',
      path: '/api/flows/:id/archive',
      auth: 'admin',
      tags,
      summary: 'Archive: no new sessions start on the flow',
      input: { ...flowInput, body: archiveBodySchema },
      output: archivedSchema,
      errors: { 404: 'FLOW_NOT_FOUND', 409: 'FLOW_IS_DEFAULT' },
      handler: ({ params, body, principal }) => admin.setArchived(principal, params.id, true, body.note),
    }),
    defineRoute({
      method: 'post',
      path: '/api/flows/:id/unarchive',
      auth: 'admin',
      tags,
      summary: 'Unarchive',
      input: { ...flowInput, body: archiveBodySchema },
      output: archivedSchema,
      errors: { 404: 'FLOW_NOT_FOUND' },
      handler: ({ params, body, principal }) => admin.setArchived(principal, params.id, false, body.note),
    }),
    defineRoute({
      method: 'get',
      path: '/api/flows/:id/diff',
      auth: 'viewer',
      tags,
      summary: 'Step-by-step diff of two versions',
      input: { params: flowParams, invalidParams, query: diffQuerySchema },
      output: flowDiffSchema,
      errors: { 404: 'FLOW_NOT_FOUND, VERSION_NOT_FOUND' },
      handler: ({ params, query }) => admin.diff(params.id, query.from, query.to),
    }),
    defineRoute({
      method: 'post',
      path: '/api/flows/:id/preview',
      auth: 'editor',
      tags,
      summary: 'Run a draft in a throwaway session (real engine and analyser; nothing stored or sent). Send back `state` from the previous answer',
      input: { ...flowInput, body: previewBodySchema },
      output: previewResultSchema,
      errors: { 409: 'PREVIEW_STALE' },
      handler: ({ params, body }) => deps.preview.run(params.id, body),
    }),
  ];
}
