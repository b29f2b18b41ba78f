import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { SessionRecord, SessionRepository } from '../../core/sessions.ts';
import type { TranscriptAudit } from '../../core/transcriptAudit.ts';
import { principalOf } from './adminAuth.ts';

const listQuerySchema = z.object({
  customer: z.string().trim().min(1).max(128).optional(),
  flow: z.string().trim().min(1).max(64).optional(),
  status: z.enum(['active', 'paused', 'escalated', 'completed', 'opted_out', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().trim().max(200).optional(),
});

/**
 * Read API for survey sessions, admin role only (they hold customers' ids, answers and words):
 * `GET /api/sessions?customer=&flow=&status=&limit=&before=` (newest first; `next` is the cursor
 * for the following page) and `GET /api/sessions/:id` (answers, analysis, transcript, status,
 * and follow-up: task outcomes, the follow-up log, the customer's tags). Every detail read is a
 * full-transcript read: it is audited first (`transcript.read`), and without the entry it answers
 * 503 AUDIT_UNAVAILABLE instead of the text.
 */
export function createSessionsRoutes(deps: {
  sessions: SessionRepository;
  /** Admin role: the caller lands in `ctx.state.principal`. */
  auth: Middleware;
  reads: TranscriptAudit;
  /** What follow-up did for the session (its log) and the customer's tags, shown with it. */
  followUpOf?: (session: SessionRecord) => Promise<Record<string, unknown>>;
}): Router {
  const router = new Router({ prefix: '/api/sessions' });
  router.use(deps.auth);

  router.get('/', async (ctx) => {
    const parsed = listQuerySchema.safeParse(ctx.query);
    if (!parsed.success) {
      throw new ValidationError('QUERY_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const q = parsed.data;
    const page = await deps.sessions.list({ customerId: q.customer, flowId: q.flow, status: q.status, limit: q.limit, before: q.before });
    ctx.body = { items: page.items.map(summary), next: page.next ?? null };
  });

  router.get('/:id', async (ctx) => {
    const session = await deps.sessions.findById(ctx.params.id ?? '');
    if (!session) throw new NotFoundError('SESSION_NOT_FOUND', `No session ${ctx.params.id}`);
    const caller = principalOf(ctx.state);
    await deps.reads.record({ actor: caller.name, actorRole: caller.role, via: 'api', sessionId: session.id });
    const followUp = { tasks: session.followUp?.tasks ?? [], contactedAt: session.followUp?.contactedAt ?? null, ...(await deps.followUpOf?.(session)) };
    ctx.body = { ...detail(session), followUp, transcript: await deps.sessions.transcript(session) };
  });
  return router;
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
