import type { AuditLog } from '../core/admin.ts';
import type { Logger } from '../core/logger.ts';
import type { LockService } from '../core/ports.ts';
import type { CustomerCacheStore, CustomerDataRepository, RetentionSettingsStore, StoreFileRewriter } from '../core/privacy.ts';
import type { Route } from '../http/route.ts';
import { createCustomerData, type CustomerData } from './customerData.ts';
import { createDiskScrub, type DiskScrub } from './diskScrub.ts';
import { privacyRoutes } from './privacyRoutes.ts';
import { createRetention, type Retention, type RetentionPolicy } from './retention.ts';

export type { CustomerData, Retention, RetentionPolicy };

export interface PrivacyModule {
  data: CustomerData;
  retention: Retention;
  /** Debounced rewrites of the stores' files after erasures and sweeps; `stop()` on shutdown. */
  diskScrub: DiskScrub;
  routes: Route[];
}

/** Erasure, access requests and retention (issue 15), wired from store implementations by main.ts. */
export function createPrivacyModule(deps: {
  repo: CustomerDataRepository;
  cache: CustomerCacheStore;
  audit: AuditLog;
  locks: LockService;
  /** RETENTION_DAYS / ESCALATION_RETENTION_DAYS, until an admin sets the policy. */
  defaults: RetentionPolicy;
  settings: RetentionSettingsStore;
  /** Rewrites Redis's files (BGREWRITEAOF) so erased values leave the disk. */
  rewriter: StoreFileRewriter;
  logger: Logger;
}): PrivacyModule {
  const diskScrub = createDiskScrub({ rewriter: deps.rewriter, logger: deps.logger });
  const data = createCustomerData({ ...deps, diskScrub });
  const retention = createRetention({ ...deps, diskScrub });
  return { data, retention, diskScrub, routes: privacyRoutes({ data, retention }) };
}
