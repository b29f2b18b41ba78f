import type { EscalationHooks, TurnOutcome } from '../conversation/conversationService.ts';
import { activeEscalationStatuses, type EscalationRecord } from '../core/escalations.ts';
import type { InboundMessage } from '../core/messages.ts';
import type { SessionRecord } from '../core/sessions.ts';
import type { EngineEffect, TurnResult } from '../engine/index.ts';
import type { EscalationContext } from './escalationTypes.ts';
import { readSessionFacts, triggerLabels } from './summarizeSession.ts';

export interface EscalationRaising {
  /** What the conversation layer calls on each turn. */
  hooks: EscalationHooks;
  /** Queues the WeCom hand-over of an opened escalation (once: the job id keeps it to one). */
  startHandOver(record: EscalationRecord, notice: TurnOutcome['notice']): Promise<void>;
}

/**
 * Raising: the conversation reports each turn that raised an escalation or handed the chat over;
 * this records an Escalation (one active per session), waits for a detractor's reason when the
 * flow asks why, and queues the hand-over. WeCom's own events (an advisor replying in the client,
 * a transfer, the end of the chat) are noted on the active escalation.
 */
export function createEscalationRaising(ctx: EscalationContext): EscalationRaising {
  const { deps, settings, log, action } = ctx;

  const hooks: EscalationHooks = {
    handOverNow,
    async afterTurn(outcome) {
      await raise(outcome);
    },
    async recorded(session, message) {
      await noteRecorded(session, message);
    },
    async heldSession(conversationKey) {
      const e = await deps.escalations.findActiveByConversation(conversationKey);
      return e ? deps.sessions.findById(e.sessionId) : null;
    },
  };

  async function handOverNow(session: SessionRecord, result: TurnResult): Promise<boolean> {
    const automatic = result.effects.filter((e): e is Extract<EngineEffect, { type: 'escalate' }> => e.type === 'escalate' && e.trigger !== 'intent');
    if (automatic.length) {
      // A detractor who is being asked why gets to say it: the advisor then hears it in their words.
      const waitForReason = settings.reasonWaitMinutes > 0 && automatic.every((e) => e.trigger === 'detractor') && result.awaiting?.question === 'reason';
      return !waitForReason;
    }
    // Cheap checks first: most turns have nothing pending, and the lookup below is a scan on FerretDB.
    if (session.escalation?.trigger !== 'detractor') return false;
    const awaiting = session.awaiting as { stepId?: string } | null;
    const stepId = awaiting?.stepId;
    if (!stepId || !result.effects.some((e) => e.type === 'answer.recorded' && e.stepId === stepId)) return false;
    const open = await deps.escalations.findActiveBySession(session.id);
    return open?.handover === 'waiting_reason' && open.reasonStepId === stepId;
  }

  async function raise(outcome: TurnOutcome): Promise<void> {
    const { session } = outcome;
    let record = await deps.escalations.findActiveBySession(session.id);
    for (const request of outcome.escalations) {
      if (record) {
        // A replayed turn reports the same trigger again: note it once.
        const noted = record.actions.some((a) => (a.action === 'trigger' && a.detail === request.reason) || (a.action === 'opened' && a.detail?.endsWith(`｜${request.reason}`)));
        if (!noted) await deps.escalations.update(record.id, {}, action('system', 'trigger', request.reason));
        continue;
      }
      const opened = await openEscalation(ctx, outcome, request);
      record = opened.record;
      if (!opened.created) continue;
      await ctx.counted(record);
      const waiting = record.handover === 'waiting_reason';
      log.info({ escalationId: record.id, sessionId: session.id, trigger: request.trigger, waitingForReason: waiting }, 'escalation opened');
      if (waiting) {
        await deps.timers.add({ kind: 'deadline', escalationId: record.id }, { jobId: `deadline-${record.id}`, delayMs: settings.reasonWaitMinutes * 60_000 });
      } else {
        await startHandOver(record, outcome.notice);
        record = null; // started: nothing below applies
      }
    }
    // A replayed turn finds its escalation opened but maybe not yet handed over (the job was never
    // queued: the process stopped in between): queue it again; the job id keeps it to one.
    if (record && (record.handover === 'pending' || (outcome.handedOver && record.handover === 'waiting_reason'))) await startHandOver(record, outcome.notice);
    if (outcome.handedOver && !record && !outcome.escalations.length) {
      // Handed over with nothing raised (a direct `handOver` call): the session still gets its escalation.
      await raise({ ...outcome, escalations: [{ session, trigger: 'manual', reason: '转人工', stepId: '', advisors: [] }] });
    }
  }

  async function startHandOver(record: EscalationRecord, notice: TurnOutcome['notice']): Promise<void> {
    const moved = await deps.escalations.update(record.id, { handover: 'pending' }, undefined, { handover: ['waiting_reason', 'pending'], status: activeEscalationStatuses });
    if (!moved) return;
    await deps.jobs.add({ kind: 'handover', escalationId: record.id, ...(notice ? { notice } : {}) }, { jobId: `handover-${record.id}` });
  }

  async function noteRecorded(session: SessionRecord, message: InboundMessage): Promise<void> {
    if (message.kind !== 'servicer_text' && message.kind !== 'session_status') return;
    const e = await deps.escalations.findActiveBySession(session.id);
    if (!e) return;
    if (message.kind === 'servicer_text') return noteServicerReply(ctx, e, message);
    ctx.wecomState.forget(e.id);
    if ((message.changeType === 1 || message.changeType === 2) && message.newServicerId) {
      if (e.servicerId === message.newServicerId && e.status === 'assigned') return; // our own transfer coming back
      const by = await ctx.actorForServicer(message.newServicerId);
      await deps.escalations.update(
        e.id,
        { status: 'assigned', handover: 'person', servicerId: message.newServicerId, wecomState: 3, assignedTo: by, assignedAt: message.sentAt },
        action(by, 'wecom_assigned', message.changeType === 1 ? `${message.newServicerId} 从排队中接入` : `企业微信转接给 ${message.newServicerId}`),
      );
    } else if (message.changeType === 3) {
      await deps.escalations.update(e.id, { wecomState: 4 }, action(message.oldServicerId ? await ctx.actorForServicer(message.oldServicerId) : 'system', 'wecom_ended', '企业微信会话已结束'));
    }
  }

  return { hooks, startHandOver };
}

