import { z } from 'zod';
import type { AuditLog } from '../../core/admin.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { DeadLetter, DeadLetterStore } from '../../core/ports.ts';
import { itemsOf } from '../../http/apiSchemas.ts';
import { defineRoute, type Route } from '../../http/route.ts';

const listQuery = z.object({
  status: z.enum(['open', 'requeued', 'dismissed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const idParams = z.object({ id: z.string() });
const deadLetterSchema = z
  .object({
    id: z.string(),
    conversationKey: z.string(),
    item: z.string().describe('The inbox item as it was (JSON of the inbound message)'),
    error: z.object({ code: z.string(), message: z.string() }),
    attempts: z.number().int(),
    at: z.iso.datetime(),
    status: z.enum(['open', 'requeued', 'dismissed']),
  })
  .meta({ id: 'DeadLetter', description: 'An inbound message set aside after it kept failing, with the error' });
const tags = ['dead letters'];

/**
 * Dead letters (admin role): inbound messages the conversation set aside after they kept failing,
 * with the error. `POST …/:id/requeue` puts one back at the end of its conversation's inbox
 * (after a fix is deployed); `POST …/:id/dismiss` closes it. Both are audited.
 */
export function deadLettersRoutes(deps: { deadLetters: DeadLetterStore; requeue: (id: string) => Promise<boolean>; audit: AuditLog }): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/deadletters',
      auth: 'admin',
      tags,
      summary: 'Dead letters, newest first',
      input: { query: listQuery },
      output: itemsOf(deadLetterSchema),
      handler: async ({ query }) => ({ items: (await deps.deadLetters.list(query)).map(view) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/deadletters/:id/requeue',
      auth: 'admin',
      tags,
      summary: 'Put an open dead letter back at the end of its conversation’s inbox (audited)',
      input: { params: idParams },
      output: deadLetterSchema,
      errors: { 404: 'DEAD_LETTER_NOT_OPEN' },
      handler: async ({ params: { id }, principal }) => {
        if (!(await deps.requeue(id))) throw new NotFoundError('DEAD_LETTER_NOT_OPEN', `No open dead letter ${id}`);
        await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'deadletter.requeued', note: id });
        return view((await deps.deadLetters.findById(id))!);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/deadletters/:id/dismiss',
      auth: 'admin',
      tags,
      summary: 'Close a dead letter without requeueing it (audited)',
      input: { params: idParams },
      output: deadLetterSchema,
      errors: { 404: 'DEAD_LETTER_NOT_FOUND' },
      handler: async ({ params: { id }, principal }) => {
        const letter = await deps.deadLetters.setStatus(id, 'dismissed');
        if (!letter) throw new NotFoundError('DEAD_LETTER_NOT_FOUND', `No dead letter ${id}`);
        await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'deadletter.dismissed', note: id });
        return view(letter);
      },
    }),
  ];
}

function view(letter: DeadLetter) {
  return { ...letter, at: letter.at.toISOString() };
}
