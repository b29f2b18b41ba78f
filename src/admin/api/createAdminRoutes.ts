import type { Analyzer } from '../../core/analysis.ts';
import type { AdminUserRepository, AuditLog } from '../../core/admin.ts';
import type { FlowRepository } from '../../core/flows.ts';
import type { Logger } from '../../core/logger.ts';
import type { SessionRepository } from '../../core/sessions.ts';
import type { Route } from '../../http/route.ts';
import { createFlowAdmin } from '../flowAdmin.ts';
import { createFlowPreview } from '../previewFlow.ts';
import { adminWebRoutes } from '../web/adminWebRoutes.ts';
import { loginRoutes } from '../web/loginRoutes.ts';
import { flowsRoutes } from './flowsRoutes.ts';
import { qrRoutes } from './qrRoutes.ts';
import { usersRoutes } from './usersRoutes.ts';

/**
 * Everything issue 7 mounts: the flow admin API, users and audit, and the web editor at
 * `/admin`. Preview runs drafts through the same analyser as live turns.
 *
 * @example
 * routes.push(...(await createAdminRoutes({ flows, sessions, users, audit, catalog, analyzer, defaultFlowId, timeZone, logger })));
 */
export async function createAdminRoutes(deps: {
  flows: FlowRepository;
  sessions: Pick<SessionRepository, 'countByFlowVersion'>;
  users: AdminUserRepository;
  audit: AuditLog;
  catalog: { invalidate(flowId?: string): void };
  analyzer: Analyzer;
  defaultFlowId: string;
  timeZone: string;
  logger: Logger;
}): Promise<Route[]> {
  const admin = createFlowAdmin(deps);
  const preview = createFlowPreview({ analyzer: deps.analyzer, timeZone: deps.timeZone });
  return [...flowsRoutes({ admin, preview }), ...usersRoutes({ users: deps.users, audit: deps.audit }), ...(await adminWebRoutes()), ...loginRoutes(), ...qrRoutes()];
}
