import type { EscalationRecord } from '../core/escalations.ts';
import { ForbiddenError } from '../core/errors.ts';

/** Who acts in the console, as far as access is concerned. */
export interface ConsoleViewer {
  id: string;
  wecomUserId?: string;
  admin: boolean;
}

/**
 * What a console user may do with one escalation:
 * - `full`: it is theirs (they claimed or answered it, or hold the chat in WeCom under their
 *   `wecomUserId`), or they are an admin: the customer's words unmasked, every action;
 * - `masked`: nobody in the console has it yet and they may take it (any advisor while the flow
 *   names no advisors, else the flow's advisors by WeCom user id): listed and opened with phone,
 *   ID and card numbers and emails masked, so they can decide to claim; claiming makes it `full`;
 * - `none`: another advisor's, or resolved by someone else: not listed, 403 ESCALATION_NOT_YOURS.
 *
 * A chat a WeCom servicer without a console account holds (`assignedTo: wecom:<userid>`) counts as
 * nobody's in the console, so a flow advisor can still claim it.
 */
export type EscalationAccess = 'full' | 'masked' | 'none';

type Subject = Pick<EscalationRecord, 'status' | 'assignedTo' | 'servicerId' | 'advisors' | 'resolvedBy'>;

export function escalationAccess(e: Subject, viewer: ConsoleViewer): EscalationAccess {
  if (viewer.admin || handles(e, viewer)) return 'full';
  if (e.status === 'resolved') return 'none';
  const heldInConsole = e.assignedTo !== undefined && !e.assignedTo.startsWith('wecom:');
  if (heldInConsole) return 'none';
  const candidate = e.advisors.length === 0 || (viewer.wecomUserId !== undefined && e.advisors.includes(viewer.wecomUserId));
  return candidate ? 'masked' : 'none';
}

/** Throws unless `viewer` may see the escalation (masked or in full); returns the access. */
export function requireSight(e: Subject & { id: string }, viewer: ConsoleViewer): 'full' | 'masked' {
  const access = escalationAccess(e, viewer);
  if (access === 'none') throw notYours(e);
  return access;
}

/** Throws unless the escalation is `viewer`'s (or they are an admin): replying and resolving. */
export function requireHandler(e: Subject & { id: string }, viewer: ConsoleViewer): void {
  const access = escalationAccess(e, viewer);
  if (access === 'full') return;
  if (access === 'masked') throw new ForbiddenError('请先接手这条转人工，再回复或解决', { escalationId: e.id }, 'ESCALATION_NOT_CLAIMED');
  throw notYours(e);
}

function handles(e: Subject, viewer: ConsoleViewer): boolean {
  if (e.assignedTo === viewer.id || e.resolvedBy === viewer.id) return true;
  return viewer.wecomUserId !== undefined && e.servicerId === viewer.wecomUserId;
}

function notYours(e: Subject & { id: string }): ForbiddenError {
  return new ForbiddenError(`这条转人工由${e.assignedTo ? ` ${e.assignedTo} ` : '其他顾问'}负责，只有负责的顾问和管理员可以查看`, { escalationId: e.id }, 'ESCALATION_NOT_YOURS');
}

/** The customer's words in a console view, masked: the reason, their words, the summary. */
export function maskEscalationView<T extends { reason: string; customerWords: string | null; summary: string[] }>(view: T, mask: (text: string) => string): T {
  return { ...view, reason: mask(view.reason), customerWords: view.customerWords === null ? null : mask(view.customerWords), summary: view.summary.map(mask) };
}

/** A transcript and answers with every text masked (`raw` is what the customer wrote). */
export function maskSessionTexts<S extends { answers: Record<string, unknown>; transcript: Array<{ text: string }> }>(session: S, mask: (text: string) => string): S {
  const answers = Object.fromEntries(Object.entries(session.answers).map(([step, a]) => [step, maskAnswer(a, mask)]));
  return { ...session, answers, transcript: session.transcript.map((t) => ({ ...t, text: mask(t.text) })) };
}

// A text answer's `value` is the customer's text too, not only its `raw`.
function maskAnswer(answer: unknown, mask: (text: string) => string): unknown {
  if (typeof answer !== 'object' || answer === null) return answer;
  const { raw, value } = answer as { raw?: unknown; value?: unknown };
  return { ...answer, ...(typeof raw === 'string' ? { raw: mask(raw) } : {}), ...(typeof value === 'string' ? { value: mask(value) } : {}) };
}

/** An escalation's action log, masked: a trigger's detail quotes the customer. */
export function maskActions<A extends { detail?: string }>(actions: readonly A[], mask: (text: string) => string): A[] {
  return actions.map((a) => (a.detail === undefined ? a : { ...a, detail: mask(a.detail) }));
}
