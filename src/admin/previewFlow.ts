import { createHash } from 'node:crypto';
import type { Analysis, Analyzer } from '../core/analysis.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';
import type { OutboundMessage } from '../core/messages.ts';
import {
  SnapshotMismatchError,
  compileFlow,
  currentStepId,
  describeQuestion,
  isQuestionStep,
  passingQuestions,
  readInPassing,
  runTurn,
  startSession,
  type CompiledFlow,
  type EngineEffect,
  type EngineEvent,
  type PersistedSnapshot,
  type RecordedAnswer,
  type SessionStatus,
  type TurnResult,
} from '../engine/index.ts';
import { checkFlowSource, refuseAliasBomb } from './checkFlowSource.ts';

/** One preview turn asked for: the draft, the state from the previous turn, and what the "customer" says. */
export interface PreviewInput {
  source: string;
  /** The `state` returned by the previous call; absent to start over. */
  state?: unknown;
  text?: string;
  menuId?: string;
  /** Template fields such as `customer.nickname`. */
  customer?: Record<string, string>;
}

/** What the bot would answer, and the state to send with the next turn. Nothing is stored. */
export interface PreviewResult {
  messages: OutboundMessage[];
  state: PersistedSnapshot;
  status: SessionStatus;
  /** The step now waiting for an answer, if any. */
  stepId: string | null;
  answers: Record<string, RecordedAnswer>;
  /** What a live session would do besides replying (answers, escalations, completion); timers left out. */
  effects: EngineEffect[];
  /** How the analyser read the reply. */
  analysis: Analysis | null;
  /** Steps the reply answered besides the awaited one (the flow's `fills`), in flow order. */
  filled: string[];
}

/** Preview sessions carry this version so a stored session can never be mistaken for one. */
const PREVIEW_VERSION = 0;

/**
 * Runs a draft in a throwaway session through the real engine and analyser, exactly as a turn
 * in `conversationService` does (analyse the reply for the awaited question, then `runTurn`),
 * but keeps nothing and sends nothing: the engine snapshot travels with the caller.
 *
 * @example
 * const preview = createFlowPreview({ analyzer, timeZone: 'Asia/Shanghai' });
 * let turn = await preview.run('nps-default', { source });
 * turn = await preview.run('nps-default', { source, state: turn.state, text: '9' });
 */
export function createFlowPreview(deps: { analyzer: Analyzer; passingAnalyzer?: Analyzer; timeZone: string; now?: () => Date }) {
  const clock = deps.now ?? (() => new Date());
  // Compiling is the slow part; previews of the same draft reuse it.
  const cache = new Map<string, CompiledFlow>();

  function compile(flowId: string, source: string): CompiledFlow {
    const key = createHash('sha256').update(flowId).update('\u0000').update(source).digest('hex');
    const hit = cache.get(key);
    if (hit) return hit;
    refuseAliasBomb(source);
    const check = checkFlowSource(flowId, source);
    if (!check.ok) {
      throw new ValidationError('FLOW_INVALID', `The draft has ${check.problems.length} problem(s); fix them to preview it`, { problems: check.problems });
    }
    const compiled = compileFlow({ ...check.flow, id: flowId, version: PREVIEW_VERSION });
    if (cache.size >= 20) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
    return compiled;
  }

  async function run(flowId: string, input: PreviewInput): Promise<PreviewResult> {
    const compiled = compile(flowId, input.source);
    const now = clock();
    if (input.state === undefined || input.state === null) {
      const started = startSession(compiled, { customer: input.customer ?? {}, now });
      return toResult(started, null);
    }
    const snapshot = input.state as PersistedSnapshot;
    const stepId = currentStepId((snapshot as { machine?: { value?: unknown } }).machine?.value);
    const step = compiled.flow.steps.find((s) => s.id === stepId);
    const shape = step !== undefined && isQuestionStep(step) ? describeQuestion(step, compiled.flow.catalog) : undefined;
    const text = input.text ?? '';
    let analysis: Analysis | null = null;
    let event: EngineEvent;
    if (text.trim() === '' && !input.menuId) event = { type: 'user.returned' };
    else {
      analysis = await deps.analyzer.analyze({
        question: shape?.question ?? 'text',
        text,
        range: shape?.range,
        options: shape?.options,
        multiple: shape?.multiple,
        catalog: shape?.catalog,
        now,
        timeZone: deps.timeZone,
      }, { llmFullText: compiled.flow.privacy.llmFullText });
      const answers = (snapshot as { machine?: { context?: { answers?: Record<string, RecordedAnswer> } } }).machine?.context?.answers ?? {};
      const passing = stepId === undefined || input.menuId ? [] : passingQuestions(compiled.flow, answers, stepId, compiled.flow.catalog);
      const readings =
        shape === undefined || stepId === undefined
          ? undefined
          : await readInPassing(
              deps.passingAnalyzer ?? deps.analyzer,
              { stepId, ...shape, passing, passingCatalog: compiled.flow.catalog },
              text,
              { now, timeZone: deps.timeZone },
              { llmFullText: compiled.flow.privacy.llmFullText },
            );
      event = { type: 'user.replied', text, ...(input.menuId ? { menuId: input.menuId } : {}), analysis, ...(readings ? { passing: readings } : {}) };
    }
    try {
      return toResult(runTurn(compiled, snapshot, event, now), analysis);
    } catch (error) {
      // The draft changed under the preview (a step it stood on is gone): start again.
      if (error instanceof SnapshotMismatchError) {
        throw new ConflictError('PREVIEW_STALE', 'The preview state does not fit this draft any more; start the preview again');
      }
      throw error;
    }
  }

  return { run };
}

export type FlowPreview = ReturnType<typeof createFlowPreview>;

function toResult(turn: TurnResult, analysis: Analysis | null): PreviewResult {
  return {
    messages: turn.messages,
    state: turn.snapshot,
    status: turn.status,
    stepId: turn.awaiting?.stepId ?? null,
    answers: turn.answers,
    effects: turn.effects.filter((e) => e.type !== 'schedule.reminder' && e.type !== 'schedule.expiry'),
    analysis,
    filled: turn.effects.flatMap((e) => (e.type === 'answer.recorded' && e.inPassing ? [e.stepId] : [])),
  };
}
