import type { OutboundMessage } from '../../core/messages.ts';
import type { Flow } from '../definition/flowSchema.ts';
import type { EngineEffect, EngineEvent, EscalationTrigger } from '../runtime/turnResult.ts';

/** Engine events as the machine sees them: stamped with the turn's time. */
export type SurveyEvent = { [K in EngineEvent['type']]: Extract<EngineEvent, { type: K }> & { at: string } }[EngineEvent['type']];

/** A customer's reply as the machine sees it. */
export type ReplyEvent = Extract<SurveyEvent, { type: 'user.replied' }>;

/**
 * The machine's only output channel. Actions never send or store anything: they emit messages
 * and effects, which the pure `transition()` hands back to `runTurn` to return to the caller.
 */
export type SurveyEmitted = { type: 'message'; message: OutboundMessage } | { type: 'effect'; effect: EngineEffect };

export const emitMessage = (m: OutboundMessage): SurveyEmitted => ({ type: 'message', message: m });
export const emitText = (t: string): SurveyEmitted => emitMessage({ kind: 'text', text: t });
export const emitEffect = (e: EngineEffect): SurveyEmitted => ({ type: 'effect', effect: e });

/** An escalation to the flow's advisors. */
export function emitEscalation(flow: Flow, trigger: EscalationTrigger, reason: string, stepId: string): SurveyEmitted {
  return emitEffect({ type: 'escalate', trigger, reason, stepId, advisors: flow.settings.escalation.advisors });
}

/** A customer's words quoted in an escalation reason: the first 60 characters. */
export const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 60)}…` : s);
