import { z } from 'zod';
import { retentionPolicySchema } from './privacySchemas.ts';

type Json = Record<string, unknown>;

const json = (schema: Json): Json => ({ 'application/json': { schema } });
const admin = { 'x-required-role': 'admin' };
const customerParam: Json = { name: 'externalUserId', in: 'path', required: true, description: 'WeCom external_userid', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } };
const errs: Json = {
  400: { description: 'CUSTOMER_ID_INVALID / QUERY_INVALID' },
  401: { description: 'No valid bearer token' },
  403: { description: 'The role may not do this (admin needed)' },
};
const obj = (properties: Json, required: string[] = Object.keys(properties)): Json => ({ type: 'object', required, properties });
const list = { type: 'array', items: { type: 'object' } };
const policy = obj(
  {
    days: { type: 'integer' },
    escalationDays: { type: 'integer' },
    source: { type: 'string', enum: ['env', 'admin'], description: 'env: RETENTION_DAYS / ESCALATION_RETENTION_DAYS; admin: set with PUT' },
    updatedBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  ['days', 'escalationDays', 'source'],
);
const body = (schema: z.ZodType): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Json;
  return { required: true, content: json(rest) };
};
const sweepReport = obj({
  dryRun: { type: 'boolean' },
  policy: { $ref: '#/components/schemas/RetentionPolicy' },
  cutoff: { type: 'string', format: 'date-time' },
  escalationCutoff: { type: 'string', format: 'date-time' },
  due: { type: 'integer', description: 'Closed sessions past their retention that still hold words or identity' },
  redacted: { type: 'integer' },
  complete: { type: 'boolean' },
});

/** Privacy paths (erasure, access requests, retention) for /api/openapi.json. */
export function privacyOpenApi(): { paths: Json; schemas: Json } {
  return {
    paths: {
      '/api/customers/{externalUserId}': {
        delete: {
          summary: 'Erase a customer: their words and identity everywhere; scores stay as anonymous numbers',
          description:
            "Removes the customer's session texts (answers' raw text, text answers, engine snapshot answers and greeting fields), transcripts, escalation words and " +
            'summaries, follow-up tasks and logs, tags set by huifang, invitations, Redis state (session pointer, inbox, handled message ids, timers, campaign links ' +
            'and fatigue marks) and analytics quotes. Sessions and analytics records stay under a random pseudonym with their scores and readings, so analytics does ' +
            'not change. An opt-out the customer asked for is kept. The audit log records who, when and the counts, and the customer only as a one-way hash (`subject`). ' +
            'Afterwards the customer is treated as new. Repeating it finds nothing more.',
          ...admin,
          parameters: [customerParam],
          responses: {
            200: { description: 'Erased', content: json(obj({ subject: { type: 'string', description: 'sha256(externalUserId), 16 hex' }, counts: { type: 'object', additionalProperties: { type: 'integer' } }, optedOutKept: { type: 'boolean' } })) },
            ...errs,
          },
        },
      },
      '/api/customers/{externalUserId}/export': {
        get: {
          summary: 'Everything held about one customer, for a data-subject access request (audited)',
          ...admin,
          parameters: [customerParam],
          responses: {
            200: {
              description: 'The customer data',
              content: json(
                obj({
                  externalUserId: { type: 'string' },
                  exportedAt: { type: 'string', format: 'date-time' },
                  customers: list,
                  sessions: { type: 'array', items: { type: 'object', description: 'A session with answers, readings and `transcript`' } },
                  escalations: list,
                  tasks: list,
                  tags: list,
                  invitations: list,
                  consents: { type: 'array', items: obj({ identity: { type: 'string' }, optedOutAt: { type: 'string' } }) },
                }),
              ),
            },
            ...errs,
          },
        },
      },
      '/api/privacy/retention': {
        get: {
          summary: 'The retention policy (RETENTION_DAYS, ESCALATION_RETENTION_DAYS); with dryRun=1 also what a sweep would redact now',
          ...admin,
          parameters: [{ name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['1', 'true', '0', 'false'] } }],
          responses: { 200: { description: 'Policy', content: json(obj({ policy: { $ref: '#/components/schemas/RetentionPolicy' }, dryRun: { $ref: '#/components/schemas/RetentionSweep' } }, ['policy'])) }, ...errs },
        },
        put: {
          summary: 'Set the retention policy (overrides the environment; audited as retention.changed); the next sweep uses it',
          ...admin,
          requestBody: body(retentionPolicySchema),
          responses: { 200: { description: 'The policy now in force', content: json(obj({ policy: { $ref: '#/components/schemas/RetentionPolicy' } })) }, ...errs },
        },
      },
      '/api/privacy/retention/sweep': {
        post: {
          summary: 'Run the retention sweep now (it also runs hourly); a sweep cut short resumes by running again (redacted sessions are marked)',
          ...admin,
          responses: { 200: { description: 'What the sweep did', content: json({ $ref: '#/components/schemas/RetentionSweep' }) }, 503: { description: 'LOCK_TIMEOUT: another process is sweeping' }, ...errs },
        },
      },
    },
    schemas: { RetentionPolicy: policy, RetentionSweep: sweepReport },
  };
}
