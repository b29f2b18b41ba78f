import type { Logger } from '../core/logger.ts';
import { factsToJson, isSettled } from '../sessionFacts/factsJson.ts';
import { escalationContribution, sessionContribution } from './fields.ts';
import { readEscalation, readSession } from '../sessionFacts/fromSession.ts';
import type { AnalyticsSources, FlowDefinitions, ResponseRecordStore, RollupStore } from './ports.ts';
import type { ResponseFacts } from '../sessionFacts/types.ts';

export interface RebuildDeps {
  sources: AnalyticsSources;
  rollups: RollupStore;
  records: ResponseRecordStore;
  flows: FlowDefinitions;
  timeZone: string;
  logger: Logger;
}

export interface RebuildResult {
  flowId: string;
  sessions: number;
  escalations: number;
  recordsWritten: number;
  skipped: number;
  seconds: number;
}

/** Rollup changes in flight at once: enough to keep Redis busy, few enough to bound memory. */
const IN_FLIGHT = 64;
const INSERT_BATCH = 500;

/**
 * Rebuilds a flow's rollups and records from its sessions and escalations while the service
 * runs: a fresh rollup generation is filled from the sessions collection, live changes go to it
 * too (so nothing that happens meanwhile is missed, and a session's older reading never
 * overwrites a newer live one), then it replaces the live generation in one step. Records are
 * inserted in batches when missing and updated when older.
 *
 * @example
 * const results = await rebuildAnalytics(deps, { flowIds: ['nps-default'] });
 */
export async function rebuildAnalytics(deps: RebuildDeps, options: { flowIds?: string[]; force?: boolean } = {}): Promise<RebuildResult[]> {
  const flowIds = options.flowIds ?? (await deps.flows.list()).map((f) => f.flowId);
  const results: RebuildResult[] = [];
  for (const flowId of flowIds) results.push(await rebuildFlow(deps, flowId, options.force ?? false));
  return results;
}

async function rebuildFlow(deps: RebuildDeps, flowId: string, force: boolean): Promise<RebuildResult> {
  const log = deps.logger.child({ module: 'analytics-rebuild', flowId });
  const started = Date.now();
  const token = await deps.rollups.beginRebuild(flowId, { force });
  const target = { kind: 'rebuild' as const, token };
  const result: RebuildResult = { flowId, sessions: 0, escalations: 0, recordsWritten: 0, skipped: 0, seconds: 0 };
  const inFlight = new Set<Promise<unknown>>();
  const throttle = async (work: Promise<unknown>) => {
    const tracked = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  try {
    const stored = await deps.records.revisions(flowId);
    let inserts: ResponseFacts[] = [];
    for await (const session of deps.sources.sessions(flowId)) {
      let facts: ResponseFacts;
      try {
        facts = readSession(session, await deps.flows.version(flowId, session.flowVersion));
      } catch (error) {
        // A version that no longer parses cannot be read; count it and go on.
        result.skipped++;
        log.warn({ sessionId: session.id, flowVersion: session.flowVersion, err: error instanceof Error ? error.message : String(error) }, 'session skipped');
        continue;
      }
      result.sessions++;
      const settled = isSettled(facts.status);
      const contribution = { ...sessionContribution(facts, deps.timeZone), ...(settled ? {} : { open: factsToJson(facts) }) };
      await throttle(deps.rollups.apply({ flowId, responseId: facts.sessionId, part: 's', revision: facts.revision, contribution }, target));
      if (!settled) continue;
      const known = stored.get(facts.sessionId);
      if (known === undefined) inserts.push(facts);
      else if (known < facts.revision) await throttle(deps.records.save(facts));
      else continue;
      result.recordsWritten++;
      if (inserts.length >= INSERT_BATCH) {
        await deps.records.insertMany(inserts);
        inserts = [];
      }
    }
    await deps.records.insertMany(inserts);
    for await (const e of deps.sources.escalations(flowId)) {
      result.escalations++;
      const facts = readEscalation(e);
      await throttle(deps.rollups.apply({ flowId, responseId: e.sessionId, part: `e:${e.id}`, revision: facts.revision, contribution: escalationContribution(facts, deps.timeZone) }, target));
    }
    await Promise.all(inFlight);
    await deps.rollups.finishRebuild(flowId, token);
  } catch (error) {
    await Promise.allSettled(inFlight);
    await deps.rollups.abortRebuild(flowId, token).catch(() => undefined);
    throw error;
  }
  result.seconds = (Date.now() - started) / 1000;
  log.info(result, 'analytics rebuilt');
  return result;
}
