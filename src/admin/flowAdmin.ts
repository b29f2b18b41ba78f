import type { AuditLog, Principal } from '../core/admin.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { FlowRepository, FlowSummary, StoredFlowVersion } from '../core/flows.ts';
import type { Logger } from '../core/logger.ts';
import type { SessionRepository } from '../core/sessions.ts';
import { compileFlow, hashFlowSource, type FlowProblem } from '../engine/index.ts';
import { checkFlowSource, refuseAliasBomb } from './checkFlowSource.ts';
import { diffFlowSources, type FlowDiff } from './diffFlows.ts';

/** A version as the admin API shows it (without the source unless asked). */
export interface VersionView {
  flowId: string;
  version: number;
  author: string;
  note: string | null;
  valid: boolean;
  createdAt: Date;
  published: boolean;
  /** Sessions that started on this version. */
  sessions: number;
}

export interface FlowDetail extends FlowSummary {
  versions: VersionView[];
}

/** Which version a request means: a number, the newest, or the published one. */
export type VersionRef = number | 'latest' | 'published';

const flowIdPattern = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The flow store as admins use it. Every save is a new immutable version (invalid drafts too,
 * marked `valid: false`); a save names the version it was based on and is refused when someone
 * saved since. Publishing points the flow at a valid version no older than the published one;
 * rolling back saves an older version's source as a new version and publishes that. Every change
 * goes to the audit log, and this process's catalog forgets its cached pointer at once.
 *
 * @example
 * const admin = createFlowAdmin({ flows, sessions, audit, catalog, defaultFlowId: 'nps-default', logger });
 * const saved = await admin.saveVersion(user, 'nps-default', { source, baseVersion: 3, note: '改了第一题' });
 * await admin.publish(user, 'nps-default', saved.version.version);
 */
