import { parse } from 'yaml';

/** One route out of a step as it behaves: a condition (absent = otherwise) and the target. */
export interface RouteOut {
  when?: Record<string, unknown>;
  goto: string;
  /** The target is simply the step listed next (no `next` written). */
  implicit?: true;
}

/** What changed about one field; `group` tells a reader what kind of change it is. */
export interface FieldChange {
  field: string;
  group: 'text' | 'branching' | 'kind' | 'position' | 'other';
  before: unknown;
  after: unknown;
}

export type StepDiff =
  | { stepId: string; change: 'added'; kind: unknown; text: unknown; index: number; routes: RouteOut[] }
  | { stepId: string; change: 'removed'; kind: unknown; text: unknown; index: number }
  | { stepId: string; change: 'changed'; kind: unknown; changes: FieldChange[] };

/** Two flow sources compared step by step (unchanged steps are left out). */
export interface FlowDiff {
  /** False when either side is not YAML with a `steps` list; then only `flow` may say more. */
  comparable: boolean;
  identical: boolean;
  steps: StepDiff[];
  /** Changes outside the steps: title, variables, settings, faq, catalog. */
  flow: FieldChange[];
}

const textFields = new Set(['text', 'reask', 'ack', 'touchpoint', 'options', 'labels']);
const routingFields = new Set(['next', 'branch', 'default']);
const flowFields = ['title', 'locale', 'variables', 'settings', 'faq', 'catalog'];

/**
 * Compares two flow definitions (YAML text) step by step, matching steps by id: steps added
 * and removed, and for steps in both, changed text (text, re-ask, ack, options, labels),
 * changed branching (where the step actually goes, including the implicit "next in the list"),
 * kind, position among the common steps, and other settings. Works on invalid drafts too, as
 * long as both sides are YAML with a `steps` list.
 *
 * @example
 * const diff = diffFlowSources(v1.source, v2.source);
 * for (const s of diff.steps) console.log(s.change, s.stepId);
 */
export function diffFlowSources(fromSource: string, toSource: string): FlowDiff {
  if (fromSource === toSource) return { comparable: true, identical: true, steps: [], flow: [] };
  const before = readSafely(fromSource);
  const after = readSafely(toSource);
  const flow = flowFields.flatMap((field): FieldChange[] =>
    same(before.doc[field], after.doc[field]) ? [] : [{ field, group: 'other', before: before.doc[field] ?? null, after: after.doc[field] ?? null }],
  );
  if (!before.steps || !after.steps) return { comparable: false, identical: false, steps: [], flow };

  const oldIndex = indexById(before.steps);
  const newIndex = indexById(after.steps);
  const oldRoutes = routesOf(before.steps);
  const newRoutes = routesOf(after.steps);
  const common = after.steps.map((s) => s.id).filter((id): id is string => id !== undefined && oldIndex.has(id) && newIndex.get(id) !== undefined);
  const keptInOrder = longestOrderedSubset(common.map((id) => oldIndex.get(id)!));
  const moved = new Set(common.filter((id) => !keptInOrder.has(oldIndex.get(id)!)));

  const steps: StepDiff[] = [];
  const removedAfter = (newPosition: number) => {
    // Show removed steps where they used to be: after the last common step that preceded them.
    for (const [id, i] of oldIndex) {
      if (newIndex.has(id)) continue;
      const anchor = before.steps!.slice(0, i).reverse().find((s) => s.id !== undefined && newIndex.has(s.id));
      const anchorAt = anchor?.id === undefined ? -1 : newIndex.get(anchor.id)!;
      if (anchorAt === newPosition) {
        const step = before.steps![i]!;
        steps.push({ stepId: id, change: 'removed', kind: step.raw.kind ?? null, text: step.raw.text ?? null, index: i });
      }
    }
  };
  removedAfter(-1);
  after.steps.forEach((step, j) => {
    const id = step.id;
    if (id === undefined || newIndex.get(id) !== j) return;
    const i = oldIndex.get(id);
    if (i === undefined) {
      steps.push({ stepId: id, change: 'added', kind: step.raw.kind ?? null, text: step.raw.text ?? null, index: j, routes: newRoutes[j] ?? [] });
    } else {
      const old = before.steps![i]!;
      const changes: FieldChange[] = [];
      if (!same(old.raw.kind, step.raw.kind)) changes.push({ field: 'kind', group: 'kind', before: old.raw.kind ?? null, after: step.raw.kind ?? null });
      const fields = new Set([...Object.keys(old.raw), ...Object.keys(step.raw)]);
      for (const field of fields) {
        if (field === 'id' || field === 'kind' || routingFields.has(field)) continue;
        if (same(old.raw[field], step.raw[field])) continue;
        changes.push({ field, group: textFields.has(field) ? 'text' : 'other', before: old.raw[field] ?? null, after: step.raw[field] ?? null });
      }
      // Compared by behaviour: writing `next` to the step that follows anyway changes nothing.
      if (!same(targetsOf(oldRoutes[i]), targetsOf(newRoutes[j]))) changes.push({ field: 'routes', group: 'branching', before: oldRoutes[i] ?? [], after: newRoutes[j] ?? [] });
      if (moved.has(id)) changes.push({ field: 'position', group: 'position', before: i, after: j });
      if (changes.length > 0) steps.push({ stepId: id, change: 'changed', kind: step.raw.kind ?? null, changes });
    }
    removedAfter(j);
  });
  return { comparable: true, identical: steps.length === 0 && flow.length === 0, steps, flow };
}

