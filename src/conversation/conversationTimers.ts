import type { SessionRecord } from '../core/sessions.ts';
import { CONVERSATION_LOCK, type ConversationDeps, type TimerJob } from './conversationTypes.ts';
import type { InboundHandlers } from './inboundHandlers.ts';
import { timerName, type OutboxRunner } from './outboxRunner.ts';
import type { SessionCommits } from './sessionCommits.ts';


/**
 * A session's timers: reminders (asked of the reminder policy first) and expiry. Every process
 * claims due timers from Redis with a lease; a timer that fails runs again when its lease ends.
 */
export function createConversationTimers(deps: ConversationDeps, outbox: OutboxRunner, commits: SessionCommits, inbound: InboundHandlers, clock: () => Date) {
  const log = deps.logger.child({ module: 'conversation' });

  async function handleTimer(job: TimerJob): Promise<void> {
    const found = await deps.sessions.findById(job.sessionId);
    if (!found) return;
    await deps.locks.withLock(
      `conv:${found.conversationKey}`,
      async () => {
        const session = await deps.sessions.findById(job.sessionId);
        if (!session) return;
        await outbox.complete(session);
        if (session.status !== 'active' && session.status !== 'paused') return;
        // The customer wrote since it was set: that turn set a newer one.
        if (session.lastCustomerAt && session.lastCustomerAt.getTime() > Date.parse(job.scheduledAt)) return;
        if (job.kind === 'reminder' && !(await reminderMayGo(session, job))) return;
        const event = job.kind === 'reminder' ? ({ type: 'reminder.due' } as const) : ({ type: 'session.expired' } as const);
        const { result } = await inbound.runOn(session, event, clock());
        // Only the engine decides whether a reminder goes out (once per question).
        await commits.commit(session, { result: { ...result, effects: result.effects.filter((e) => e.type !== 'schedule.reminder') } });
        log.info({ sessionId: session.id, kind: job.kind, status: result.status }, 'timer handled');
      },
      CONVERSATION_LOCK,
    );
  }

  /** Asks the reminder policy (quiet hours, WeCom's window, at most one); a deferred reminder is set again. */
  async function reminderMayGo(session: SessionRecord, job: TimerJob): Promise<boolean> {
    if (!deps.reminders) return true;
    const decision = await deps.reminders.decide(session, clock());
    if (decision.action === 'send') return true;
    if (decision.action === 'defer') await deps.timers.set([{ name: timerName('reminder', session.id), dueAt: decision.until, payload: JSON.stringify(job) }]);
    log.info({ sessionId: session.id, ...decision }, decision.action === 'defer' ? 'reminder deferred' : 'reminder skipped');
    return false;
  }

  async function runDueTimers(): Promise<number> {
    const due = await deps.timers.claimDue(clock(), 50, 5 * 60_000);
    for (const timer of due) {
      try {
        await handleTimer(JSON.parse(timer.payload) as TimerJob);
        await deps.timers.done(timer.name, timer.token);
      } catch (error) {
        // The lease runs out and another round tries again.
        log.warn({ timer: timer.name, err: error }, 'timer failed; it will be tried again');
      }
    }
    return due.length;
  }

  return { runDueTimers };
}
