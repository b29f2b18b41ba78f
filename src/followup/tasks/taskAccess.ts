import { ForbiddenError } from '../../core/errors.ts';
import type { FollowUpTask } from '../types.ts';

/**
 * What a console user may do with one follow-up task:
 * - `full`: they claimed (or closed) it, or they are an admin: the customer's words unmasked,
 *   notes and close;
 * - `masked`: it is open and nobody has claimed it: every advisor sees it in the shared queue
 *   with phone, ID and card numbers and emails masked, and may claim it (then it is `full`);
 * - `none`: another advisor's: not listed, 403 TASK_NOT_YOURS.
 */
export type TaskAccess = 'full' | 'masked' | 'none';

type Subject = Pick<FollowUpTask, 'id' | 'status' | 'claimedBy' | 'closedBy'>;

export function taskAccess(task: Subject, viewer: { id: string; admin: boolean }): TaskAccess {
  if (viewer.admin || task.claimedBy === viewer.id || task.closedBy === viewer.id) return 'full';
  return task.status === 'open' && !task.claimedBy ? 'masked' : 'none';
}

/** Throws unless `viewer` may see the task (masked or in full); returns the access. */
export function requireTaskSight(task: Subject, viewer: { id: string; admin: boolean }): 'full' | 'masked' {
  const access = taskAccess(task, viewer);
  if (access === 'none') throw new ForbiddenError(`这条回访任务由 ${task.claimedBy ?? task.closedBy ?? '其他顾问'} 负责，只有负责的顾问和管理员可以查看`, { taskId: task.id }, 'TASK_NOT_YOURS');
  return access;
}

/** Throws unless the task is `viewer`'s (or they are an admin): notes and closing. */
export function requireTaskHandler(task: Subject, viewer: { id: string; admin: boolean }): void {
  if (requireTaskSight(task, viewer) === 'masked') throw new ForbiddenError('请先接手这条回访任务，再备注或关闭', { taskId: task.id }, 'TASK_NOT_CLAIMED');
}

/** A task view with the customer's words masked: the reason, the answers, the notes, the action log. */
export function maskTaskView<V extends { reason: string; notes: Array<{ text: string }>; context: { answers: Array<{ text: string }> }; actions: Array<{ detail?: string }> }>(view: V, mask: (text: string) => string): V {
  return {
    ...view,
    actions: view.actions.map((a) => (a.detail === undefined ? a : { ...a, detail: mask(a.detail) })),
    reason: mask(view.reason),
    notes: view.notes.map((n) => ({ ...n, text: mask(n.text) })),
    context: { ...view.context, answers: view.context.answers.map((a) => ({ ...a, text: mask(a.text) })) },
  };
}
