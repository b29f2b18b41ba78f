import type { Logger } from '../core/logger.ts';
import { createAnalyticsRoutes, type AnalyticsPrivacy } from './analyticsRoutes.ts';
import { createAnalyticsService, type AnalyticsService } from './analyticsService.ts';
import type { FlowDefinitions, ResponseRecorder, ResponseRecordStore, RollupStore } from './ports.ts';
import { createResponseRecorder } from './recorder.ts';
import { createDashboardRoutes } from './web/dashboardRoutes.ts';

export { createFlowDefinitions } from './flowDefinitions.ts';
export type { FlowDefinitions, ResponseRecorder, ResponseRecordStore, RollupStore, AnalyticsSources } from './ports.ts';

// Koa types come through the routes file: only *Routes.ts files may import koa.
type Router = ReturnType<typeof createAnalyticsRoutes>;
type Middleware = Parameters<typeof createAnalyticsRoutes>[0]['auth'];

export interface AnalyticsModule {
  /** Tell it about every session and escalation change. */
  recorder: ResponseRecorder;
  service: AnalyticsService;
  /** `/api/analytics/*` and `/dashboard`. */
  routers(): Promise<Router[]>;
}

/**
 * Wires analytics from its ports: the recorder that keeps rollups and records current, the read
 * service, its API (behind `auth`, viewer and up) and the dashboard.
 *
 * @example
 * const analytics = createAnalytics({ rollups, records, flows, timeZone, minResponses: 30, auth: auth('viewer'), logger });
 */
export function createAnalytics(deps: {
  rollups: RollupStore;
  records: ResponseRecordStore;
  flows: FlowDefinitions;
  timeZone: string;
  minResponses: number;
  auth: Middleware;
  /** The export for admins only; verbatims masked below admin. */
  privacy: AnalyticsPrivacy;
  logger: Logger;
}): AnalyticsModule {
  const recorder = createResponseRecorder(deps);
  const service = createAnalyticsService(deps);
  return {
    recorder,
    service,
    async routers() {
      return [createAnalyticsRoutes({ service, auth: deps.auth, privacy: deps.privacy, logger: deps.logger }), await createDashboardRoutes()];
    },
  };
}
