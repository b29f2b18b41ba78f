import { z } from 'zod';
import { defineRoute, reply, type Route } from '../http/route.ts';
import { externalUserIdSchema, type CustomerData } from './customerData.ts';
import { customerExportSchema, erasureSchema, retentionPolicySchema, retentionPolicyViewSchema, retentionSweepSchema } from './privacySchemas.ts';
import type { Retention } from './retention.ts';

const customerParams = z.object({ externalUserId: externalUserIdSchema.describe('WeCom external_userid') });
const invalidCustomer = { code: 'CUSTOMER_ID_INVALID', message: () => 'externalUserId must be 1–128 letters, digits, "_" or "-"' };
const retentionQuerySchema = z.object({ dryRun: z.enum(['1', 'true', '0', 'false']).optional() });
const invalidDryRun = { code: 'QUERY_INVALID', message: () => 'dryRun must be 1, true, 0 or false' };
const tags = ['privacy'];

/**
 * Privacy, admin role only: erase a customer (answers counts, audited), export everything held
 * about them (audited), read and set the retention policy, and run a retention sweep now.
 */
export function privacyRoutes(deps: { data: CustomerData; retention: Retention }): Route[] {
  return [
    defineRoute({
      method: 'delete',
      path: '/api/customers/:externalUserId',
      auth: 'admin',
      tags,
      summary: 'Erase a customer: their words and identity everywhere; scores stay as anonymous numbers',
      description:
        "Removes the customer's session texts (answers' raw text, text answers, engine snapshot answers and greeting fields), transcripts, escalation words and " +
        'summaries, follow-up tasks and logs, tags set by huifang, invitations, Redis state (session pointer, inbox, handled message ids, timers, campaign links ' +
        'and fatigue marks) and analytics quotes. Sessions and analytics records stay under a random pseudonym with their scores and readings, so analytics does ' +
        'not change. An opt-out the customer asked for is kept. The audit log records who, when and the counts, and the customer only as a one-way hash (`subject`). ' +
        'Afterwards the customer is treated as new. Repeating it finds nothing more.',
      input: { params: customerParams, invalidParams: invalidCustomer },
      output: { description: 'Erased', schema: erasureSchema },
      handler: ({ params, principal }) => deps.data.erase(params.externalUserId, principal),
    }),
    defineRoute({
      method: 'get',
      path: '/api/customers/:externalUserId/export',
      auth: 'admin',
      tags,
      summary: 'Everything held about one customer, for a data-subject access request (audited)',
      input: { params: customerParams, invalidParams: invalidCustomer },
      output: { description: 'The customer data', schema: customerExportSchema },
      handler: async ({ params, principal }) => reply({ headers: { 'Cache-Control': 'no-store' }, body: await deps.data.export(params.externalUserId, principal) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/privacy/retention',
      auth: 'admin',
      tags,
      summary: 'The retention policy (RETENTION_DAYS, ESCALATION_RETENTION_DAYS); with dryRun=1 also what a sweep would redact now',
      input: { query: retentionQuerySchema, invalidQuery: invalidDryRun },
      output: z.object({ policy: retentionPolicyViewSchema, dryRun: retentionSweepSchema.optional() }),
      handler: async ({ query }) => {
        const dryRun = query.dryRun === '1' || query.dryRun === 'true';
        return { policy: await deps.retention.policy(), ...(dryRun ? { dryRun: await deps.retention.sweep({ dryRun: true }) } : {}) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/privacy/retention',
      auth: 'admin',
      tags,
      summary: 'Set the retention policy (overrides the environment; audited as retention.changed); the next sweep uses it',
      input: { body: retentionPolicySchema },
      output: { description: 'The policy now in force', schema: z.object({ policy: retentionPolicyViewSchema }) },
      handler: async ({ body, principal }) => ({ policy: await deps.retention.setPolicy(body, principal) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/privacy/retention/sweep',
      auth: 'admin',
      tags,
      summary: 'Run the retention sweep now (it also runs hourly); a sweep cut short resumes by running again (redacted sessions are marked)',
      output: { description: 'What the sweep did', schema: retentionSweepSchema },
      errors: { 503: 'LOCK_TIMEOUT: another process is sweeping' },
      handler: () => deps.retention.sweep(),
    }),
  ];
}
