import { ConcurrentUpdateError, NotFoundError } from '../core/errors.ts';
import type { SessionFollowUp, SessionRecord, TranscriptEntry } from '../core/sessions.ts';
import { CONVERSATION_LOCK, type ConversationDeps, type ReleaseMode } from './conversationTypes.ts';
import { HAND_OVER_EVENT } from './handOverTurn.ts';
import type { InboundHandlers } from './inboundHandlers.ts';
import type { OutboxRunner } from './outboxRunner.ts';
import type { SessionCommits } from './sessionCommits.ts';


/**
 * What other parts do to a session from outside a customer's turn, each under the
 * conversation's lock: escalation hands it over, hands it back and records advisors' messages;
 * follow-up records what it did.
 */
export function createSessionControl(deps: ConversationDeps, outbox: OutboxRunner, commits: SessionCommits, inbound: InboundHandlers, clock: () => Date) {
  const log = deps.logger.child({ module: 'conversation' });

  /**
   * Runs `fn` on the session under its conversation lock, re-read inside. With `completeOutbox`
   * the revision's outbox is carried out first (a change that writes a new outbox needs that).
   */
  async function underLock<T>(sessionId: string, fn: (session: SessionRecord) => Promise<T>, options = { completeOutbox: true }): Promise<T> {
    const found = await deps.sessions.findById(sessionId);
    if (!found) throw new NotFoundError('SESSION_NOT_FOUND', `No session ${sessionId}`);
    return deps.locks.withLock(
      `conv:${found.conversationKey}`,
      async () => {
        const session = await deps.sessions.findById(sessionId);
        if (!session) throw new NotFoundError('SESSION_NOT_FOUND', `No session ${sessionId}`);
        if (options.completeOutbox) await outbox.complete(session);
        return fn(session);
      },
      CONVERSATION_LOCK,
    );
  }

  async function handOver(sessionId: string): Promise<boolean> {
    return underLock(sessionId, async (session) => {
      if (session.status !== 'active' && session.status !== 'paused') return false;
      const { result } = await inbound.runOn(session, HAND_OVER_EVENT, clock());
      if (result.status !== 'escalated') return false;
      await commits.commit(session, { result: { ...result, effects: result.effects.filter((e) => e.type !== 'escalate') } });
      log.info({ sessionId, conversationKey: session.conversationKey }, 'handed over to a person');
      return true;
    });
  }

  async function releaseToBot(sessionId: string, options: { mode: ReleaseMode; eventCode?: string }): Promise<boolean> {
    return underLock(sessionId, async (session) => {
      if (session.status !== 'escalated') return false;
      const { result } = await inbound.runOn(session, { type: 'agent.released', resume: options.mode === 'resume' }, clock());
      const quiet = options.mode === 'silent' ? { ...result, messages: [] } : result;
      await commits.commit(session, { result: quiet }, options.eventCode && options.mode !== 'silent' ? { welcomeCode: options.eventCode } : {});
      log.info({ sessionId, conversationKey: session.conversationKey, mode: options.mode, status: result.status }, 'released to the bot');
      return true;
    });
  }

  async function appendTranscript(sessionId: string, entries: TranscriptEntry[]): Promise<void> {
    // Recording must not wait for an outbox stuck on WeCom: the outbox is kept as it is.
    await underLock(
      sessionId,
      async (session) => {
        const done = await deps.progress.isDone(session.id, session.rev);
        // Reserve the positions first: a crash then leaves a gap, never an overwritten entry.
        const saved = await deps.sessions.update(session.id, session.rev, { transcriptLength: session.transcriptLength + entries.length });
        if (!saved) throw new ConcurrentUpdateError('SESSION_CHANGED', 'The session changed while recording; try again', { sessionId });
        if (done) await deps.progress.markDone(saved.id, saved.rev);
        await deps.sessions.writeTranscript(session.id, entries.map((entry, i) => ({ ...entry, seq: session.transcriptLength + i })));
      },
      { completeOutbox: false },
    );
  }

  async function recordFollowUp(sessionId: string, change: (current: SessionFollowUp | undefined) => SessionFollowUp): Promise<SessionRecord> {
    // Like appendTranscript: the outbox stays as it is and keeps its progress.
    return underLock(
      sessionId,
      async (session) => {
        const done = await deps.progress.isDone(session.id, session.rev);
        const saved = await deps.sessions.update(session.id, session.rev, { followUp: change(session.followUp) });
        if (!saved) throw new ConcurrentUpdateError('SESSION_CHANGED', 'The session changed while recording; try again', { sessionId });
        if (done) await deps.progress.markDone(saved.id, saved.rev);
        await deps.responses?.sessionChanged(saved);
        return saved;
      },
      { completeOutbox: false },
    );
  }

  return { handOver, releaseToBot, appendTranscript, recordFollowUp };
}
