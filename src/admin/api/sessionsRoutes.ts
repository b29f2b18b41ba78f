import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import type { SessionRecord, SessionRepository } from '../../core/sessions.ts';
import { pageOf } from '../../http/apiSchemas.ts';
import { defineRoute, type Route } from '../../http/route.ts';
import type { TranscriptAudit } from '../../core/transcriptAudit.ts';

const listQuerySchema = z.object({
  customer: z.string().trim().min(1).max(128).optional(),
  flow: z.string().trim().min(1).max(64).optional(),
  status: z.enum(['active', 'paused', 'escalated', 'completed', 'opted_out', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().trim().max(200).optional(),
});

const nullableString = z.string().nullable();
const sessionSummarySchema = z
  .object({
    id: z.string(),
    customerId: z.string(),
    accountId: z.string(),
    channel: z.string(),
    flowId: z.string(),
    flowVersion: z.number().int(),
    status: z.string(),
    campaign: nullableString,
    campaignId: nullableString,
    invitationId: nullableString,
    store: nullableString,
    orderId: nullableString,
    touchpoint: nullableString,
    products: z.array(z.string()).nullable(),
    visitAt: z.iso.datetime().nullable(),
    answered: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'SessionSummary', description: 'A survey session; the campaign fields are null unless it came through a campaign invitation' });
const sessionSchema = sessionSummarySchema
  .extend({
    answers: z.record(z.string(), z.unknown()),
    analysis: z.record(z.string(), z.unknown()),
    awaiting: z.unknown(),
    escalation: z.record(z.string(), z.unknown()).nullable(),
    customerFields: z.record(z.string(), z.string()),
    llmUsage: z.unknown(),
    askedSteps: z.array(z.string()),
    followUp: z.looseObject({ tasks: z.array(z.unknown()), contactedAt: z.iso.datetime().nullable() }).describe('Task outcomes, the follow-up log and the customer’s tags'),
    transcript: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'Session' });
const tags = ['sessions'];

/**
 * Read API for survey sessions, admin role only (they hold customers' ids, answers and words):
 * `GET /api/sessions?customer=&flow=&status=&limit=&before=` (newest first; `next` is the cursor
 * for the following page) and `GET /api/sessions/:id` (answers, analysis, transcript, status,
 * and follow-up: task outcomes, the follow-up log, the customer's tags). Every detail read is a
 * full-transcript read: it is audited first (`transcript.read`), and without the entry it answers
 * 503 AUDIT_UNAVAILABLE instead of the text.
 */
export function sessionsRoutes(deps: {
  sessions: SessionRepository;
  reads: TranscriptAudit;
  /** What follow-up did for the session (its log) and the customer's tags, shown with it. */
  followUpOf?: (session: SessionRecord) => Promise<Record<string, unknown>>;
}): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/sessions',
      auth: 'admin',
      tags,
      summary: 'Survey sessions, newest first',
      input: { query: listQuerySchema },
      output: pageOf(sessionSummarySchema),
      handler: async ({ query: q }) => {
        const page = await deps.sessions.list({ customerId: q.customer, flowId: q.flow, status: q.status, limit: q.limit, before: q.before });
        return { items: page.items.map(summary), next: page.next ?? null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id',
      auth: 'admin',
      tags,
      summary: 'One session with its full transcript; every read is audited (transcript.read) and refused with 503 AUDIT_UNAVAILABLE when it cannot be',
      input: { params: z.object({ id: z.string() }) },
      output: sessionSchema,
      errors: { 404: 'SESSION_NOT_FOUND', 503: 'AUDIT_UNAVAILABLE' },
      handler: async ({ params, principal }) => {
        const session = await deps.sessions.findById(params.id);
        if (!session) throw new NotFoundError('SESSION_NOT_FOUND', `No session ${params.id}`);
        await deps.reads.record({ actor: principal.name, actorRole: principal.role, via: 'api', sessionId: session.id });
        const followUp = { tasks: session.followUp?.tasks ?? [], contactedAt: session.followUp?.contactedAt ?? null, ...(await deps.followUpOf?.(session)) };
        return { ...detail(session), followUp, transcript: await deps.sessions.transcript(session) };
      },
    }),
  ];
}

function summary(s: SessionRecord) {
  return {
    id: s.id,
    customerId: s.conversation.customerId,
    accountId: s.conversation.accountId,
    channel: s.conversation.channel,
    flowId: s.flowId,
    flowVersion: s.flowVersion,
    status: s.status,
    campaign: s.campaign ?? null,
    campaignId: s.campaignId ?? null,
    invitationId: s.invitationId ?? null,
    store: s.store ?? null,
    orderId: s.orderId ?? null,
    touchpoint: s.touchpoint ?? null,
    products: s.products ?? null,
    visitAt: s.visitAt ?? null,
    answered: Object.keys(s.answers).length,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    completedAt: s.completedAt ?? null,
  };
}

function detail(s: SessionRecord) {
  return {
    ...summary(s),
    answers: s.answers,
    analysis: s.analysis,
    awaiting: s.awaiting,
    escalation: s.escalation ?? null,
    customerFields: s.customerFields,
    llmUsage: s.llmUsage,
    askedSteps: s.askedSteps,
  };
}
