import Router from '@koa/router';
import { z } from 'zod';
import type { AuditLog } from '../../core/admin.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { DeadLetter, DeadLetterStore } from '../../core/ports.ts';
import { principalOf, type AdminAuth } from './adminAuth.ts';

const listQuery = z.object({
  status: z.enum(['open', 'requeued', 'dismissed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * Dead letters (admin role): inbound messages the conversation set aside after they kept failing,
 * with the error. `POST …/:id/requeue` puts one back at the end of its conversation's inbox
 * (after a fix is deployed); `POST …/:id/dismiss` closes it. Both are audited.
 */
export function createDeadLettersRoutes(deps: {
  deadLetters: DeadLetterStore;
  requeue: (id: string) => Promise<boolean>;
  audit: AuditLog;
  auth: AdminAuth;
}): Router {
  const router = new Router({ prefix: '/api/deadletters' });
  router.use(deps.auth('admin'));

  router.get('/', async (ctx) => {
    const parsed = listQuery.safeParse(ctx.query);
    if (!parsed.success) throw new ValidationError('QUERY_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    ctx.body = { items: (await deps.deadLetters.list(parsed.data)).map(view) };
  });

  router.post('/:id/requeue', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!(await deps.requeue(id))) throw new NotFoundError('DEAD_LETTER_NOT_OPEN', `No open dead letter ${id}`);
    await deps.audit.record({ actor: principalOf(ctx.state).name, actorRole: principalOf(ctx.state).role, action: 'deadletter.requeued', note: id });
    ctx.body = view((await deps.deadLetters.findById(id))!);
  });

  router.post('/:id/dismiss', async (ctx) => {
    const id = ctx.params.id ?? '';
    const letter = await deps.deadLetters.setStatus(id, 'dismissed');
    if (!letter) throw new NotFoundError('DEAD_LETTER_NOT_FOUND', `No dead letter ${id}`);
    await deps.audit.record({ actor: principalOf(ctx.state).name, actorRole: principalOf(ctx.state).role, action: 'deadletter.dismissed', note: id });
    ctx.body = view(letter);
  });
  return router;
}

function view(letter: DeadLetter) {
  return { ...letter, at: letter.at.toISOString() };
}