export function createFlowAdmin(deps: {
  flows: FlowRepository;
  sessions: Pick<SessionRepository, 'countByFlowVersion'>;
  audit: AuditLog;
  catalog: { invalidate(flowId?: string): void };
  defaultFlowId: string;
  logger: Logger;
}) {
  const log = deps.logger.child({ module: 'flow-admin' });

  const head = (flowId: string) => flowHead(deps.flows, flowId);
  const stored = (flowId: string, ref: VersionRef) => storedVersion(deps.flows, flowId, ref);

  async function makePublished(actor: Principal, flowId: string, version: number): Promise<void> {
    await deps.flows.publish(flowId, version, actor.name);
    deps.catalog.invalidate(flowId);
    log.info({ flowId, version, by: actor.name }, 'flow version published');
  }

  return {
    async listFlows(): Promise<FlowSummary[]> {
      return deps.flows.list();
    },

    async getFlow(flowId: string): Promise<FlowDetail> {
      const summary = await head(flowId);
      const [versions, counts] = await Promise.all([deps.flows.listVersions(flowId), deps.sessions.countByFlowVersion(flowId)]);
      return { ...summary, versions: versions.map((v) => view(v, summary, counts)) };
    },

    async getVersion(flowId: string, ref: VersionRef): Promise<VersionView & { source: string; problems: FlowProblem[] }> {
      const summary = await head(flowId);
      const v = await stored(flowId, ref);
      const counts = await deps.sessions.countByFlowVersion(flowId);
      const check = checkFlowSource(flowId, v.source);
      return { ...view(v, summary, counts), source: v.source, problems: check.problems };
    },

    /** Stores the draft as version `baseVersion + 1` (valid or not); DRAFT_CONFLICT when someone saved since. */
    /** Saves a new version on top of `baseVersion` (409 when someone saved since); an unchanged source saves nothing. */
    saveVersion(actor: Principal, flowId: string, input: { source: string; baseVersion: number; note?: string }) {
      return saveVersion(deps, actor, flowId, input);
    },

    validate(flowId: string, source: string): { valid: boolean; problems: FlowProblem[] } {
      refuseAliasBomb(source);
      const check = checkFlowSource(flowId, source);
      return { valid: check.ok, problems: check.problems };
    },

    /** Publishes `version`; refused (with the problems) when invalid, and for versions older than the published one. */
    async publish(actor: Principal, flowId: string, version: number, note?: string) {
      const summary = await head(flowId);
      if (summary.archived) throw new ConflictError('FLOW_ARCHIVED', `Flow "${flowId}" is archived; unarchive it before publishing`);
      const v = await stored(flowId, version);
      if (summary.publishedVersion === version) return { publishedVersion: version, changed: false };
      if (summary.publishedVersion != null && version < summary.publishedVersion) {
        throw new ConflictError(
          'VERSION_OLDER_THAN_PUBLISHED',
          `Version ${version} is older than the published version ${summary.publishedVersion}; roll back to it instead (that publishes it as a new version)`,
        );
      }
      assertPublishable(flowId, v.source, version);
      await makePublished(actor, flowId, version);
      await deps.audit.record({ actor: actor.name, actorRole: actor.role, action: 'flow.published', flowId, version, ...(note ? { note } : {}), details: { previous: summary.publishedVersion } });
      return { publishedVersion: version, changed: true };
    },

    /** Saves an older version's source as a new version and publishes it; sessions already running keep theirs. */
    async rollback(actor: Principal, flowId: string, version: number, note?: string) {
      const summary = await head(flowId);
      if (summary.archived) throw new ConflictError('FLOW_ARCHIVED', `Flow "${flowId}" is archived; unarchive it before rolling back`);
      const old = await stored(flowId, version);
      const title = assertPublishable(flowId, old.source, version);
      const saved = await deps.flows.saveVersion({
        flowId,
        source: old.source,
        sourceHash: old.sourceHash,
        author: actor.name,
        note: `回滚到 v${version}${note ? `：${note}` : ''}`,
        valid: true,
        title,
      });
      await makePublished(actor, flowId, saved.version);
      await deps.audit.record({
        actor: actor.name,
        actorRole: actor.role,
        action: 'flow.rolled_back',
        flowId,
        version: saved.version,
        ...(note ? { note } : {}),
        details: { rolledBackTo: version, previous: summary.publishedVersion },
      });
      return { publishedVersion: saved.version, copiedFrom: version };
    },

    /** Archived flows start no new sessions; running ones finish on their version. */
    async setArchived(actor: Principal, flowId: string, archived: boolean, note?: string) {
      const summary = await head(flowId);
      if (archived && flowId === deps.defaultFlowId) {
        throw new ConflictError('FLOW_IS_DEFAULT', `"${flowId}" is the default flow (DEFAULT_FLOW_ID); new customers would get no survey. Change DEFAULT_FLOW_ID first`);
      }
      if (summary.archived === archived) return { archived, changed: false };
      await deps.flows.setArchived(flowId, archived);
      deps.catalog.invalidate(flowId);
      await deps.audit.record({ actor: actor.name, actorRole: actor.role, action: archived ? 'flow.archived' : 'flow.unarchived', flowId, ...(note ? { note } : {}) });
      return { archived, changed: true };
    },

    async diff(flowId: string, from: VersionRef, to: VersionRef): Promise<FlowDiff & { from: number; to: number }> {
      const [a, b] = await Promise.all([stored(flowId, from), stored(flowId, to)]);
      return { from: a.version, to: b.version, ...diffFlowSources(a.source, b.source) };
    },
  };

}

export type FlowAdmin = ReturnType<typeof createFlowAdmin>;

function view(v: StoredFlowVersion, summary: FlowSummary, counts: Record<number, number>): VersionView {
  return {
    flowId: v.flowId,
    version: v.version,
    author: v.author,
    note: v.note ?? null,
    valid: v.valid,
    createdAt: v.createdAt,
    published: summary.publishedVersion === v.version,
    sessions: counts[v.version] ?? 0,
  };
}

