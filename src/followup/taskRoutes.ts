import { z } from 'zod';
import { join } from 'node:path';
import { defineRoute, type Route } from '../http/route.ts';
import { fileReply, locatePublicDir } from '../http/staticFiles.ts';
import { AuditUnavailableError, type TranscriptAudit } from '../core/transcriptAudit.ts';
import { consoleTaskDetailSchema, consoleTaskSchema, followUpTaskSchema, hexId, taskCloseBodySchema, taskNoteBodySchema, tasksQuerySchema } from './followUpSchemas.ts';
import { taskView, type TaskActor, type TaskService } from './tasks/taskService.ts';
import { maskTaskView, requireTaskSight, taskAccess } from './tasks/taskAccess.ts';

const taskParams = z.object({ id: hexId });
const invalidTask = { code: 'TASK_NOT_FOUND', status: 404 as const, message: (p: unknown) => `No follow-up task ${String((p as { id?: unknown }).id)}` };
const taskList = (item: z.ZodType) => z.object({ items: z.array(item), open: z.number().int() });
const tags = ['follow-up'];

/**
 * Follow-up tasks over HTTP.
 *
 * - `GET /api/tasks?status=open|closed&limit=` (admin role): tasks with session id, customer,
 *   reason and due date.
 * - `/api/console/tasks…` (console sign-in: advisor token, ADMIN_TOKEN or an admin user): `GET`
 *   list, `GET /:id` (with the transcript and the session's follow-up log), `POST /:id/claim`,
 *   `POST /:id/note {text}`, `POST /:id/close {outcome, note?}`. An advisor sees their own tasks
 *   in full and the unclaimed queue masked; others' answer 403 TASK_NOT_YOURS (tasks/taskAccess.ts).
 *   A full transcript is shown only once its read is audited; otherwise it is shown masked.
 * - `GET /console/tasks.js`: the console's tasks tab (console/public/tasks.js).
 */
export function taskRoutes(deps: {
  tasks: TaskService;
  /** Masks customers' words for advisors a task is not theirs. */
  mask: (text: string) => string;
  reads: TranscriptAudit;
  now?: () => Date;
}): Route[] {
  const clock = deps.now ?? (() => new Date());
  const tasksScriptDir = locatePublicDir(import.meta.url, 'src/followup/console/public', './console/public/', 'tasks.js');
  const actorOf = (user: TaskActor): TaskActor => ({ id: user.id, name: user.name, admin: user.admin });
  const taskAction = (action: 'claim' | 'note' | 'close', summary: string) => ({
    method: 'post' as const,
    path: `/api/console/tasks/:id/${action}`,
    auth: 'console' as const,
    tags,
    summary,
    output: followUpTaskSchema,
    errors: { 403: 'TASK_NOT_CLAIMED, TASK_NOT_YOURS', 409: 'TASK_CLOSED' },
  });
  return [
    defineRoute({
      method: 'get',
      path: '/api/tasks',
      auth: 'admin',
      tags,
      summary: 'Follow-up tasks for advisors: open (and claimed) ones by due date, or closed ones newest first',
      input: { query: tasksQuerySchema },
      output: taskList(followUpTaskSchema),
      handler: async ({ query }) => {
        const now = clock();
        return { items: (await deps.tasks.list(query.status, query.limit)).map((t) => taskView(t, now)), open: await deps.tasks.countOpen() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/console/tasks.js',
      auth: 'public',
      tags: ['pages'],
      summary: 'The console’s follow-up tasks tab (script)',
      output: { description: 'JavaScript', type: 'text/javascript' },
      handler: () => fileReply(join(tasksScriptDir, 'tasks.js'), 'no-cache'),
    }),
    defineRoute({
      method: 'get',
      path: '/api/console/tasks',
      auth: 'console',
      tags,
      summary: 'An advisor’s tasks: their own in full, the unclaimed queue masked, nobody else’s',
      input: { query: tasksQuerySchema },
      output: taskList(consoleTaskSchema),
      handler: async ({ query, consoleUser }) => {
        const now = clock();
        const items = [];
        for (const task of await deps.tasks.list(query.status, query.limit)) {
          const access = taskAccess(task, actorOf(consoleUser));
          if (access === 'none') continue;
          const view = { ...taskView(task, now), masked: access === 'masked' };
          items.push(access === 'masked' ? maskTaskView(view, deps.mask) : view);
        }
        return { items, open: await deps.tasks.countOpen() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/console/tasks/:id',
      auth: 'console',
      tags,
      summary: 'One task with the transcript and the session’s follow-up log (the transcript read is audited, or shown masked)',
      input: { params: taskParams, invalidParams: invalidTask },
      output: consoleTaskDetailSchema,
      errors: { 403: 'TASK_NOT_YOURS', 404: 'TASK_NOT_FOUND' },
      handler: async ({ params, consoleUser }) => {
        const actor = actorOf(consoleUser);
        const task = await deps.tasks.get(params.id);
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
        return {
          ...(masked ? maskTaskView(view, deps.mask) : view),
          session: session ? { id: session.id, status: session.status, flowId: session.flowId, followUp: session.followUp ?? null } : null,
          transcript: transcript.map((t) => ({ direction: t.direction, author: t.author, text: show(t.text), at: t.at, advisorId: t.advisorId ?? null, delivery: t.delivery ?? null })),
          log: log.map((e) => ({ ...e, at: e.at.toISOString(), ...(e.detail === undefined ? {} : { detail: show(e.detail) }) })),
        };
      },
    }),
    defineRoute({
      ...taskAction('claim', 'Claim a task (console sign-in)'),
      input: { params: taskParams, invalidParams: invalidTask, body: z.object({}) },
      handler: async ({ params, consoleUser }) => taskView(await deps.tasks.claim(params.id, actorOf(consoleUser)), clock()),
    }),
    defineRoute({
      ...taskAction('note', 'Add a note to a task (the advisor who claimed it, or an admin)'),
      input: { params: taskParams, invalidParams: invalidTask, body: taskNoteBodySchema },
      handler: async ({ params, body, consoleUser }) => taskView(await deps.tasks.note(params.id, actorOf(consoleUser), body.text), clock()),
    }),
    defineRoute({
      ...taskAction('close', 'Close a task with its outcome (the advisor who claimed it, or an admin); recorded on the session, audited, and sent as task.closed'),
      input: { params: taskParams, invalidParams: invalidTask, body: taskCloseBodySchema },
      handler: async ({ params, body, consoleUser }) =>
        taskView(await deps.tasks.close(params.id, actorOf(consoleUser), { outcome: body.outcome, ...(body.note ? { note: body.note } : {}) }), clock()),
    }),
  ];
}
