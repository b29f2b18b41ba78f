import { createHash } from 'node:crypto';
import type { AuditLog } from '../../core/admin.ts';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { LockService } from '../../core/ports.ts';
import type { SessionFollowUp, SessionRecord, SessionRepository } from '../../core/sessions.ts';
import { planTask, type FiredRule, type RuleFacts } from '../rules.ts';
import type { FollowUpLog, TaskStore } from '../ports.ts';
import { contactOutcomes, type FollowUpAction, type FollowUpTask, type NewTask, type TaskOutcome } from '../types.ts';
import { taskData } from '../webhooks/payloads.ts';
import { requireTaskHandler, requireTaskSight } from './taskAccess.ts';
import type { WebhookService } from '../webhooks/webhookService.ts';

/** Who acts on a task: an advisor in the console, or an admin. */
export interface TaskActor {
  id: string;
  name: string;
  admin: boolean;
}

export interface TaskServiceDeps {
  tasks: TaskStore;
  log: FollowUpLog;
  sessions: SessionRepository;
  locks: LockService;
  audit: AuditLog;
  webhooks: Pick<WebhookService, 'publish'>;
  /** Records outcomes on the session (conversation service; a getter, built after this). */
  recordOnSession: (sessionId: string, change: (current: SessionFollowUp | undefined) => SessionFollowUp) => Promise<unknown>;
  /** Pending after-effects of closed tasks (a Redis set), so a crash midway is made good. */
  effects: { add(id: string): Promise<void>; remove(id: string): Promise<void>; list(): Promise<string[]> };
  /** Absolute console URL, for links in webhooks. */
  consoleUrl: string;
  logger: Logger;
  now?: () => Date;
}

/** A task id: one per session and rule. */
export function taskIdFor(sessionId: string, ruleId: string): string {
  return createHash('sha256').update(`${sessionId}\n${ruleId}`).digest('hex').slice(0, 24);
}

const LOCK = { ttlMs: 15_000, waitMs: 10_000 };

/**
 * Follow-up tasks: made by rules (one per session and rule), then claimed, noted and closed with
 * an outcome by advisors in /console. Closing records the outcome on the session (analytics
 * counts contacts from it), appends to the session's follow-up log, audits it and sends
 * `task.closed`; those after-effects are idempotent and retried by a sweep if a crash cut them short.
 */