/** Throws FLOW_INVALID listing the problems unless `source` may be published as `flowId`; returns its title. */
function assertPublishable(flowId: string, source: string, version: number): string {
  const check = checkFlowSource(flowId, source);
  if (!check.ok) {
    throw new ValidationError('FLOW_INVALID', `Version ${version} of "${flowId}" has ${check.problems.length} problem(s) and cannot be published; fix them in a new version`, {
      flowId,
      version,
      problems: check.problems,
    });
  }
  // Validation passed, so this only guards against engine changes since the checks ran.
  compileFlow({ ...check.flow, id: flowId, version });
  return check.flow.title;
}

/** The 409 for a save that did not start from the latest version: who changed it, when, and from what. */
async function conflict(flows: FlowRepository, flowId: string, basedOn: number): Promise<ConflictError> {
  const latest = await flows.latestVersion(flowId);
  if (!latest) {
    return new ConflictError('DRAFT_CONFLICT', `Flow "${flowId}" has no versions yet; save with baseVersion 0`, { conflict: { latestVersion: 0 } });
  }
  const at = latest.createdAt.toISOString();
  const message =
    basedOn === 0
      ? `Flow "${flowId}" already exists (edited by ${latest.author} at ${at}, version ${latest.version}); reload it and edit that`
      : `Edited by ${latest.author} at ${at} (version ${latest.version}, you started from version ${basedOn}); reload and apply your change again`;
  return new ConflictError('DRAFT_CONFLICT', message, { conflict: { latestVersion: latest.version, author: latest.author, at, basedOn } });
}

/** Saves a new version on top of `baseVersion`; a save that did not start from the latest version is a 409. */
async function saveVersion(deps: { flows: FlowRepository; audit: AuditLog }, actor: Principal, flowId: string, input: { source: string; baseVersion: number; note?: string }) {
  if (!flowIdPattern.test(flowId)) {
    throw new ValidationError('FLOW_ID_INVALID', 'A flow id is lowercase letters, digits and - (at most 64), starting with a letter or digit');
  }
  refuseAliasBomb(input.source);
  const check = checkFlowSource(flowId, input.source);
  const latest = await deps.flows.latestVersion(flowId);
  if (latest && latest.version === input.baseVersion && latest.source === input.source) {
    // Nothing changed: no new version, so "every save" stays meaningful in the history.
    return { created: false, version: latest.version, valid: latest.valid, problems: check.problems };
  }
  const saved = await deps.flows.saveNextVersion(
    {
      flowId,
      source: input.source,
      sourceHash: hashFlowSource(input.source),
      author: actor.name,
      ...(input.note ? { note: input.note } : {}),
      valid: check.ok,
      ...(check.ok ? { title: check.flow.title } : {}),
    },
    input.baseVersion,
  );
  if (!saved) throw await conflict(deps.flows, flowId, input.baseVersion);
  await deps.audit.record({
    actor: actor.name,
    actorRole: actor.role,
    action: 'flow.version_saved',
    flowId,
    version: saved.version,
    ...(input.note ? { note: input.note } : {}),
    details: { basedOn: input.baseVersion, valid: check.ok, problems: check.problems.length },
  });
  return { created: true, version: saved.version, valid: saved.valid, problems: check.problems };
}

/** A flow's summary, or 404. */
async function flowHead(flows: FlowRepository, flowId: string): Promise<FlowSummary> {
  const summary = await flows.get(flowId);
  if (!summary) throw new NotFoundError('FLOW_NOT_FOUND', `There is no flow "${flowId}"`, { flowId });
  return summary;
}

/** One stored version by number, or the latest or published one; 404 when there is none. */
async function storedVersion(flows: FlowRepository, flowId: string, ref: VersionRef): Promise<StoredFlowVersion> {
  let version: number | null;
  if (ref === 'latest') version = (await flowHead(flows, flowId)).latestVersion;
  else if (ref === 'published') version = (await flowHead(flows, flowId)).publishedVersion;
  else version = ref;
  const found = version == null ? null : await flows.getVersion(flowId, version);
  if (!found) throw new NotFoundError('FLOW_VERSION_NOT_FOUND', `Flow "${flowId}" has no ${typeof ref === 'number' ? `version ${ref}` : `${ref} version`}`, { flowId, ref });
  return found;
}
