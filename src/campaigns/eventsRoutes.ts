import Router from '@koa/router';
import getRawBody from 'raw-body';
import { AppError } from '../core/errors.ts';
import { errorDetails } from '../admin/api/adminAuth.ts';
import { EventReplayedError, type createEventIntake } from './eventIntake.ts';

/**
 * `POST /api/events`: purchases and visits pushed by the merchant's systems, signed with
 * Standard Webhooks (no bearer token: the signature is the authentication). 200 with the
 * invitations created (or the reasons none was); 401 for a missing, bad or stale signature; 409
 * EVENT_REPLAYED, with the first delivery's outcome, for a `webhook-id` seen before.
 */
export function createEventsRoutes(deps: { intake: ReturnType<typeof createEventIntake> }): Router {
  const router = new Router();
  router.post('/api/events', errorDetails, async (ctx) => {
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, { limit: '64kb', encoding: 'utf8', length: ctx.get('content-length') || undefined });
    } catch (error) {
      const e = error as { status?: number; message: string };
      throw new AppError(e.status === 413 ? 'BODY_TOO_LARGE' : 'BODY_UNREADABLE', e.status === 413 ? 'An event is at most 64 KB' : e.message, { status: e.status ?? 400 });
    }
    const header = (name: string) => ctx.get(name) || undefined;
    const { eventId, body } = deps.intake.verify(raw, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') });
    try {
      ctx.body = await deps.intake.accept(eventId, body);
    } catch (error) {
      if (!(error instanceof EventReplayedError)) throw error;
      ctx.status = 409;
      ctx.body = { error: { code: error.code, message: error.message }, ...(error.outcome ? { outcome: error.outcome } : {}) };
    }
  });
  return router;
}
