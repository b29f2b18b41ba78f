import type { Analysis } from '../core/analysis.ts';
import { runTurn, type CompiledFlow, type EngineEvent, type TurnResult } from '../engine/index.ts';

/**
 * The engine enters its `escalated` state only on the escalate intent, so a hand-over decided
 * outside it (an automatic trigger) is fed to it as one: the bot then says the flow's
 * `escalated` line, stays silent, and `agent.released` resumes at the question it stopped on.
 */
const HAND_OVER_ANALYSIS: Analysis = { intent: 'escalate', score: null, sentiment: null, topics: [], timing: null, products: [], choices: null, source: {} };
export const HAND_OVER_EVENT: EngineEvent = { type: 'user.replied', text: '', analysis: HAND_OVER_ANALYSIS };

/**
 * Turns a turn's result into a hand-over: answers and effects of the turn are kept, its next
 * question is replaced by the `escalated` line, and no reminder is scheduled. Null when the
 * session cannot be handed over any more (the turn finished the survey).
 */
export function handOverTurn(flow: CompiledFlow, result: TurnResult, now: Date): TurnResult | null {
  if (result.status !== 'active' && result.status !== 'paused') return null;
  const handed = runTurn(flow, result.snapshot, HAND_OVER_EVENT, now);
  if (handed.status !== 'escalated') return null;
  return {
    ...handed,
    effects: [
      ...result.effects.filter((e) => e.type !== 'schedule.reminder' && e.type !== 'schedule.expiry'),
      ...handed.effects.filter((e) => e.type !== 'escalate'),
    ],
  };
}
