import type { EscalationRecord } from '../core/escalations.ts';
import type { Logger } from '../core/logger.ts';
import { escalationContribution, sessionContribution } from './fields.ts';
import { factsToJson, isSettled } from '../sessionFacts/factsJson.ts';
import { readEscalation, readSession, type SessionView } from '../sessionFacts/fromSession.ts';
import type { FlowDefinitions, ResponseRecorder, ResponseRecordStore, RollupStore, RollupTarget } from './ports.ts';

export interface RecorderDeps {
  flows: Pick<FlowDefinitions, 'version'>;
  rollups: Pick<RollupStore, 'apply' | 'dropOpen'>;
  records: Pick<ResponseRecordStore, 'save'>;
  timeZone: string;
  logger: Logger;
}

/**
 * Keeps rollups and records in step with sessions and escalations. Each call recomputes the
 * whole contribution of the session (or escalation) from its current state, and the rollup store
 * swaps it for the previous one atomically, per revision. So a repeated call changes nothing, a
 * late older one is ignored, and a lost one is made good by the next.
 *
 * @example
 * const recorder = createResponseRecorder({ flows, rollups, records, timeZone: 'Asia/Shanghai', logger });
 * await recorder.sessionChanged(savedSession);
 */
export function createResponseRecorder(deps: RecorderDeps): ResponseRecorder & {
  /** As sessionChanged, throwing on failure and writing to `target` (rebuild). */
  recordSession(session: SessionView, target?: RollupTarget): Promise<void>;
  recordEscalation(e: EscalationRecord, target?: RollupTarget): Promise<void>;
} {
  const log = deps.logger.child({ module: 'analytics' });

  async function recordSession(session: SessionView, target?: RollupTarget): Promise<void> {
    const flow = await deps.flows.version(session.flowId, session.flowVersion);
    const facts = readSession(session, flow);
    // The facts ride with the counters until the record is stored, so the export never misses a session.
    const contribution = { ...sessionContribution(facts, deps.timeZone), open: factsToJson(facts) };
    await deps.rollups.apply({ flowId: facts.flowId, responseId: facts.sessionId, part: 's', revision: facts.revision, contribution }, target);
    if (!isSettled(facts.status)) return;
    // Settled: one insert (an existing newer record wins), then the open copy goes.
    await deps.records.save(facts);
    await deps.rollups.dropOpen(facts.flowId, facts.sessionId, facts.revision);
  }

  async function recordEscalation(e: EscalationRecord, target?: RollupTarget): Promise<void> {
    const facts = readEscalation(e);
    const contribution = escalationContribution(facts, deps.timeZone);
    await deps.rollups.apply({ flowId: e.flowId, responseId: e.sessionId, part: `e:${e.id}`, revision: facts.revision, contribution }, target);
  }

  return {
    recordSession,
    recordEscalation,
    async sessionChanged(session) {
      await recordSession(session).catch((error: unknown) => log.error({ err: error, sessionId: session.id }, 'analytics could not record the session; the next save or a rebuild will'));
    },
    async escalationChanged(e) {
      await recordEscalation(e).catch((error: unknown) => log.error({ err: error, escalationId: e.id }, 'analytics could not record the escalation; the next change or a rebuild will'));
    },
  };
}
