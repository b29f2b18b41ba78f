import type { FlowRepository } from '../core/flows.ts';
import { parseFlow, type Flow } from '../engine/index.ts';
import type { FlowDefinitions } from './ports.ts';

/**
 * Flow definitions for analytics from the flow store: the version a session ran on (compiled and
 * cached by the flow catalog) and every valid version for labels and step order. Parsed versions
 * are immutable, so they are cached for good; the list of versions for 30 s.
 */
export function createFlowDefinitions(deps: {
  flows: Pick<FlowRepository, 'listVersions' | 'list'>;
  catalog: { version(flowId: string, version: number): Promise<{ flow: Flow }> };
  now?: () => number;
}): FlowDefinitions {
  const now = deps.now ?? Date.now;
  const parsed = new Map<string, Flow | null>();
  const lists = new Map<string, { at: number; flows: Flow[] }>();
  return {
    async version(flowId, version) {
      return (await deps.catalog.version(flowId, version)).flow;
    },
    async versions(flowId) {
      const hit = lists.get(flowId);
      if (hit && now() - hit.at < 30_000) return hit.flows;
      const stored = await deps.flows.listVersions(flowId);
      const flows: Flow[] = [];
      for (const v of [...stored].sort((a, b) => b.version - a.version)) {
        if (!v.valid) continue;
        const key = `${flowId}@${v.version}`;
        if (!parsed.has(key)) {
          const result = parseFlow(v.source, key);
          parsed.set(key, result.ok ? { ...result.flow, id: flowId, version: v.version } : null);
        }
        const flow = parsed.get(key);
        if (flow) flows.push(flow);
      }
      lists.set(flowId, { at: now(), flows });
      return flows;
    },
    async list() {
      return (await deps.flows.list()).map((f) => ({ flowId: f.flowId, ...(f.title ? { title: f.title } : {}) }));
    },
  };
}
