import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { AdminAuth } from '../admin/api/adminAuth.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { readJsonBody } from '../http/readJsonBody.ts';
import { TASKS_SCRIPT } from './console/tasksScript.ts';
import { hexId, taskCloseBodySchema, taskNoteBodySchema, tasksQuerySchema } from './followUpSchemas.ts';
import { taskView, type TaskActor, type TaskService } from './tasks/taskService.ts';

/**
 * Follow-up tasks over HTTP.
 *
 * - `GET /api/tasks?status=open|closed&limit=` (admin role): tasks with session id, customer,
 *   reason and due date (see /api/openapi.json).
 * - `/api/console/tasks…` (console sign-in: advisor token or ADMIN_TOKEN): `GET` list,
 *   `GET /:id` (with the transcript and the session's follow-up log), `POST /:id/claim`,
 *   `POST /:id/note {text}`, `POST /:id/close {outcome, note?}`.
 * - `GET /console/tasks.js`: the console's tasks tab.
 */
export function createTaskRoutes(deps: { tasks: TaskService; auth: AdminAuth; consoleSignIn: Middleware; now?: () => Date }): Router {
  const router = new Router();
  const clock = deps.now ?? (() => new Date());
  const query = (ctx: Context) => {
    const parsed = tasksQuerySchema.safeParse(ctx.query);
    if (!parsed.success) throw new ValidationError('QUERY_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return parsed.data;
  };
  const list = async (ctx: Context) => {
    const q = query(ctx);
    const now = clock();
    ctx.body = { items: (await deps.tasks.list(q.status, q.limit)).map((t) => taskView(t, now)), open: await deps.tasks.countOpen() };
  };
  const idOf = (ctx: Context) => {
    const parsed = hexId.safeParse(ctx.params.id);
    if (!parsed.success) throw new NotFoundError('TASK_NOT_FOUND', `No follow-up task ${String(ctx.params.id)}`);
    return parsed.data;
  };
  const actorOf = (ctx: Context): TaskActor => {
    const a = ctx.state.actor as { id: string; name: string; admin: boolean };
    return { id: a.id, name: a.name, admin: a.admin };
  };

  router.get('/api/tasks', deps.auth('admin'), list);

  router.get('/console/tasks.js', (ctx) => {
    ctx.set({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    });
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.body = TASKS_SCRIPT;
  });

  router.get('/api/console/tasks', deps.consoleSignIn, list);
  router.get('/api/console/tasks/:id', deps.consoleSignIn, async (ctx) => {
    const { task, session, transcript, log } = await deps.tasks.detail(idOf(ctx));
    ctx.body = {
      ...taskView(task, clock()),
      session: session ? { id: session.id, status: session.status, flowId: session.flowId, followUp: session.followUp ?? null } : null,
      transcript: transcript.map((t) => ({ direction: t.direction, author: t.author, text: t.text, at: t.at, advisorId: t.advisorId ?? null, delivery: t.delivery ?? null })),
      log: log.map((e) => ({ ...e, at: e.at.toISOString() })),
    };
  });
  router.post('/api/console/tasks/:id/claim', deps.consoleSignIn, async (ctx) => {
    const id = idOf(ctx);
    await readJsonBody(ctx, z.object({}));
    ctx.body = taskView(await deps.tasks.claim(id, actorOf(ctx)), clock());
  });
  router.post('/api/console/tasks/:id/note', deps.consoleSignIn, async (ctx) => {
    const id = idOf(ctx);
    const input = await readJsonBody(ctx, taskNoteBodySchema);
    ctx.body = taskView(await deps.tasks.note(id, actorOf(ctx), input.text), clock());
  });
  router.post('/api/console/tasks/:id/close', deps.consoleSignIn, async (ctx) => {
    const id = idOf(ctx);
    const input = await readJsonBody(ctx, taskCloseBodySchema);
    ctx.body = taskView(await deps.tasks.close(id, actorOf(ctx), { outcome: input.outcome, ...(input.note ? { note: input.note } : {}) }), clock());
  });
  return router;
}
