import { z } from 'zod';
import { analyticsOpenApi } from '../../analytics/openapi.ts';
import { followUpOpenApi } from '../../followup/openapi.ts';
import {
  archiveBodySchema,
  createUserBodySchema,
  previewBodySchema,
  publishBodySchema,
  rollbackBodySchema,
  saveVersionBodySchema,
  validateBodySchema,
} from './adminApiSchemas.ts';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const body = (schema: z.ZodType): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Json;
  return { required: true, content: { 'application/json': { schema: rest } } };
};
const ok = (description: string, schema: Json): Json => ({ description, content: { 'application/json': { schema } } });
const errors = (...codes: number[]): Json =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      {
        description: errorText[code] ?? 'Error',
        content: { 'application/json': { schema: ref(code === 400 || code === 409 ? 'ErrorWithDetails' : 'Error') } },
      },
    ]),
  );
const errorText: Record<number, string> = {
  400: 'Invalid input; FLOW_INVALID lists `problems`',
  401: 'No valid bearer token',
  403: 'The role may not do this',
  404: 'No such flow, version or user',
  409: 'Conflict: DRAFT_CONFLICT (edited by someone else; `conflict` says who and when), VERSION_OLDER_THAN_PUBLISHED, FLOW_ARCHIVED, FLOW_IS_DEFAULT, PREVIEW_STALE, USER_EXISTS',
  413: 'Body larger than 256 KB',
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } };
const versionParam = (name: string, where: 'path' | 'query') => ({
  name,
  in: where,
  required: true,
  description: 'A version number, `latest` or `published`',
  schema: { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', enum: ['latest', 'published'] }] },
});
const role = (r: string) => ({ 'x-required-role': r });

/** Paths and component schemas another part of the service adds to the document (e.g. campaigns). */
export interface OpenApiPart {
  paths: Json;
  schemas: Json;
}

/**
 * The OpenAPI 3.1 document of the admin API, served at `/api/openapi.json`. Request bodies are
 * generated from the zod schemas the routes validate with; `parts` add other folders' routes.
 */
export function createAdminOpenApi(parts: OpenApiPart[] = []): Json {
  const document = baseDocument();
  for (const part of [analyticsOpenApi(), followUpOpenApi(), ...parts]) {
    Object.assign(document.paths as Json, part.paths);
    Object.assign((document.components as { schemas: Json }).schemas, part.schemas);
  }
  return document;
}

function baseDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'huifang admin API',
      version: '1',
      description:
        'Survey flow store, publishing, preview, audit log and admin users. Authenticate with `Authorization: Bearer <token>`: ' +
        'ADMIN_TOKEN acts as user `admin` (role admin); per-user tokens come from POST /api/users. ' +
        'After AUTH_FAILURE_LIMIT (10) refused tokens within a minute from one client address, every request with credentials from it answers 429 AUTH_RATE_LIMITED with Retry-After until the minute ends. ' +
        'Roles: viewer (read, validate, diff), ' +
        'editor (+ save versions, preview), admin (+ publish, roll back, archive, users). Every save is a new immutable version; ' +
        'a save names `baseVersion`, the newest version it started from, and is refused with 409 DRAFT_CONFLICT when another was saved since. ' +
        'Analytics (`/api/analytics/*`, viewer and up): NPS with margin of error, trend, CSAT, repurchase, funnel, reasons, segments, CSV export.',
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/flows': { get: { summary: 'List flows', ...role('viewer'), responses: { 200: ok('Flows', { type: 'object', properties: { items: { type: 'array', items: ref('FlowSummary') } } }), ...errors(401) } } },
      '/api/flows/{id}': {
        get: { summary: 'A flow with its versions (author, note, valid, published, sessions run on each)', ...role('viewer'), parameters: [idParam], responses: { 200: ok('Flow', ref('FlowDetail')), ...errors(401, 404) } },
      },
      '/api/flows/{id}/versions': {
        post: {
          summary: 'Save a draft as a new immutable version (invalid drafts are stored with valid=false)',
          ...role('editor'),
          parameters: [idParam],
          requestBody: body(saveVersionBodySchema),
          responses: { 201: ok('Saved', ref('SaveResult')), 200: ok('Unchanged: same source as the base version', ref('SaveResult')), ...errors(400, 401, 403, 409, 413) },
        },
      },
      '/api/flows/{id}/versions/{version}': {
        get: { summary: 'One version with its YAML source and current problems', ...role('viewer'), parameters: [idParam, versionParam('version', 'path')], responses: { 200: ok('Version', ref('VersionWithSource')), ...errors(401, 404) } },
      },
      '/api/flows/{id}/validate': {
        post: { summary: 'Validate YAML (same checks as `flow validate`, plus id and size limits)', ...role('viewer'), parameters: [idParam], requestBody: body(validateBodySchema), responses: { 200: ok('Result', ref('ValidateResult')), ...errors(400, 401, 413) } },
      },
      '/api/flows/{id}/publish': {
        post: {
          summary: 'Publish a version (new sessions use it; running sessions keep theirs). Refused with the problems when invalid',
          ...role('admin'),
          parameters: [idParam],
          requestBody: body(publishBodySchema),
          responses: { 200: ok('Published', { type: 'object', properties: { publishedVersion: { type: 'integer' }, changed: { type: 'boolean' } } }), ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/flows/{id}/rollback': {
        post: {
          summary: 'Roll back: save an older version as a new version and publish it',
          ...role('admin'),
          parameters: [idParam],
          requestBody: body(rollbackBodySchema),
          responses: { 200: ok('Published', { type: 'object', properties: { publishedVersion: { type: 'integer' }, copiedFrom: { type: 'integer' } } }), ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/flows/{id}/archive': {
        post: { summary: 'Archive: no new sessions start on the flow', ...role('admin'), parameters: [idParam], requestBody: body(archiveBodySchema), responses: { 200: ok('Archived', { type: 'object' }), ...errors(401, 403, 404, 409) } },
      },
      '/api/flows/{id}/unarchive': {
        post: { summary: 'Unarchive', ...role('admin'), parameters: [idParam], requestBody: body(archiveBodySchema), responses: { 200: ok('Unarchived', { type: 'object' }), ...errors(401, 403, 404) } },
      },
      '/api/flows/{id}/diff': {
        get: { summary: 'Step-by-step diff of two versions', ...role('viewer'), parameters: [idParam, versionParam('from', 'query'), versionParam('to', 'query')], responses: { 200: ok('Diff', ref('FlowDiff')), ...errors(400, 401, 404) } },
      },
      '/api/flows/{id}/preview': {
        post: {
          summary: 'Run a draft in a throwaway session (real engine and analyser; nothing stored or sent). Send back `state` from the previous answer',
          ...role('editor'),
          parameters: [idParam],
          requestBody: body(previewBodySchema),
          responses: { 200: ok('Turn', ref('PreviewResult')), ...errors(400, 401, 403, 409, 413) },
        },
      },
      '/api/audit': {
        get: {
          summary: 'Audit log, newest first (viewers and editors: flow entries only; admins: everything, e.g. action=transcript.read)',
          ...role('viewer'),
          parameters: [
            { name: 'flowId', in: 'query', schema: { type: 'string' } },
            { name: 'action', in: 'query', description: 'Only entries of this action, e.g. `transcript.read`', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
            { name: 'before', in: 'query', description: 'Cursor: `next` of the previous page', schema: { type: 'string' } },
          ],
          responses: { 200: ok('Entries', { type: 'object', properties: { items: { type: 'array', items: ref('AuditEntry') }, next: { type: ['string', 'null'] } } }), ...errors(400, 401) },
        },
      },
      '/api/me': { get: { summary: 'The caller and their role', ...role('viewer'), responses: { 200: ok('Principal', ref('Principal')), ...errors(401) } } },
      '/api/users': {
        get: { summary: 'Admin users', ...role('admin'), responses: { 200: ok('Users', { type: 'object', properties: { items: { type: 'array', items: ref('User') } } }), ...errors(401, 403) } },
        post: {
          summary: 'Create a user; the token is in this answer only',
          ...role('admin'),
          requestBody: body(createUserBodySchema),
          responses: { 201: ok('Created', { allOf: [ref('User'), { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] }] }), ...errors(400, 401, 403, 409) },
        },
      },
      '/api/users/{name}': {
        delete: { summary: 'Revoke a user’s token', ...role('admin'), parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: ok('Revoked', { type: 'object' }), ...errors(401, 403, 404) } },
      },
      '/api/sessions': { get: { summary: 'Survey sessions', ...role('admin'), responses: { 200: ok('Sessions', { type: 'object' }), ...errors(400, 401, 403) } } },
      '/api/sessions/{id}': {
        get: {
          summary: 'One session with its full transcript; every read is audited (transcript.read) and refused with 503 AUDIT_UNAVAILABLE when it cannot be',
          ...role('admin'),
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('Session', ref('Session')), ...errors(401, 403, 404, 503) },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } } },
        ErrorWithDetails: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                problems: { type: 'array', items: ref('Problem') },
                conflict: { type: 'object', properties: { latestVersion: { type: 'integer' }, author: { type: 'string' }, at: { type: 'string', format: 'date-time' }, basedOn: { type: 'integer' } } },
              },
              required: ['code', 'message'],
            },
          },
        },
        Session: {
          type: 'object',
          description: 'A survey session; the campaign fields are null unless it came through a campaign invitation',
          properties: {
            id: { type: 'string' },
            customerId: { type: 'string' },
            flowId: { type: 'string' },
            flowVersion: { type: 'integer' },
            status: { type: 'string' },
            campaign: { type: ['string', 'null'] },
            campaignId: { type: ['string', 'null'] },
            invitationId: { type: ['string', 'null'] },
            store: { type: ['string', 'null'] },
            orderId: { type: ['string', 'null'] },
            touchpoint: { type: ['string', 'null'] },
            products: { type: ['array', 'null'], items: { type: 'string' } },
            visitAt: { type: ['string', 'null'], format: 'date-time' },
            answers: { type: 'object' },
            analysis: { type: 'object' },
            customerFields: { type: 'object', additionalProperties: { type: 'string' } },
            transcript: { type: 'array', items: { type: 'object' } },
          },
        },
        Problem: {
          type: 'object',
          properties: { stepId: { type: 'string' }, path: { type: 'string', description: 'e.g. steps[3].branch[0].goto' }, message: { type: 'string' }, line: { type: 'integer', description: '1-based YAML line' } },
          required: ['path', 'message'],
        },
        FlowSummary: {
          type: 'object',
          properties: {
            flowId: { type: 'string' },
            title: { type: 'string' },
            publishedVersion: { type: ['integer', 'null'] },
            latestVersion: { type: 'integer' },
            archived: { type: 'boolean' },
            publishedBy: { type: 'string' },
            publishedAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
        Version: {
          type: 'object',
          properties: {
            flowId: { type: 'string' },
            version: { type: 'integer' },
            author: { type: 'string' },
            note: { type: ['string', 'null'] },
            valid: { type: 'boolean' },
            createdAt: { type: 'string', format: 'date-time' },
            published: { type: 'boolean' },
            sessions: { type: 'integer', description: 'Sessions that started on this version' },
          },
        },
        FlowDetail: { allOf: [ref('FlowSummary'), { type: 'object', properties: { versions: { type: 'array', items: ref('Version') } } }] },
        VersionWithSource: { allOf: [ref('Version'), { type: 'object', properties: { source: { type: 'string' }, problems: { type: 'array', items: ref('Problem') } } }] },
        SaveResult: { type: 'object', properties: { created: { type: 'boolean' }, version: { type: 'integer' }, valid: { type: 'boolean' }, problems: { type: 'array', items: ref('Problem') } } },
        ValidateResult: { type: 'object', properties: { valid: { type: 'boolean' }, problems: { type: 'array', items: ref('Problem') } } },
        FieldChange: { type: 'object', properties: { field: { type: 'string' }, group: { enum: ['text', 'branching', 'kind', 'position', 'other'] }, before: {}, after: {} } },
        FlowDiff: {
          type: 'object',
          properties: {
            from: { type: 'integer' },
            to: { type: 'integer' },
            comparable: { type: 'boolean' },
            identical: { type: 'boolean' },
            steps: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  stepId: { type: 'string' },
                  change: { enum: ['added', 'removed', 'changed'] },
                  kind: {},
                  text: {},
                  index: { type: 'integer' },
                  routes: { type: 'array', items: { type: 'object', properties: { when: { type: 'object' }, goto: { type: 'string' }, implicit: { type: 'boolean' } } } },
                  changes: { type: 'array', items: ref('FieldChange') },
                },
              },
            },
            flow: { type: 'array', items: ref('FieldChange') },
          },
        },
        PreviewResult: {
          type: 'object',
          properties: {
            messages: { type: 'array', items: { type: 'object', description: '{kind:"text",text} or {kind:"menu",head?,items:[{id,label}],tail?}' } },
            state: { type: 'object', description: 'Engine snapshot; send it back with the next turn' },
            status: { enum: ['active', 'paused', 'escalated', 'completed', 'opted_out', 'expired'] },
            stepId: { type: ['string', 'null'] },
            answers: { type: 'object' },
            effects: { type: 'array', items: { type: 'object' } },
            analysis: { type: ['object', 'null'] },
          },
        },
        AuditEntry: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            at: { type: 'string', format: 'date-time' },
            actor: { type: 'string' },
            actorRole: { type: 'string' },
            action: { enum: ['flow.imported', 'flow.version_saved', 'flow.published', 'flow.rolled_back', 'flow.archived', 'flow.unarchived', 'user.created', 'user.revoked'] },
            flowId: { type: 'string' },
            version: { type: 'integer' },
            note: { type: 'string' },
            details: { type: 'object' },
          },
        },
        Principal: { type: 'object', properties: { name: { type: 'string' }, role: { enum: ['viewer', 'editor', 'admin'] } } },
        User: {
          type: 'object',
          properties: { name: { type: 'string' }, role: { enum: ['viewer', 'editor', 'admin'] }, createdBy: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, revokedAt: { type: 'string', format: 'date-time' } },
        },
      },
    },
  };
}
