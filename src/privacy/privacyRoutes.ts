import Router from '@koa/router';
import { z } from 'zod';
import { principalOf, type AdminAuth } from '../admin/api/adminAuth.ts';
import { ValidationError } from '../core/errors.ts';
import { readJsonBody } from '../http/readJsonBody.ts';
import { parseExternalUserId, type CustomerData } from './customerData.ts';
import { retentionPolicySchema } from './privacySchemas.ts';
import type { Retention } from './retention.ts';

const retentionQuerySchema = z.object({ dryRun: z.enum(['1', 'true', '0', 'false']).optional() });


/**
 * Privacy, admin role only (see /api/openapi.json):
 * `DELETE /api/customers/:externalUserId` erases a customer (answers counts, audited);
 * `GET /api/customers/:externalUserId/export` answers everything held about them (audited);
 * `GET /api/privacy/retention[?dryRun=1]` shows the policy (and, with dryRun, what a sweep would redact);
 * `PUT /api/privacy/retention {days, escalationDays}` sets it (overrides the environment; audited);
 * `POST /api/privacy/retention/sweep` runs a sweep now instead of waiting for the hourly one.
 */
export function createPrivacyRoutes(deps: { data: CustomerData; retention: Retention; auth: AdminAuth }): Router {
  const router = new Router();
  router.use(['/api/customers', '/api/privacy'], deps.auth('admin'));

  router.delete('/api/customers/:externalUserId', async (ctx) => {
    const id = parseExternalUserId(ctx.params.externalUserId);
    ctx.body = await deps.data.erase(id, principalOf(ctx.state));
  });

  router.get('/api/customers/:externalUserId/export', async (ctx) => {
    const id = parseExternalUserId(ctx.params.externalUserId);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.data.export(id, principalOf(ctx.state));
  });

  router.get('/api/privacy/retention', async (ctx) => {
    const query = retentionQuerySchema.safeParse(ctx.query);
    if (!query.success) throw new ValidationError('QUERY_INVALID', 'dryRun must be 1, true, 0 or false');
    const dryRun = query.data.dryRun === '1' || query.data.dryRun === 'true';
    ctx.body = { policy: await deps.retention.policy(), ...(dryRun ? { dryRun: await deps.retention.sweep({ dryRun: true }) } : {}) };
  });

  router.put('/api/privacy/retention', async (ctx) => {
    const policy = await readJsonBody(ctx, retentionPolicySchema);
    ctx.body = { policy: await deps.retention.setPolicy(policy, principalOf(ctx.state)) };
  });

  router.post('/api/privacy/retention/sweep', async (ctx) => {
    ctx.body = await deps.retention.sweep();
  });

  return router;
}
