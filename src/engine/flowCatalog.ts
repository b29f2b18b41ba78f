import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../core/errors.ts';
import type { FlowRepository, StoredFlowVersion } from '../core/flows.ts';
import type { Logger } from '../core/logger.ts';
import { compileFlow, type CompiledFlow } from './compile/compileFlow.ts';
import { formatProblem, type FlowProblem } from './definition/flowProblem.ts';
import { parseFlow } from './definition/parseFlow.ts';

/** Outcome of importing one flow file. */
export type FlowImportResult =
  | { file: string; status: 'imported'; flowId: string; version: number }
  | { file: string; status: 'unchanged'; flowId: string; version: number }
  | { file: string; status: 'invalid'; problems: FlowProblem[] };

/** Outcome of exporting one stored flow to `<flowId>.yaml`. */
export type FlowExportResult =
  | { flowId: string; file: string; status: 'written' | 'unchanged'; version: number }
  | { flowId: string; status: 'archived' | 'unpublished' };

export interface FlowCatalog {
  /** Imports every `*.yaml` in `dir` whose content is new, and publishes it. Invalid files are refused. */
  importDirectory(dir: string, author?: string): Promise<FlowImportResult[]>;
  /** The published version of `flowId`, compiled; null if there is none. */
  published(flowId: string): Promise<CompiledFlow | null>;
  /** A specific stored version, compiled (running sessions stay on theirs). */
  version(flowId: string, version: number): Promise<CompiledFlow>;
  /** Forgets the cached published pointer (after a publish elsewhere). */
  invalidate(flowId?: string): void;
  /**
   * Writes each live flow's published version to `<dir>/<flowId>.yaml`, byte for byte, so the
   * next start-up import finds it unchanged. Archived and never-published flows are skipped.
   */
  exportDirectory(dir: string): Promise<FlowExportResult[]>;
}

/** sha256 of a flow's YAML source, to recognise content already stored. */
export function hashFlowSource(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/**
 * Flow versions from the repository, compiled once per (flow, version) and cached. The stored
 * version number is authoritative: it is written into the definition before compiling.
 *
 * @example
 * const catalog = createFlowCatalog({ flows, logger });
 * await catalog.importDirectory('flows');
 * const flow = await catalog.published('nps-default');
 */
export function createFlowCatalog(deps: { flows: FlowRepository; logger: Logger; publishedTtlMs?: number }): FlowCatalog {
  const log = deps.logger.child({ module: 'flow-catalog' });
  const compiled = new Map<string, CompiledFlow>();
  // Published pointers are re-read after a short time so a publish by another process shows up.
  const publishedCache = new Map<string, { version: number | null; at: number }>();
  const ttl = deps.publishedTtlMs ?? 5_000;

  function compileStored(stored: StoredFlowVersion): CompiledFlow {
    const key = `${stored.flowId}@${stored.version}`;
    const hit = compiled.get(key);
    if (hit) return hit;
    const parsed = parseFlow(stored.source, key);
    if (!parsed.ok) throw new NotFoundError('FLOW_VERSION_INVALID', `Stored flow ${key} does not validate: ${parsed.problems.map((p) => formatProblem(p, key)).join('; ')}`);
    const flow = compileFlow({ ...parsed.flow, id: stored.flowId, version: stored.version });
    compiled.set(key, flow);
    return flow;
  }

  const catalog: FlowCatalog = {
    async importDirectory(dir, author = 'flows/ import') {
      const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
      const results: FlowImportResult[] = [];
      for (const file of files) {
        const source = await readFile(join(dir, file), 'utf8');
        const parsed = parseFlow(source, file);
        if (!parsed.ok) {
          log.error({ file, problems: parsed.problems.map((p) => formatProblem(p, file)) }, 'flow file is invalid; keeping the last good version');
          results.push({ file, status: 'invalid', problems: parsed.problems });
          continue;
        }
        const flowId = parsed.flow.id;
        const hash = hashFlowSource(source);
        const existing = await deps.flows.findByHash(flowId, hash);
        if (existing) {
          // Publish only when nothing is published yet; an admin's later publish wins over the file.
          const head = await deps.flows.get(flowId);
          if (head?.publishedVersion == null) await deps.flows.publish(flowId, existing.version, author);
          results.push({ file, status: 'unchanged', flowId, version: existing.version });
          continue;
        }
        const saved = await deps.flows.saveVersion({ flowId, source, sourceHash: hash, author, note: `imported from ${file}`, valid: true, title: parsed.flow.title });
        await deps.flows.publish(flowId, saved.version, author);
        publishedCache.delete(flowId);
        log.info({ flowId, version: saved.version, file }, 'imported flow version and published it');
        results.push({ file, status: 'imported', flowId, version: saved.version });
      }
      return results;
    },

    async published(flowId) {
      const cached = publishedCache.get(flowId);
      let version = cached && Date.now() - cached.at < ttl ? cached.version : undefined;
      if (version === undefined) {
        const head = await deps.flows.get(flowId);
        version = head && !head.archived ? head.publishedVersion : null;
        publishedCache.set(flowId, { version, at: Date.now() });
      }
      return version == null ? null : catalog.version(flowId, version);
    },

    async version(flowId, version) {
      const hit = compiled.get(`${flowId}@${version}`);
      if (hit) return hit;
      const stored = await deps.flows.getVersion(flowId, version);
      if (!stored) throw new NotFoundError('FLOW_NOT_FOUND', `Flow ${flowId} has no version ${version}`, { flowId, version });
      return compileStored(stored);
    },

    invalidate(flowId) {
      if (flowId) publishedCache.delete(flowId);
      else publishedCache.clear();
    },

    async exportDirectory(dir) {
      await mkdir(dir, { recursive: true });
      const results: FlowExportResult[] = [];
      for (const head of await deps.flows.list()) {
        if (head.archived) results.push({ flowId: head.flowId, status: 'archived' });
        else if (head.publishedVersion == null) results.push({ flowId: head.flowId, status: 'unpublished' });
        else {
          const stored = await deps.flows.getVersion(head.flowId, head.publishedVersion);
          if (!stored) continue;
          const file = join(dir, `${head.flowId}.yaml`);
          const current = await readFile(file, 'utf8').catch(() => null);
          if (current !== stored.source) await writeFile(file, stored.source, 'utf8');
          results.push({ flowId: head.flowId, file, status: current === stored.source ? 'unchanged' : 'written', version: stored.version });
        }
      }
      return results;
    },
  };
  return catalog;
}
