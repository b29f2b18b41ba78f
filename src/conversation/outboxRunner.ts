import type { EntryResolver } from '../core/campaigns.ts';
import type { Logger } from '../core/logger.ts';
import type { ChannelPort, OutboxProgress, TimerSchedule } from '../core/ports.ts';
import type { CustomerRepository, PendingEffect, SessionRecord, SessionRepository } from '../core/sessions.ts';
import { createCustomerOptOut } from './customerOptOut.ts';
import type { ConversationDeps, EscalationHooks, ResponseHooks, TimerJob } from './conversationTypes.ts';
import { createOutboxSends, type SendsDone } from './outboxSends.ts';

export interface OutboxRunnerDeps {
  channel: ChannelPort;
  sessions: SessionRepository;
  customers: CustomerRepository;
  progress: OutboxProgress;
  timers: TimerSchedule;
  escalations?: EscalationHooks;
  responses?: ResponseHooks;
  entries?: Pick<EntryResolver, 'sessionSaved'>;
  followUp?: ConversationDeps['followUp'];
  logger: Logger;
  now: () => Date;
}

/** Sessions whose last completed revision a process remembers. */
const DONE_KEPT = 1_000;

export const timerName = (kind: TimerJob['kind'], sessionId: string): string => `${kind}:${sessionId}`;

/**
 * Carries out what a saved revision owes (its outbox), in order: the replies, the transcript,
 * then the escalation, opt-out and timers. Every step is safe to repeat, so the whole outbox is
 * simply replayed after a crash or a failure; once all of it succeeded, the revision is marked
 * done. A send that fails for a passing reason stops the sends (order matters) but not the other
 * effects: an escalation is recorded even while WeCom is down, then the failure is rethrown so
 * the turn is retried.
 */
export function createOutboxRunner(deps: OutboxRunnerDeps) {
  const log = deps.logger.child({ module: 'outbox' });
  const optOut = createCustomerOptOut(deps);
  const { runSends } = createOutboxSends(deps, log);

  // Revisions whose outbox this process carried out itself: the next turn needs no Redis read to
  // know (done is final for a revision). Bounded; a forgotten one is just asked of Redis.
  const doneHere = new Map<string, number>();
  const noteDone = (session: SessionRecord) => {
    doneHere.delete(session.id);
    doneHere.set(session.id, session.rev);
    if (doneHere.size > DONE_KEPT) doneHere.delete(doneHere.keys().next().value!);
  };
  const isDone = async (session: SessionRecord) => doneHere.get(session.id) === session.rev || (await deps.progress.isDone(session.id, session.rev));

  /** `fresh`: the revision was just saved by the caller, so its outbox cannot be done yet. */
  async function complete(session: SessionRecord, options: { fresh?: boolean } = {}): Promise<void> {
    if (!session.outbox.length || (!options.fresh && (await isDone(session)))) return;
    const sends = await runSends(session);
    const recorded = session.outbox.flatMap((e) => (e.kind === 'transcript' ? e.entries : []));
    await deps.sessions.writeTranscript(session.id, [...recorded, ...sends.entries]);
    for (const effect of session.outbox) await runEffect(session, effect, sends);
    await setTimers(session);
    if (sends.error !== undefined) throw sends.error;
    await deps.progress.markDone(session.id, session.rev);
    noteDone(session);
  }

  async function runEffect(session: SessionRecord, effect: PendingEffect, sends: SendsDone): Promise<void> {
    switch (effect.kind) {
      case 'escalation': {
        if (!deps.escalations) return;
        const escalations = effect.requests.map((r) => ({ ...r, session }));
        const notice = effect.handedOver && sends.last ? sends.last : undefined;
        await deps.escalations.afterTurn({ session, escalations, handedOver: effect.handedOver, ...(notice ? { notice } : {}) });
        return;
      }
      case 'opt_out':
        return optOut.record(session.conversation, effect.at, session.id);
      case 'timer':
        return; // all of a revision's timers are set together, below
      case 'remember_asked':
        await deps.customers.rememberAsked(session.conversation, effect.stepIds.map((id) => `${effect.flowId}:${id}`));
        return;
      case 'followup':
        if (deps.followUp) await deps.followUp.afterMilestone({ session, event: effect.event, at: effect.at });
        else log.info({ sessionId: session.id, event: effect.event }, 'session milestone (no follow-up configured)');
        return;
      case 'cancel_timers':
        await Promise.all([deps.timers.cancel(timerName('reminder', session.id)), deps.timers.cancel(timerName('expiry', session.id))]);
        return;
      case 'record':
        await deps.responses?.sessionChanged(session);
        // Campaign counters (started, completed) follow the invitation's session; never at the cost of a turn.
        if (session.invitationId && deps.entries) {
          await deps.entries.sessionSaved(session).catch((error: unknown) => log.warn({ err: error, sessionId: session.id }, 'campaign counters not updated'));
        }
        return;
      default:
        return;
    }
  }

  /** A revision's reminder and expiry, set in one round trip. */
  async function setTimers(session: SessionRecord): Promise<void> {
    const timers = session.outbox.flatMap((e) => (e.kind === 'timer' ? [e] : []));
    if (!timers.length) return;
    await deps.timers.set(
      timers.map((effect) => {
        const job: TimerJob = { kind: effect.timer, sessionId: session.id, scheduledAt: session.updatedAt.toISOString() };
        return { name: timerName(effect.timer, session.id), dueAt: effect.dueAt, payload: JSON.stringify(job) };
      }),
    );
  }

  return { complete };
}

export type OutboxRunner = ReturnType<typeof createOutboxRunner>;
