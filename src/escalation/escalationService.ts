import { createAdvisorNotifications } from './advisorNotifications.ts';
import { createConsoleActions } from './consoleActions.ts';
import { createConsoleView } from './consoleView.ts';
import { createEscalationContext, type EscalationJob, type EscalationServiceDeps, type EscalationTimer } from './escalationTypes.ts';
import { createEscalationRaising } from './raiseEscalation.ts';
import { createWecomHandOver } from './wecomHandOver.ts';
import { createWecomStateReader } from './wecomStateReader.ts';

export { DEFAULT_NOTICE } from './escalationTypes.ts';
export type { ConsoleActor, ConversationControl, EscalationJob, EscalationServiceDeps, EscalationSettings, EscalationTimer, ReplyMode } from './escalationTypes.ts';

export type EscalationService = ReturnType<typeof createEscalationService>;

/**
 * Hand-over to human advisors, in five parts that share one context (escalationTypes.ts):
 * raising (raiseEscalation.ts: the conversation's hooks), the WeCom hand-over
 * (wecomHandOver.ts), notifications (advisorNotifications.ts), the console view
 * (consoleView.ts) and console actions (consoleActions.ts). This file routes queued jobs and
 * timers to them. Every change is recorded on the escalation's `actions`.
 */
export function createEscalationService(deps: EscalationServiceDeps) {
  const log = deps.logger.child({ module: 'escalation' });
  const ctx = createEscalationContext(deps, createWecomStateReader(deps.channel, log));
  const raising = createEscalationRaising(ctx);
  const notifications = createAdvisorNotifications(ctx);
  const handOver = createWecomHandOver(ctx, notifications);

  async function runJob(job: EscalationJob): Promise<void> {
    switch (job.kind) {
      case 'handover':
        return handOver.handOverInWecom(job.escalationId, job.notice);
      case 'notify':
        return notifications.notify(job.escalationId, job.round);
      case 'app':
        return notifications.sendAppMessage(job.escalationId, job.round);
      case 'robot':
        await deps.notifier.flushRobot();
        return;
    }
  }

  async function runTimer(timer: EscalationTimer): Promise<void> {
    const e = await deps.escalations.findById(timer.escalationId);
    if (!e || e.status === 'resolved') return;
    if (timer.kind === 'sla') return notifications.replyOverdue(e, timer.round);
    if (e.handover !== 'waiting_reason') return;
    ctx.log.info({ escalationId: e.id }, 'detractor did not say why in time; handing over now');
    if (await deps.conversation().handOver(e.sessionId)) return; // the turn's report starts the transfer
    const session = await deps.sessions.findById(e.sessionId);
    if (session?.status === 'opted_out') {
      const resolved = { status: 'resolved' as const, resolvedAt: ctx.clock(), resolvedBy: 'system', handBack: 'none' as const };
      await ctx.counted(await deps.escalations.update(e.id, resolved, ctx.action('system', 'resolved', '顾客已退订，不再联系')));
      return;
    }
    await raising.startHandOver(e, undefined);
  }

  return {
    hooks: raising.hooks,
    runJob,
    runTimer,
    onRobotSent: notifications.onRobotSent,
    ...createConsoleView(ctx),
    ...createConsoleActions(ctx),
  };
}
