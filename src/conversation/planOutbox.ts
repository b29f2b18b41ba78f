import type { OutboundMessage } from '../core/messages.ts';
import { openSessionStatuses, type PendingEffect, type PendingSend, type SessionStatus, type TranscriptEntry } from '../core/sessions.ts';
import type { Awaiting, EngineEffect } from '../engine/index.ts';
import { mergeForWelcome, outboundText } from './outboundText.ts';

/** What one change to a session says and does, before it is saved. */
export interface TurnOutput {
  messages: OutboundMessage[];
  effects: EngineEffect[];
  awaiting: Awaiting | null;
  status: SessionStatus;
}

/** Where the session stands before the change. */
export interface PlanBase {
  /** Absent for a session being created. */
  status?: SessionStatus;
  transcriptLength: number;
  askedSteps: string[];
}

export interface PlanOptions {
  /** Unique per change: the outbound idempotency keys derive from it. */
  keyBase: string;
  /** The customer's message that caused the change, recorded with it. */
  inbound?: TranscriptEntry;
  /** A one-shot WeCom code that carries the first message. */
  welcomeCode?: string;
  now: Date;
  /** The session's flow, for remembering `once` questions per flow. */
  flowId?: string;
}

/** The outbox and bookkeeping fields one change writes together with its answers. */
export interface OutboxPlan {
  outbox: PendingEffect[];
  transcriptLength: number;
  askedSteps: string[];
  lastBotText?: string;
}

/**
 * Plans the outbox of one change (pure): the inbound entry and every reply take the next
 * transcript positions; escalations, an opt-out and timers become effects carried out after the
 * save, so a crash or a failed send never loses one; so do the milestones follow-up acts on
 * (completed, handed over, opted out). Order: replies first, so the customer hears
 * "a colleague will reply" before the advisor side moves the chat.
 */
export function planOutbox(base: PlanBase, turn: TurnOutput, options: PlanOptions): OutboxPlan {
  let seq = base.transcriptLength;
  const outbox: PendingEffect[] = [];
  if (options.inbound) outbox.push({ kind: 'transcript', entries: [{ ...options.inbound, seq: seq++ }] });
  for (const send of toSends(options.keyBase, turn.messages, turn.awaiting, options.welcomeCode)) outbox.push({ kind: 'send', ...send, seq: seq++ });

  const requests = turn.effects.flatMap((e) =>
    e.type === 'escalate' ? [{ trigger: e.trigger, reason: e.reason, stepId: e.stepId, advisors: e.advisors }] : [],
  );
  const handedOver = base.status !== undefined && base.status !== 'escalated' && turn.status === 'escalated';
  if (requests.length || handedOver) outbox.push({ kind: 'escalation', requests, handedOver });
  const optedOut = turn.effects.some((e) => e.type === 'opt_out');
  if (optedOut) outbox.push({ kind: 'opt_out', at: options.now });
  const once = turn.effects.flatMap((e) => (e.type === 'asked.once' ? [e.stepId] : []));
  if (once.length && options.flowId) outbox.push({ kind: 'remember_asked', flowId: options.flowId, stepIds: once });
  for (const effect of turn.effects) {
    if (effect.type !== 'schedule.reminder' && effect.type !== 'schedule.expiry') continue;
    const timer = effect.type === 'schedule.reminder' ? 'reminder' : 'expiry';
    outbox.push({ kind: 'timer', timer, dueAt: new Date(options.now.getTime() + effect.afterHours * 3_600_000) });
  }
  if (!openSessionStatuses.includes(turn.status)) outbox.push({ kind: 'cancel_timers' });
  // Follow-up (rules, tags, webhooks) hears of each milestone once: when the status changes to it.
  if (base.status !== undefined && base.status !== 'completed' && turn.status === 'completed') outbox.push({ kind: 'followup', event: 'completed', at: options.now });
  if (handedOver) outbox.push({ kind: 'followup', event: 'escalated', at: options.now });
  if (optedOut) outbox.push({ kind: 'followup', event: 'opted_out', at: options.now });
  outbox.push({ kind: 'record' });

  const asked = turn.messages.length && turn.awaiting && !base.askedSteps.includes(turn.awaiting.stepId) ? [turn.awaiting.stepId] : [];
  const last = turn.messages.at(-1);
  return {
    outbox,
    transcriptLength: seq,
    askedSteps: [...base.askedSteps, ...asked],
    ...(last ? { lastBotText: outboundText(last) } : {}),
  };
}

/** The messages as sends with fixed keys; a welcome code takes what one message can carry. */
function toSends(keyBase: string, messages: OutboundMessage[], awaiting: Awaiting | null, welcomeCode?: string): PendingSend[] {
  const stepId = awaiting?.stepId;
  const list: PendingSend[] = [];
  let rest = messages;
  if (welcomeCode) {
    const merged = mergeForWelcome(messages);
    if (merged.welcome) list.push({ key: `${keyBase}-w`, message: merged.welcome, welcomeCode, ...(stepId ? { stepId } : {}) });
    rest = merged.rest;
  }
  rest.forEach((message, index) => list.push({ key: `${keyBase}-${index}`, message, ...(stepId ? { stepId } : {}) }));
  return list;
}