/** Opens the session's escalation for one request (or finds it opened by a replay of the same turn). */
function openEscalation({ deps, action }: EscalationContext, outcome: TurnOutcome, request: TurnOutcome['escalations'][number]) {
  const { session } = outcome;
  const label = triggerLabels[request.trigger] ?? request.trigger;
  const stillSurveying = session.status === 'active' || session.status === 'paused';
  const awaiting = session.awaiting as { stepId?: string } | null;
  const waiting = !outcome.handedOver && stillSurveying && request.trigger === 'detractor' && awaiting?.stepId !== undefined;
  const facts = readSessionFacts(session);
  return deps.escalations.openOnce(
    {
      sessionId: session.id,
      conversation: session.conversation,
      conversationKey: session.conversationKey,
      flowId: session.flowId,
      trigger: request.trigger,
      reason: request.reason,
      handover: waiting ? 'waiting_reason' : 'pending',
      advisors: request.advisors,
      ...(waiting ? { reasonStepId: awaiting.stepId } : {}),
      ...(session.customerFields.nickname ? { nickname: session.customerFields.nickname } : {}),
      ...(facts.score !== undefined ? { score: facts.score } : {}),
    },
    action('system', 'opened', `${label}｜${request.reason}`),
  );
}

/** An advisor answered in the WeCom client: that is the first reply, and the escalation is theirs. */
async function noteServicerReply(ctx: EscalationContext, e: EscalationRecord, message: Extract<InboundMessage, { kind: 'servicer_text' }>): Promise<void> {
  const { deps, action } = ctx;
  const by = await ctx.actorForServicer(message.servicerId);
  await ctx.firstReplied(e.id, await deps.escalations.markFirstReply(e.id, message.sentAt, by));
  if (e.status !== 'open') return;
  await deps.escalations.update(
    e.id,
    { status: 'assigned', assignedTo: by, assignedAt: message.sentAt, servicerId: message.servicerId, wecomState: 3 },
    action(by, 'assigned', '在企业微信客户端回复'),
    { status: ['open'] },
  );
}
