import type { EscalationRecord, EscalationRepository } from '../core/escalations.ts';
import type { RobotItem } from './advisorNotifier.ts';
import type { EscalationContext } from './escalationTypes.ts';
import { renderEscalationSection } from './notificationMarkdown.ts';
import { readSessionFacts, ruleSummary } from './summarizeSession.ts';

/**
 * Notifications: advisors hear of each handed-over escalation through the group robot and an app
 * message, with a summary (LLM, or rules), and again every `renotifyMinutes` while nobody
 * replied (`renotifyRounds` times). Each notice is noted on the escalation's trail.
 */
export function createAdvisorNotifications(ctx: EscalationContext) {
  const { deps, settings, action, clock } = ctx;

  async function queueFirstNotice(escalationId: string): Promise<void> {
    await deps.jobs.add({ kind: 'notify', escalationId, round: 1 }, { jobId: `notify-${escalationId}-1` });
    if (settings.renotifyRounds > 0) {
      await deps.timers.add({ kind: 'sla', escalationId, round: 1 }, { jobId: `sla-${escalationId}-1`, delayMs: settings.renotifyMinutes * 60_000 });
    }
  }

  /** The reply deadline of a round passed: notify again unless someone replied, and set the next deadline. */
  async function replyOverdue(e: EscalationRecord, round: number): Promise<void> {
    if (e.firstReplyAt) return;
    ctx.log.info({ escalationId: e.id, round }, 'no advisor reply yet; notifying again');
    await deps.jobs.add({ kind: 'notify', escalationId: e.id, round: round + 1 }, { jobId: `notify-${e.id}-${round + 1}` });
    if (round < settings.renotifyRounds) {
      await deps.timers.add({ kind: 'sla', escalationId: e.id, round: round + 1 }, { jobId: `sla-${e.id}-${round + 1}`, delayMs: settings.renotifyMinutes * 60_000 });
    }
  }

  async function notify(escalationId: string, round: number): Promise<void> {
    let e = await deps.escalations.findById(escalationId);
    if (!e || e.notifiedRounds >= round) return;
    if (round > 1 && (e.status === 'resolved' || e.firstReplyAt)) return;
    if (!e.summary.length) e = await writeSummary(e);
    const section = renderEscalationSection({ escalation: e, consoleUrl: consoleLink(e.id), round, now: clock() });
    await deps.notifier.queueRobot({ escalationId: e.id, round, section });
    const channels = [deps.notifier.hasRobot ? '群机器人' : '', deps.notifier.hasApp && appRecipients(e).length ? '应用消息' : ''].filter(Boolean).join('、') || '（未配置通知渠道）';
    const marked = await deps.escalations.update(
      e.id,
      { notifiedRounds: round, lastNotifiedAt: clock() },
      action('system', round === 1 ? 'notified' : 'renotified', `第 ${round} 次通知：${channels}`),
      { notifiedRoundsBelow: round },
    );
    if (marked && deps.notifier.hasApp && appRecipients(marked).length) {
      await deps.jobs.add({ kind: 'app', escalationId: e.id, round }, { jobId: `app-${e.id}-${round}` });
    }
  }

  async function writeSummary(e: EscalationRecord): Promise<EscalationRecord> {
    const session = await deps.sessions.findById(e.sessionId);
    if (!session) return e;
    const transcript = await deps.sessions.transcript(session);
    const facts = readSessionFacts(session, transcript);
    const llmFullText = (await deps.llmFullText?.(session).catch(() => false)) ?? false;
    let summary = deps.summarizer
      ? await deps.summarizer.summarize({ lines: facts.lines, facts: [e.reason, ...facts.facts] }, { sessionId: session.id, llmFullText }).catch(() => null)
      : null;
    const source = summary ? 'llm' : 'rules';
    summary ??= ruleSummary(transcript, facts);
    return (await deps.escalations.update(e.id, { summary, summarySource: source })) ?? e;
  }

  /** Who gets the app message: the servicer who has the chat, or every flow advisor while it is queued. */
  function appRecipients(e: EscalationRecord): string[] {
    if (e.servicerId) return [e.servicerId];
    return e.handover === 'queue' ? e.advisors : [];
  }

  async function sendAppMessage(escalationId: string, round: number): Promise<void> {
    const e = await deps.escalations.findById(escalationId);
    if (!e) return;
    const users = appRecipients(e);
    if (!users.length) return;
    const content = renderEscalationSection({ escalation: e, consoleUrl: consoleLink(e.id), round, now: clock() }, { mention: false });
    const { invalidUsers } = await deps.notifier.sendApp(users, content);
    await deps.escalations.update(
      e.id,
      {},
      action('system', 'app_message', invalidUsers.length ? `应用消息未送达：${invalidUsers.join('、')}` : `应用消息已发给 ${users.join('、')}`),
    );
  }

  function consoleLink(id: string): string {
    return `${settings.consoleUrl}#/escalations/${id}`;
  }

  return { queueFirstNotice, replyOverdue, notify, sendAppMessage, onRobotSent: (items: RobotItem[]) => recordRobotSends(deps.escalations, items, clock()) };
}

/** Notes on each escalation that the group robot's message went out (the notifier calls it after a flush). */
export async function recordRobotSends(escalations: Pick<EscalationRepository, 'update'>, items: RobotItem[], at = new Date()): Promise<void> {
  for (const item of items) {
    if (item.escalationId) await escalations.update(item.escalationId, {}, { at, by: 'system', action: 'robot', detail: `群机器人已发送（第 ${item.round} 次）` });
  }
}
