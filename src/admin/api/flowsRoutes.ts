import Router from '@koa/router';
import type { FlowAdmin } from '../flowAdmin.ts';
import type { FlowPreview } from '../previewFlow.ts';
import { errorDetails, principalOf, type AdminAuth } from './adminAuth.ts';
import {
  archiveBodySchema,
  diffQuerySchema,
  flowIdSchema,
  previewBodySchema,
  publishBodySchema,
  rollbackBodySchema,
  saveVersionBodySchema,
  validateBodySchema,
  versionRefSchema,
} from './adminApiSchemas.ts';
import { parseInput, readAdminBody } from './readAdminBody.ts';

/**
 * The flow store over HTTP, under `/api/flows` (see `/api/openapi.json`). Roles: viewer reads,
 * validates and diffs; editor also saves versions and previews drafts; admin also publishes,
 * rolls back and archives.
 */
export function createFlowsRoutes(deps: { admin: FlowAdmin; preview: FlowPreview; auth: AdminAuth }): Router {
  const { admin, auth } = deps;
  const router = new Router({ prefix: '/api/flows' });
  const flowId = (params: Record<string, string | undefined>) => parseInput(flowIdSchema, params.id, 'FLOW_ID_INVALID');

  router.get('/', auth('viewer'), async (ctx) => {
    ctx.body = { items: await admin.listFlows() };
  });

  router.get('/:id', auth('viewer'), async (ctx) => {
    ctx.body = await admin.getFlow(flowId(ctx.params));
  });

  router.get('/:id/versions/:version', auth('viewer'), async (ctx) => {
    ctx.body = await admin.getVersion(flowId(ctx.params), parseInput(versionRefSchema, ctx.params.version, 'VERSION_INVALID'));
  });

  router.post('/:id/versions', errorDetails, auth('editor'), async (ctx) => {
    const id = flowId(ctx.params);
    const body = await readAdminBody(ctx, saveVersionBodySchema);
    const saved = await admin.saveVersion(principalOf(ctx.state), id, body);
    ctx.status = saved.created ? 201 : 200;
    ctx.body = saved;
  });

  router.post('/:id/validate', errorDetails, auth('viewer'), async (ctx) => {
    const id = flowId(ctx.params);
    const body = await readAdminBody(ctx, validateBodySchema);
    ctx.body = admin.validate(id, body.source);
  });

  router.post('/:id/publish', errorDetails, auth('admin'), async (ctx) => {
    const id = flowId(ctx.params);
    const body = await readAdminBody(ctx, publishBodySchema);
    ctx.body = await admin.publish(principalOf(ctx.state), id, body.version, body.note);
  });

  router.post('/:id/rollback', errorDetails, auth('admin'), async (ctx) => {
    const id = flowId(ctx.params);
    const body = await readAdminBody(ctx, rollbackBodySchema);
    ctx.body = await admin.rollback(principalOf(ctx.state), id, body.version, body.note);
  });

  router.post('/:id/archive', errorDetails, auth('admin'), async (ctx) => {
    const id = flowId(ctx.params);
    const body = await readAdminBody(ctx, archiveBodySchema);
    ctx.body = await admin.setArchived(principalOf(ctx.state), id, true, body.note);
  });

  router.post('/:id/unarchive', errorDetails, auth('admin'), async (ctx) => {
    const id = flowId(ctx.params);
    const body = await readAdminBody(ctx, archiveBodySchema);
    ctx.body = await admin.setArchived(principalOf(ctx.state), id, false, body.note);
  });

  router.get('/:id/diff', auth('viewer'), async (ctx) => {
    const id = flowId(ctx.params);
    const query = parseInput(diffQuerySchema, ctx.query);
    ctx.body = await admin.diff(id, query.from, query.to);
  });

  router.post('/:id/preview', errorDetails, auth('editor'), async (ctx) => {
    const id = flowId(ctx.params);
    const body = await readAdminBody(ctx, previewBodySchema);
    ctx.body = await deps.preview.run(id, body);
  });

  return router;
}