interface RawStep {
  id?: string;
  raw: Record<string, unknown>;
}

function readSafely(source: string): { doc: Record<string, unknown>; steps?: RawStep[] } {
  let data: unknown;
  try {
    data = parse(source, { maxAliasCount: 100 });
  } catch {
    return { doc: {} };
  }
  if (!isRecord(data)) return { doc: {} };
  if (!Array.isArray(data.steps)) return { doc: data };
  const steps = data.steps.map((s: unknown): RawStep => {
    const raw = isRecord(s) ? s : {};
    return { ...(typeof raw.id === 'string' ? { id: raw.id } : {}), raw };
  });
  return { doc: data, steps };
}

/** First occurrence of each id (duplicates in an invalid draft are ignored). */
function indexById(steps: RawStep[]): Map<string, number> {
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    if (s.id !== undefined && !index.has(s.id)) index.set(s.id, i);
  });
  return index;
}

/** Where each step goes, as the engine reads it: branches in order, then next/default/the following step. */
function routesOf(steps: RawStep[]): RouteOut[][] {
  return steps.map((step, i) => {
    const raw = step.raw;
    if (raw.kind === 'end') return [];
    const out: RouteOut[] = [];
    const branches = Array.isArray(raw.branch) ? raw.branch : undefined;
    for (const b of branches ?? []) {
      if (isRecord(b) && typeof b.goto === 'string') out.push({ ...(isRecord(b.when) ? { when: b.when } : {}), goto: b.goto });
    }
    const explicit = branches ? raw.default : raw.next;
    if (typeof explicit === 'string') out.push({ goto: explicit });
    else if (!branches) {
      const following = steps[i + 1]?.id;
      if (following !== undefined) out.push({ goto: following, implicit: true });
    }
    return out;
  });
}

function targetsOf(routes: RouteOut[] | undefined): unknown[] {
  return (routes ?? []).map((r) => ({ when: r.when ?? null, goto: r.goto }));
}

/** Indexes (old positions, in new order) that keep their relative order: the longest increasing subsequence. */
function longestOrderedSubset(values: number[]): Set<number> {
  const lengths = values.map(() => 1);
  const previous = values.map(() => -1);
  values.forEach((v, i) => {
    for (let j = 0; j < i; j++) {
      if (values[j]! < v && lengths[j]! + 1 > lengths[i]!) {
        lengths[i] = lengths[j]! + 1;
        previous[i] = j;
      }
    }
  });
  let best = -1;
  lengths.forEach((l, i) => {
    if (best === -1 || l > lengths[best]!) best = i;
  });
  const kept = new Set<number>();
  for (let i = best; i !== -1; i = previous[i]!) kept.add(values[i]!);
  return kept;
}

function same(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
