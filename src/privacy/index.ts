import type { AuditLog } from '../core/admin.ts';
import type { Logger } from '../core/logger.ts';
import type { LockService } from '../core/ports.ts';
import type { Route } from '../http/route.ts';
import type { CustomerCacheStore, CustomerDataRepository, RetentionSettingsStore } from '../core/privacy.ts';
import { createCustomerData, type CustomerData } from './customerData.ts';
import { privacyRoutes } from './privacyRoutes.ts';
import { createRetention, type Retention, type RetentionPolicy } from './retention.ts';

export type { CustomerData, Retention, RetentionPolicy };

export interface PrivacyModule {
  data: CustomerData;
  retention: Retention;
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
  logger: Logger;
}): PrivacyModule {
  const data = createCustomerData(deps);
  const retention = createRetention(deps);
  return { data, retention, routes: privacyRoutes({ data, retention }) };
}
