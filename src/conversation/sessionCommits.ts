import { createHash } from 'node:crypto';
import { ConcurrentUpdateError } from '../core/errors.ts';
import type { ConversationRef, OutboundMessage } from '../core/messages.ts';
import { conversationKey } from '../core/messages.ts';
import type { SessionAttribution, SessionRecord, SessionUpdate, TranscriptEntry } from '../core/sessions.ts';
import { startSession, type CompiledFlow, type TurnResult } from '../engine/index.ts';
import type { ConversationDeps } from './conversationTypes.ts';
import type { OutboxRunner } from './outboxRunner.ts';
import { planOutbox, type TurnOutput } from './planOutbox.ts';

/** How many recent inbound message ids a session remembers, to recognise a replayed message. */
const HANDLED_IDS_KEPT = 50;

/** What one change to a session brings besides the engine's result. */
export interface CommitExtra {
  /** The message that caused the change, recorded in the transcript. */
  inbound?: TranscriptEntry;
  /** Its channel id, so a replay of it is recognised. */
  handledMessageId?: string;
  /** A one-shot code that carries the first reply. */
  welcomeCode?: string;
}

/** What starting a session records besides the flow: where the customer came from. */
export interface StartExtra {
  /** The campaign id of the signed invitation the customer entered through. */
  campaign?: string;
  /** The invitation behind the entry link, recorded as the session's own fields. */
  attribution?: SessionAttribution;
  /** Template fields for the flow's texts (`{{customer.name}}`…), beside the WeCom nickname. */
  customerFields?: Record<string, string>;
}

/**
 * Saving sessions: every change is one revision-guarded update that holds the new state and the
 * outbox of what it owes, then the outbox is carried out. `complete` must have run on the
 * revision being replaced (callers do it when they load a session), so nothing owed is dropped.
 */
export function createSessionCommits(deps: ConversationDeps, outbox: OutboxRunner, clock: () => Date) {
  const log = deps.logger.child({ module: 'conversation' });

  /** Saves an engine turn (or, without `result`, just replies and records). Returns the saved session. */
  async function commit(session: SessionRecord, change: { result?: TurnResult; messages?: OutboundMessage[] }, extra: CommitExtra = {}): Promise<SessionRecord> {
    const now = clock();
    const turn: TurnOutput = change.result ?? { messages: change.messages ?? [], effects: [], awaiting: null, status: session.status };
    const plan = planOutbox(session, turn, { keyBase: `${session.id}-${session.rev + 1}`, now, flowId: session.flowId, ...extra });
    const update: SessionUpdate = {
      outbox: plan.outbox,
      transcriptLength: plan.transcriptLength,
      askedSteps: plan.askedSteps,
      ...(plan.lastBotText !== undefined ? { lastBotText: plan.lastBotText } : {}),
      ...(extra.handledMessageId ? { handledMessageIds: [...session.handledMessageIds.slice(1 - HANDLED_IDS_KEPT), extra.handledMessageId] } : {}),
      ...(extra.inbound?.author === 'customer' ? { lastCustomerAt: now } : {}),
      ...(change.result ? engineFields(session, change.result, now) : {}),
    };
    const saved = await deps.sessions.update(session.id, session.rev, update);
    if (!saved) throw new ConcurrentUpdateError('SESSION_CHANGED', 'The session changed during the turn; the turn will be retried', { sessionId: session.id });
    if (change.result?.effects.some((e) => e.type === 'completed')) log.info({ conversationKey: saved.conversationKey, sessionId: saved.id }, 'survey completed');
    await outbox.complete(saved, { fresh: true });
    return saved;
  }

  /** The state fields an engine turn changes. */
  function engineFields(session: SessionRecord, result: TurnResult, now: Date): SessionUpdate {
    const analysis = { ...session.analysis };
    for (const effect of result.effects) {
      if (effect.type === 'answer.recorded' && effect.analysis) analysis[effect.stepId] = effect.analysis;
      if (effect.type === 'answer.withdrawn') delete analysis[effect.stepId];
    }
    const escalate = result.effects.find((e) => e.type === 'escalate');
    const completed = result.effects.some((e) => e.type === 'completed');
    const usage = deps.takeLlmUsage?.(session.id);
    return {
      status: result.status,
      answers: result.answers,
      analysis,
      snapshot: JSON.stringify(result.snapshot),
      awaiting: result.awaiting,
      ...(escalate ? { escalation: { trigger: escalate.trigger, reason: escalate.reason, at: now } } : {}),
      ...(completed ? { completedAt: now } : {}),
      ...(usage ? { addLlmUsage: usage } : {}),
    };
  }

  /**
   * Starts `flow` for a customer. The session id is derived from the message that starts it, so
   * a replay after a crash finds the session it created instead of starting a second one.
   */
  async function start(
    flow: CompiledFlow,
    ref: ConversationRef,
    extra: CommitExtra & StartExtra & { handledMessageId: string },
  ): Promise<void> {
    const now = clock();
    const key = conversationKey(ref);
    const profile = await deps.channel.customerProfile?.(ref).catch(() => null);
    const customerFields: Record<string, string> = { ...extra.customerFields };
    if (profile?.nickname) customerFields.nickname = profile.nickname;
    if (extra.campaign) customerFields.campaign = extra.campaign;
    // `once` questions (a referral, a review) this customer was asked in an earlier session are skipped.
    const prefix = `${flow.flow.id}:`;
    const askedBefore = ((await deps.customers.get(key))?.askedOnce ?? []).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    const result = startSession(flow, { customer: customerFields, now, askedBefore });
    const plan = planOutbox({ transcriptLength: 0, askedSteps: [] }, result, { keyBase: `${key}-${extra.handledMessageId}`, now, flowId: flow.flow.id, ...extra });
    const created = await deps.sessions.create({
      id: sessionIdFor(key, extra.handledMessageId),
      conversation: ref,
      conversationKey: key,
      flowId: result.snapshot.flowId,
      flowVersion: result.snapshot.flowVersion,
      status: result.status,
      answers: result.answers,
      analysis: {},
      snapshot: JSON.stringify(result.snapshot),
      awaiting: result.awaiting,
      outbox: plan.outbox,
      handledMessageIds: [extra.handledMessageId],
      askedSteps: plan.askedSteps,
      transcriptLength: plan.transcriptLength,
      ...(extra.inbound ? { lastCustomerAt: now } : {}),
      ...(plan.lastBotText !== undefined ? { lastBotText: plan.lastBotText } : {}),
      campaign: extra.campaign,
      ...extra.attribution,
      customerFields,
    });
    log.info({ conversationKey: key, sessionId: created.id, flowId: created.flowId, flowVersion: created.flowVersion, campaignId: created.campaignId }, 'survey started');
    await outbox.complete(created);
  }


  return { commit, start };
}

export type SessionCommits = ReturnType<typeof createSessionCommits>;

/** A session id (24 hex characters, like an ObjectId) derived from the message that starts it. */
export function sessionIdFor(conversation: string, messageId: string): string {
  return createHash('sha256').update(`${conversation}\n${messageId}`).digest('hex').slice(0, 24);
}