export function createTaskService(deps: TaskServiceDeps) {
  const log = deps.logger.child({ module: 'followup-tasks' });
  const clock = deps.now ?? (() => new Date());
  const link = (id: string) => `${deps.consoleUrl}#/tasks/${id}`;

  /** Creates the tasks fired rules ask for (idempotent); returns their ids. */
  const createFromRules = (session: SessionRecord, fired: readonly FiredRule[], facts: RuleFacts, at: Date) => createTasksFromRules(deps, log, { session, fired, facts, at });

  async function mustGet(id: string): Promise<FollowUpTask> {
    const task = await deps.tasks.get(id);
    if (!task) throw new NotFoundError('TASK_NOT_FOUND', `No follow-up task ${id}`);
    return task;
  }

  async function change(id: string, fn: (task: FollowUpTask) => FollowUpTask | null): Promise<FollowUpTask> {
    return deps.locks.withLock(
      `followup-task:${id}`,
      async () => {
        const task = await mustGet(id);
        const next = fn(task);
        if (!next) return task;
        await deps.tasks.save(next);
        await deps.tasks.index(next);
        return next;
      },
      LOCK,
    );
  }

  const act = (actor: TaskActor, action: string, detail?: string): FollowUpAction => ({ at: clock(), by: actor.id, action, ...(detail ? { detail } : {}) });

  async function claim(id: string, actor: TaskActor): Promise<FollowUpTask> {
    const at = clock();
    const task = await change(id, (t) => {
      if (t.status === 'closed') throw new ConflictError('TASK_CLOSED', '这条任务已经关闭');
      if (t.claimedBy === actor.id) return null;
      requireTaskSight(t, actor);
      if (t.claimedBy && !actor.admin) throw new ConflictError('TASK_CLAIMED', `这条任务已由 ${t.claimedBy} 接手`);
      return { ...t, status: 'claimed', claimedBy: actor.id, claimedAt: at, actions: [...t.actions, act(actor, 'claimed')] };
    });
    // Claiming one's own task again changes nothing and records nothing.
    if (task.claimedAt?.getTime() === at.getTime()) await after(task, actor, 'task.claimed', `claimed:${at.toISOString()}`, '接手');
    return task;
  }

  async function note(id: string, actor: TaskActor, text: string): Promise<FollowUpTask> {
    const at = clock();
    const task = await change(id, (t) => {
      // Checked under the task's lock, so a claim cannot slip in between check and write.
      requireTaskHandler(t, actor);
      return { ...t, notes: [...t.notes, { at, by: actor.id, text }], actions: [...t.actions, act(actor, 'noted')] };
    });
    await after(task, actor, 'task.noted', `noted:${at.toISOString()}`, `备注：${text.slice(0, 60)}`);
    return task;
  }

  async function close(id: string, actor: TaskActor, input: { outcome: TaskOutcome; note?: string }): Promise<FollowUpTask> {
    const at = clock();
    const task = await change(id, (t) => {
      requireTaskHandler(t, actor);
      // A repeated close (a double click, a retry after a timeout) changes nothing.
      if (t.status === 'closed') {
        if (t.outcome === input.outcome) return null;
        throw new ConflictError('TASK_CLOSED', `这条任务已由 ${t.closedBy} 关闭（${t.outcome}）`);
      }
      return {
        ...t,
        status: 'closed',
        outcome: input.outcome,
        closedAt: at,
        closedBy: actor.id,
        ...(t.claimedBy ? {} : { claimedBy: actor.id, claimedAt: at }),
        notes: input.note ? [...t.notes, { at, by: actor.id, text: input.note }] : t.notes,
        actions: [...t.actions, act(actor, 'closed', input.outcome)],
      };
    });
    // A repeated close re-runs the (idempotent) effects, in case the first one was cut short.
    await deps.effects.add(task.id);
    await closeEffects(task);
    if (task.closedAt?.getTime() !== at.getTime()) return task;
    await deps.audit.record({ actor: actor.id, actorRole: actor.admin ? 'admin' : 'advisor', action: 'task.closed', flowId: task.flowId, note: task.id, details: { outcome: task.outcome, sessionId: task.sessionId } });
    return task;
  }

  const closeEffects = (task: FollowUpTask) => carryOutClose(deps, task, link(task.id));

  async function after(task: FollowUpTask, actor: TaskActor, action: 'task.claimed' | 'task.noted', key: string, detail: string): Promise<void> {
    await deps.log.append(task.sessionId, [{ key: `task:${task.id}:${key}`, at: clock(), by: actor.id, action: action.replace('.', '_'), detail }]);
    await deps.audit.record({ actor: actor.id, actorRole: actor.admin ? 'admin' : 'advisor', action, flowId: task.flowId, note: task.id });
  }

  /** Finishes closes a crash interrupted (run now and then). */
  async function sweep(): Promise<number> {
    const ids = await deps.effects.list();
    for (const id of ids) {
      const task = await deps.tasks.get(id);
      if (task) await closeEffects(task);
      else await deps.effects.remove(id);
    }
    return ids.length;
  }

  async function list(status: 'open' | 'closed', limit: number): Promise<FollowUpTask[]> {
    return deps.tasks.getMany(await deps.tasks.listIds(status, limit));
  }

  /** A task with the session's transcript and follow-up log. */
  async function detail(id: string) {
    const task = await mustGet(id);
    const session = await deps.sessions.findById(task.sessionId);
    const transcript = session ? await deps.sessions.transcript(session) : [];
    return { task, session, transcript, log: await deps.log.read(task.sessionId) };
  }

  return { createFromRules, claim, note, close, sweep, list, detail, get: mustGet, countOpen: () => deps.tasks.countOpen(), link };
}

export type TaskService = ReturnType<typeof createTaskService>;

