import type { Logger } from '../core/logger.ts';
import type { Route } from '../http/route.ts';
import { analyticsRoutes } from './analyticsRoutes.ts';
import { createAnalyticsService, type AnalyticsService } from './analyticsService.ts';
import type { FlowDefinitions, ResponseRecorder, ResponseRecordStore, RollupStore } from './ports.ts';
import { createResponseRecorder } from './recorder.ts';
import { dashboardRoutes } from './web/dashboardRoutes.ts';

export { createFlowDefinitions } from './flowDefinitions.ts';
export type { FlowDefinitions, ResponseRecorder, ResponseRecordStore, RollupStore, AnalyticsSources } from './ports.ts';

export interface AnalyticsModule {
  /** Tell it about every session and escalation change. */
  recorder: ResponseRecorder;
  service: AnalyticsService;
  /** `/api/analytics/*` and `/dashboard`. */
  routes(): Promise<Route[]>;
}

/**
 * Wires analytics from its ports: the recorder that keeps rollups and records current, the read
 * service, its API (viewer and up; the CSV export admin only) and the dashboard.
 *
 * @example
 * const analytics = createAnalytics({ rollups, records, flows, timeZone, minResponses: 30, logger });
 */
export function createAnalytics(deps: {
  rollups: RollupStore;
  records: ResponseRecordStore;
  flows: FlowDefinitions;
  timeZone: string;
  minResponses: number;
  logger: Logger;
}): AnalyticsModule {
  const recorder = createResponseRecorder(deps);
  const service = createAnalyticsService(deps);
  return {
    recorder,
    service,
    async routes() {
      return [...analyticsRoutes({ service, logger: deps.logger }), ...(await dashboardRoutes())];
    },
  };
}
