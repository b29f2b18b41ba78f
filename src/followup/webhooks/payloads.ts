import type { ResponseFacts } from '../../sessionFacts/types.ts';
import { maskPiiDeep } from '../../core/maskPii.ts';
import type { CustomerTag, FollowUpTask, WebhookEventType } from '../types.ts';

/**
 * What webhook receivers get: `{type, timestamp, data}` as Standard Webhooks suggests, with the
 * session's answers and the analyser's readings. Everything outbound passes `redactOutbound`.
 */

/**
 * `masked` (default): personal numbers in every string of the payload are masked (`138****5678`);
 * `full`: sent as the customer wrote them (WEBHOOK_PII=full, for a receiver that must call back).
 */
export type WebhookPii = 'masked' | 'full';

/**
 * The one place outbound payloads pass before they are stored and signed. Personal numbers in
 * customers' words (answers' `raw`, task notes, nicknames) are masked unless the operator chose
 * `full`: the payload is stored and shown in /admin as sent, so masking here covers both.
 */
export function redactOutbound<T>(data: T, pii: WebhookPii = 'masked'): T {
  return pii === 'full' ? data : maskPiiDeep(data);
}

export interface OutboundMessageBody {
  type: WebhookEventType;
  /** When the event happened (ISO). */
  timestamp: string;
  data: Record<string, unknown>;
}

/** The body text of a message: fixed once built, so every retry and replay signs the same bytes. */
export function messageBody(type: WebhookEventType, at: Date, data: Record<string, unknown>, pii: WebhookPii = 'masked'): string {
  const body: OutboundMessageBody = { type, timestamp: at.toISOString(), data: redactOutbound(data, pii) };
  return JSON.stringify(body);
}

/** `data` of survey.completed / survey.escalated / customer.opted_out. */
export function surveyData(
  facts: ResponseFacts,
  extra: { segment?: string; rules: string[]; taskIds: string[]; tags: CustomerTag[]; links: Record<string, string>; escalation?: { trigger: string; reason: string } },
): Record<string, unknown> {
  return {
    sessionId: facts.sessionId,
    flowId: facts.flowId,
    flowVersion: facts.flowVersion,
    status: facts.status,
    customer: { id: facts.customerId, ...(facts.nickname ? { nickname: facts.nickname } : {}) },
    startedAt: facts.createdAt.toISOString(),
    ...(facts.completedAt ? { completedAt: facts.completedAt.toISOString() } : {}),
    nps: facts.npsScore === undefined ? null : { score: facts.npsScore, group: facts.group ?? null },
    repurchaseIntent: facts.intent ?? null,
    segment: extra.segment ?? null,
    dimensions: facts.dims,
    answers: facts.answers.map((a) => ({
      stepId: a.stepId,
      kind: a.kind,
      value: a.value,
      raw: a.raw,
      missing: a.missing,
      at: a.at.toISOString(),
      ...(a.sentiment ? { sentiment: a.sentiment } : {}),
      ...(a.topics.length ? { topics: a.topics } : {}),
      ...(a.timing ? { timing: a.timing } : {}),
      ...(a.products.length ? { products: a.products } : {}),
      ...(a.factors?.length ? { factors: a.factors } : {}),
      ...(a.openInterest ? { openInterest: true } : {}),
    })),
    ...(extra.escalation ? { escalation: extra.escalation } : {}),
    followUp: { rules: extra.rules, tasks: extra.taskIds, tags: extra.tags.map((t) => t.name) },
    links: extra.links,
  };
}

/** `data` of task.closed. */
export function taskData(task: FollowUpTask, links: Record<string, string>): Record<string, unknown> {
  return {
    taskId: task.id,
    sessionId: task.sessionId,
    flowId: task.flowId,
    ruleId: task.ruleId,
    customer: { id: task.customerId, ...(task.nickname ? { nickname: task.nickname } : {}) },
    reason: task.reason,
    createdAt: task.createdAt.toISOString(),
    dueAt: task.dueAt.toISOString(),
    outcome: task.outcome ?? null,
    closedAt: task.closedAt?.toISOString() ?? null,
    closedBy: task.closedBy ?? null,
    notes: task.notes.map((n) => ({ at: n.at.toISOString(), by: n.by, text: n.text })),
    links,
  };
}
