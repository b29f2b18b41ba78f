import type { SessionRecord } from '../core/sessions.ts';
import { readInPassing, type Awaiting, type CompiledFlow, type EngineEvent, type TurnResult } from '../engine/index.ts';
import type { ConversationDeps } from './conversationTypes.ts';
import { handOverTurn } from './handOverTurn.ts';

type RunOn = (session: SessionRecord, event: EngineEvent, now: Date) => Promise<{ flow: CompiledFlow; result: TurnResult }>;

/**
 * The turn a customer's words make on an open session: the reply read against the question
 * asked (and, unless a menu was tapped, for what it says in passing), run through the flow, and
 * handed over to an advisor when the escalation rules say now.
 */
export function createReplyTurn(deps: ConversationDeps, runOn: RunOn) {
  /** The flow's `privacy.llmFullText`; false when the flow cannot be read (runOn then says why). */
  async function llmFullText(session: SessionRecord): Promise<boolean> {
    const flow = await deps.catalog.version(session.flowId, session.flowVersion).catch(() => null);
    return flow?.flow.privacy.llmFullText === true;
  }

  return async function replyTurn(session: SessionRecord, text: string, menuId: string | undefined, now: Date): Promise<TurnResult> {
    const awaiting = session.awaiting as Awaiting | null;
    const analysisContext = { sessionId: session.id, llmFullText: await llmFullText(session) };
    const analysis = await deps.analyzer.analyze(
      {
        question: awaiting?.question ?? 'text',
        text,
        range: awaiting?.range,
        options: awaiting?.options,
        multiple: awaiting?.multiple,
        catalog: awaiting?.catalog,
        now,
        timeZone: deps.settings.timeZone,
      },
      analysisContext,
    );
    // A menu click answers the question asked and nothing else.
    const passing = menuId
      ? undefined
      : await readInPassing(deps.passingAnalyzer ?? deps.analyzer, awaiting, text, { now, timeZone: deps.settings.timeZone }, analysisContext);
    const event: EngineEvent = { type: 'user.replied', text, ...(menuId ? { menuId } : {}), analysis, ...(passing ? { passing } : {}) };
    const { flow, result } = await runOn(session, event, now);
    if (deps.escalations && result.status !== 'escalated' && (await deps.escalations.handOverNow(session, result))) {
      return handOverTurn(flow, result, now) ?? result;
    }
    return result;
  };
}
