import Router from '@koa/router';
import type { Analyzer } from '../../core/analysis.ts';
import type { AdminUserRepository, AuditLog } from '../../core/admin.ts';
import type { FlowRepository } from '../../core/flows.ts';
import type { Logger } from '../../core/logger.ts';
import type { SessionRepository } from '../../core/sessions.ts';
import { createFlowAdmin } from '../flowAdmin.ts';
import { createFlowPreview } from '../previewFlow.ts';
import { createAdminWebRoutes } from '../web/adminWebRoutes.ts';
import { createAdminAuth } from './adminAuth.ts';
import { createFlowsRoutes } from './flowsRoutes.ts';
import { createAdminOpenApi, type OpenApiPart } from './openapiDocument.ts';
import { createUsersRoutes } from './usersRoutes.ts';

/**
 * Everything issue 7 mounts: the flow admin API, users and audit, `/api/openapi.json` (public),
 * and the web editor at `/admin`. Preview runs drafts through the same analyser as live turns.
 *
 * @example
 * routers.push(...(await createAdminRoutes({ flows, sessions, users, audit, catalog, analyzer, adminToken: () => config.adminToken, defaultFlowId, timeZone, logger })));
 */
export async function createAdminRoutes(deps: {
  flows: FlowRepository;
  sessions: Pick<SessionRepository, 'countByFlowVersion'>;
  users: AdminUserRepository;
  audit: AuditLog;
  catalog: { invalidate(flowId?: string): void };
  analyzer: Analyzer;
  adminToken: () => string | undefined;
  defaultFlowId: string;
  timeZone: string;
  logger: Logger;
  /** Other folders' routes for `/api/openapi.json` (campaigns). */
  openApiParts?: OpenApiPart[];
}): Promise<Router[]> {
  const auth = createAdminAuth({ adminToken: deps.adminToken, users: deps.users });
  const admin = createFlowAdmin(deps);
  const preview = createFlowPreview({ analyzer: deps.analyzer, timeZone: deps.timeZone });
  const openapi = new Router();
  const document = createAdminOpenApi(deps.openApiParts);
  openapi.get('/api/openapi.json', (ctx) => {
    ctx.body = document;
  });
  return [
    openapi,
    createFlowsRoutes({ admin, preview, auth }),
    createUsersRoutes({ users: deps.users, audit: deps.audit, auth }),
    await createAdminWebRoutes(),
  ];
}
