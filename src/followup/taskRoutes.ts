import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { AdminAuth } from '../admin/api/adminAuth.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { readJsonBody } from '../http/readJsonBody.ts';
import { TASKS_SCRIPT } from './console/tasksScript.ts';
import { hexId, taskCloseBodySchema, taskNoteBodySchema, tasksQuerySchema } from './followUpSchemas.ts';
import { taskView, type TaskActor, type TaskService } from './tasks/taskService.ts';
import { maskTaskView, requireTaskSight, taskAccess } from './tasks/taskAccess.ts';
import { AuditUnavailableError, type TranscriptAudit } from '../core/transcriptAudit.ts';

/**
 * Follow-up tasks over HTTP.
 *
 * - `GET /api/tasks?status=open|closed&limit=` (admin role): tasks with session id, customer,
 *   reason and due date (see /api/openapi.json).
 * - `/api/console/tasks…` (console sign-in: advisor token or ADMIN_TOKEN): `GET` list,
 *   `GET /:id` (with the transcript and the session's follow-up log), `POST /:id/claim`,
 *   `POST /:id/note {text}`, `POST /:id/close {outcome, note?}`. An advisor sees their own tasks
 *   in full and the unclaimed queue masked; others' answer 403 TASK_NOT_YOURS (tasks/taskAccess.ts).
 *   A full transcript is shown only once its read is audited; otherwise it is shown masked.
 * - `GET /console/tasks.js`: the console's tasks tab.
 */
export function createTaskRoutes(deps: {
  tasks: TaskService;
  auth: AdminAuth;
  consoleSignIn: Middleware;
  /** Masks customers' words for advisors a task is not theirs. */
  mask: (text: string) => string;
  reads: TranscriptAudit;
  now?: () => Date;
}): Router {
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
  // An advisor's list: their own tasks in full, the unclaimed queue masked, nobody else's.
  const consoleList = async (ctx: Context) => {
    const q = query(ctx);
    const now = clock();
    const actor = actorOf(ctx);
    const items = [];
    for (const task of await deps.tasks.list(q.status, q.limit)) {
      const access = taskAccess(task, actor);
      if (access === 'none') continue;
      const view = { ...taskView(task, now), masked: access === 'masked' };
      items.push(access === 'masked' ? maskTaskView(view, deps.mask) : view);
    }
    ctx.body = { items, open: await deps.tasks.countOpen() };
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

  router.get('/api/console/tasks', deps.consoleSignIn, consoleList);
  router.get('/api/console/tasks/:id', deps.consoleSignIn, async (ctx) => {
    const actor = actorOf(ctx);
    const task = await deps.tasks.get(idOf(ctx));
    let masked = requireTaskSight(task, actor) === 'masked';
    let maskedBecause: 'not_yours' | 'audit_unavailable' | null = masked ? 'not_yours' : null;
    if (!masked) {
      try {
        await deps.reads.record({ actor: actor.id, actorRole: actor.admin ? 'admin' : 'advisor', via: 'console', sessionId: task.sessionId, taskId: task.id });
      } catch (error) {
        if (!(error instanceof AuditUnavailableError)) throw error;
        // Fail closed, but keep the console usable: the masked text needs no audit entry.
        masked = true;
        maskedBecause = 'audit_unavailable';
      }
    }
    const { session, transcript, log } = await deps.tasks.detail(task.id);
    const show = masked ? deps.mask : (text: string) => text;
    const view = { ...taskView(task, clock()), masked, maskedBecause };
    ctx.body = {
      ...(masked ? maskTaskView(view, deps.mask) : view),
      session: session ? { id: session.id, status: session.status, flowId: session.flowId, followUp: session.followUp ?? null } : null,
      transcript: transcript.map((t) => ({ direction: t.direction, author: t.author, text: show(t.text), at: t.at, advisorId: t.advisorId ?? null, delivery: t.delivery ?? null })),
      log: log.map((e) => ({ ...e, at: e.at.toISOString(), ...(e.detail === undefined ? {} : { detail: show(e.detail) }) })),
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