/** A task as the APIs show it. */
export function taskView(task: FollowUpTask, now: Date) {
  return {
    id: task.id,
    sessionId: task.sessionId,
    flowId: task.flowId,
    ruleId: task.ruleId,
    customer: { id: task.customerId, conversationKey: task.conversationKey, nickname: task.nickname ?? null },
    reason: task.reason,
    createdAt: task.createdAt.toISOString(),
    dueAt: task.dueAt.toISOString(),
    overdue: task.status !== 'closed' && task.dueAt.getTime() < now.getTime(),
    status: task.status,
    claimedBy: task.claimedBy ?? null,
    claimedAt: task.claimedAt?.toISOString() ?? null,
    outcome: task.outcome ?? null,
    closedAt: task.closedAt?.toISOString() ?? null,
    closedBy: task.closedBy ?? null,
    notes: task.notes.map((n) => ({ at: n.at.toISOString(), by: n.by, text: n.text })),
    context: task.context,
    actions: task.actions.map((a) => ({ ...a, at: a.at.toISOString() })),
  };
}

/** The task a fired rule asks for, with what the advisor needs to see: reason, due time, score, answers. */
function newTask(id: string, session: SessionRecord, planned: ReturnType<typeof planTask>, facts: RuleFacts, at: Date, ruleId: string): NewTask {
  return {
    id,
    sessionId: session.id,
    ruleId,
    flowId: session.flowId,
    conversationKey: session.conversationKey,
    customerId: session.conversation.customerId,
    ...(session.customerFields.nickname ? { nickname: session.customerFields.nickname } : {}),
    reason: planned.reason,
    createdAt: at,
    dueAt: planned.dueAt,
    context: {
      ...(facts.npsScore !== undefined ? { npsScore: facts.npsScore } : {}),
      ...(facts.group ? { group: facts.group } : {}),
      ...(facts.segment ? { segment: facts.segment } : {}),
      answers: facts.facts.answers.filter((a) => !a.missing).map((a) => ({ stepId: a.stepId, ...(facts.labels[a.stepId] ? { label: facts.labels[a.stepId] } : {}), kind: a.kind, text: a.raw })),
    },
  };
}

async function createTasksFromRules(
  deps: Pick<TaskServiceDeps, 'tasks' | 'audit'>,
  log: Logger,
  { session, fired, facts, at }: { session: SessionRecord; fired: readonly FiredRule[]; facts: RuleFacts; at: Date },
): Promise<string[]> {
  const ids: string[] = [];
  for (const rule of fired) {
    if (!rule.task) continue;
    const id = taskIdFor(session.id, rule.ruleId);
    const { created } = await deps.tasks.createOnce(
      newTask(id, session, planTask({ ...rule, task: rule.task }, facts, at), facts, at, rule.ruleId),
      { at, by: 'system', action: 'created', detail: rule.ruleId },
    );
    if (created) {
      await deps.audit.record({ actor: 'system', actorRole: 'system', action: 'task.created', flowId: session.flowId, note: id, details: { sessionId: session.id, ruleId: rule.ruleId } });
      log.info({ taskId: id, sessionId: session.id, ruleId: rule.ruleId }, 'follow-up task created');
    }
    ids.push(id);
  }
  return ids;
}

/** What a close owes the rest of the system (session, follow-up log, webhook); each step is idempotent. */
async function carryOutClose(deps: Pick<TaskServiceDeps, 'recordOnSession' | 'log' | 'webhooks' | 'effects'>, task: FollowUpTask, taskLink: string): Promise<void> {
  if (task.status !== 'closed' || !task.closedAt || !task.outcome) return;
  const closed = { taskId: task.id, ruleId: task.ruleId, outcome: task.outcome, closedAt: task.closedAt, closedBy: task.closedBy ?? 'unknown' };
  const contact = contactOutcomes.includes(task.outcome);
  await deps.recordOnSession(task.sessionId, (current) => {
    const tasks = [...(current?.tasks ?? []).filter((t) => t.taskId !== task.id), closed];
    const first = current?.contactedAt;
    const contactedAt = contact && (!first || task.closedAt! < first) ? task.closedAt! : first;
    return { tasks, ...(contactedAt ? { contactedAt } : {}) };
  });
  await deps.log.append(task.sessionId, [
    { key: `task:${task.id}:closed`, at: task.closedAt, by: task.closedBy ?? 'unknown', action: 'task_closed', detail: `${task.ruleId}：${task.outcome}` },
  ]);
  await deps.webhooks.publish({ type: 'task.closed', eventKey: `task:${task.id}:closed`, at: task.closedAt, sessionId: task.sessionId, data: taskData(task, { task: taskLink }) });
  await deps.effects.remove(task.id);
}
