import { initialTransition, transition } from 'xstate';
import type { CompiledFlow } from '../compile/compileFlow.ts';
import type { SurveyEmitted } from '../compile/surveySetup.ts';
import { describeQuestion, withCatalog } from '../definition/describeQuestion.ts';
import { isQuestionStep } from '../definition/flowSchema.ts';
import { SnapshotMismatchError } from '../engineErrors.ts';
import { packMessages } from './packMessages.ts';
import { passingQuestions } from './passingQuestions.ts';
import { persistedSnapshotSchema } from './persistedSnapshot.ts';
import type { PersistedSnapshot } from './persistedSnapshot.ts';
import type { Awaiting, EngineEvent, SessionStatus, TurnResult } from './turnResult.ts';

type SurveyMachine = CompiledFlow['machine'];
type SurveySnapshot = ReturnType<SurveyMachine['resolveState']>;

/**
 * Starts a survey session: the greeting and first question, and the first reminder and expiry.
 *
 * @example
 * const turn = startSession(compiled, { customer: { nickname: '王女士' }, now: new Date() });
 * await store.save(turn.snapshot); for (const m of turn.messages) await channel.send(to, m);
 */
export function startSession(
  compiled: CompiledFlow,
  input: { customer: Record<string, string | undefined>; now: Date; askedBefore?: readonly string[] },
): TurnResult {
  const [snapshot, actions] = initialTransition(compiled.machine, {
    customer: input.customer,
    now: input.now.toISOString(),
    ...(input.askedBefore?.length ? { askedBefore: [...input.askedBefore] } : {}),
  });
  return finishTurn(compiled, snapshot, actions, true);
}

/**
 * Runs one event against a stored session and returns what to persist, send and do. Pure: no
 * I/O, nothing runs inside the machine. Throws SnapshotMismatchError when the snapshot belongs
 * to another flow or version (load the flow version the session started with).
 */
export function runTurn(compiled: CompiledFlow, persisted: PersistedSnapshot, event: EngineEvent, now: Date): TurnResult {
  const before = restoreSnapshot(compiled, persisted);
  const [after, actions] = transition(compiled.machine, before, { ...event, at: now.toISOString() });
  // Replies and hand-backs are activity; reminder and expiry jobs are not.
  const activity = event.type !== 'reminder.due' && event.type !== 'session.expired';
  return finishTurn(compiled, after, actions, activity);
}

function restoreSnapshot(compiled: CompiledFlow, persisted: unknown): SurveySnapshot {
  const parsed = persistedSnapshotSchema.safeParse(persisted);
  if (!parsed.success) {
    throw new SnapshotMismatchError('Stored survey snapshot is malformed; start a new session', { issues: parsed.error.issues });
  }
  const { flowId, flowVersion, machine } = parsed.data;
  const { id, version } = compiled.flow;
  if (flowId !== id || flowVersion !== version) {
    throw new SnapshotMismatchError(`Snapshot belongs to flow ${flowId} v${flowVersion}, not ${id} v${version}; load that flow version`, {
      flowId,
      flowVersion,
    });
  }
  try {
    // resolveState checks the value against the machine and throws on states it does not have.
    return compiled.machine.resolveState({ value: machine.value as never, context: machine.context });
  } catch (error) {
    throw new SnapshotMismatchError(`Snapshot state does not exist in flow ${id} v${version}`, { value: machine.value, cause: String(error) });
  }
}

function finishTurn(
  compiled: CompiledFlow,
  snapshot: SurveySnapshot,
  actions: ReadonlyArray<{ type: string; params?: unknown }>,
  activity: boolean,
): TurnResult {
  const emitted = actions.flatMap((a) => (a.type === 'xstate.emit' && isEmitParams(a.params) ? [a.params.event] : []));
  const messages = packMessages(emitted.flatMap((e) => (e.type === 'message' ? [e.message] : [])));
  const effects = emitted.flatMap((e) => (e.type === 'effect' ? [e.effect] : []));
  const awaiting = awaitingOf(compiled, snapshot);
  const { settings } = compiled.flow;
  if (awaiting !== null && messages.length > 0 && !snapshot.context.reminded) {
    effects.push({ type: 'schedule.reminder', afterHours: settings.reminderAfterHours, stepId: awaiting.stepId });
  }
  if (awaiting !== null && activity) effects.push({ type: 'schedule.expiry', afterHours: settings.expireAfterHours });
  const persisted: PersistedSnapshot = {
    flowId: compiled.flow.id,
    flowVersion: compiled.flow.version,
    snapshotVersion: 1,
    // Normalised through JSON so what we return is exactly what the store will give back.
    machine: JSON.parse(JSON.stringify(compiled.machine.getPersistedSnapshot(snapshot))),
  };
  return {
    snapshot: persisted,
    status: statusOf(snapshot),
    messages,
    effects,
    answers: structuredClone(snapshot.context.answers),
    awaiting,
  };
}

function statusOf(snapshot: SurveySnapshot): SessionStatus {
  if (snapshot.hasTag('completed')) return 'completed';
  if (snapshot.hasTag('expired')) return 'expired';
  if (snapshot.hasTag('escalated')) return 'escalated';
  if (snapshot.hasTag('optedOut')) return 'opted_out';
  if (snapshot.hasTag('paused')) return 'paused';
  return 'active';
}

function awaitingOf(compiled: CompiledFlow, snapshot: SurveySnapshot): Awaiting | null {
  if (!snapshot.hasTag('awaiting')) return null;
  const stepId = currentStepId(snapshot.value);
  const step = compiled.flow.steps.find((s) => s.id === stepId);
  if (step === undefined || !isQuestionStep(step)) return null;
  const passing = passingQuestions(compiled.flow, snapshot.context.answers, step.id, compiled.flow.catalog);
  const shape = describeQuestion(step, compiled.flow.catalog);
  const passingCatalog = shape.catalog === undefined && passing.some((p) => p.readsCatalog) ? withCatalog(compiled.flow.catalog).catalog : undefined;
  return { stepId: step.id, ...shape, ...(passing.length ? { passing } : {}), ...(passingCatalog ? { passingCatalog } : {}) };
}

/** The step the session is on, read from a state value like `{ survey: { nps: 'wait' } }`. */
export function currentStepId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('survey' in value)) return undefined;
  const survey = value.survey;
  if (typeof survey === 'string') return survey;
  return typeof survey === 'object' && survey !== null ? Object.keys(survey)[0] : undefined;
}

function isEmitParams(params: unknown): params is { event: SurveyEmitted } {
  if (typeof params !== 'object' || params === null || !('event' in params)) return false;
  const event = params.event;
  return typeof event === 'object' && event !== null && 'type' in event && (event.type === 'message' || event.type === 'effect');
}
