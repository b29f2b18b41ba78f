import type { Flow, Step } from './flowSchema.ts';
import { routeTargets } from './listRoutes.ts';
import type { PathSegment, StepRoute } from './listRoutes.ts';

export type AddProblem = (segments: PathSegment[], message: string) => void;

/** One step's way out to another, by index, with the path of the field that names it. */
export interface Successor {
  index: number;
  path: PathSegment[];
}

/** What every flow check reads: the flow, its routes, ids resolved to first occurrences, and where problems go. */
export interface FlowCheckContext {
  flow: Flow;
  steps: Step[];
  routes: StepRoute[];
  /** Step id → index of its first occurrence (duplicates are reported, and ignored by graph checks). */
  indexOf: ReadonlyMap<string, number>;
  stepById: (id: string) => Step | undefined;
  add: AddProblem;
}

/** Maps each id to its first step; duplicates point at their first occurrence. */
export function indexStepIds(steps: readonly Step[], add: AddProblem): Map<string, number> {
  const indexOf = new Map<string, number>();
  steps.forEach((step, i) => {
    const first = indexOf.get(step.id);
    if (first === undefined) indexOf.set(step.id, i);
    else add(['steps', i, 'id'], `duplicate step id "${step.id}" (first used at steps[${first}])`);
  });
  return indexOf;
}

/** Routing structure and targets; returns the steps whose way out is broken. */
export function checkRouting({ steps, routes, indexOf, add }: FlowCheckContext): Set<number> {
  const broken = new Set<number>();
  steps.forEach((step, i) => {
    if (step.kind === 'end') return;
    if (step.next !== undefined && step.branch !== undefined) add(['steps', i, 'next'], 'use either next or branch, not both');
    if (step.branch === undefined && step.default !== undefined) add(['steps', i, 'default'], 'default only applies with branch; use next');
    if (step.branch !== undefined && step.default === undefined) {
      add(['steps', i, 'branch'], 'a branch needs a default step for when no condition holds');
      broken.add(i);
    } else if (routes[i]?.next === undefined) {
      add(['steps', i], 'has no next step: add next, or finish the flow with an end step');
      broken.add(i);
    }
    for (const target of routeTargets(routes[i] ?? { branches: [] })) {
      if (!indexOf.has(target.to)) {
        add(target.path, `goes to unknown step "${target.to}"`);
        broken.add(i);
      }
    }
  });
  return broken;
}

/** Each step's known targets (unknown ones are reported by `checkRouting`). */
export function listSuccessors({ steps, routes, indexOf }: FlowCheckContext): Successor[][] {
  return steps.map((_, i) =>
    routeTargets(routes[i] ?? { branches: [] }).flatMap((t) => {
      const j = indexOf.get(t.to);
      return j === undefined ? [] : [{ index: j, path: t.path }];
    }),
  );
}

/** Steps reachable from `start`, walking edges forwards. */
export function reachableFrom(successors: readonly Successor[][], start: number): Set<number> {
  const seen = new Set([start]);
  const queue = [start];
  for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
    for (const s of successors[i] ?? []) {
      if (seen.has(s.index)) continue;
      seen.add(s.index);
      queue.push(s.index);
    }
  }
  return seen;
}

/** Steps from which one of `seeds` can be reached, walking edges backwards. */
function stepsReaching(successors: readonly Successor[][], seeds: number[]): Set<number> {
  const seen = new Set(seeds);
  const queue = [...seeds];
  for (let j = queue.shift(); j !== undefined; j = queue.shift()) {
    successors.forEach((out, i) => {
      if (seen.has(i) || !out.some((s) => s.index === j)) return;
      seen.add(i);
      queue.push(i);
    });
  }
  return seen;
}

/**
 * Every step reachable from the first, and every reachable step able to finish. Broken steps count
 * as able to finish, so that one bad target is reported once rather than at every step before it.
 */
export function checkReachability(context: FlowCheckContext, successors: readonly Successor[][], broken: ReadonlySet<number>): void {
  const { steps, indexOf, add } = context;
  const reachable = reachableFrom(successors, 0);
  steps.forEach((step, i) => {
    if (!reachable.has(i) && indexOf.get(step.id) === i) add(['steps', i], 'is unreachable: no step leads here');
  });
  const canEnd = stepsReaching(successors, steps.flatMap((s, i) => (s.kind === 'end' ? [i] : [])));
  const canBreak = stepsReaching(successors, [...broken]);
  for (const i of reachable) {
    if (!canEnd.has(i) && !canBreak.has(i)) add(['steps', i], 'no path from here to an end step');
  }
}

/** A loop of message steps never waits for the customer, so the machine would spin forever. */
export function checkMessageLoops({ steps, add }: FlowCheckContext, successors: readonly Successor[][]): void {
  const state = new Map<number, 'open' | 'done'>();
  const visitMessages = (i: number): void => {
    state.set(i, 'open');
    for (const s of successors[i] ?? []) {
      if (steps[s.index]?.kind !== 'message') continue;
      if (state.get(s.index) === 'open') add(s.path, `loops back to "${steps[s.index]?.id}" without asking anything; the flow would never stop`);
      else if (!state.has(s.index)) visitMessages(s.index);
    }
    state.set(i, 'done');
  };
  steps.forEach((step, i) => {
    if (step.kind === 'message' && !state.has(i)) visitMessages(i);
  });
}
