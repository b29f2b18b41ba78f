import type { Condition, Flow } from './flowSchema.ts';

/** A key path into the flow document, e.g. `['steps', 3, 'next']`. */
export type PathSegment = string | number;

export interface RouteTarget {
  to: string;
  /** Where the target is written; for an implicit next, the step itself. */
  path: PathSegment[];
}

/** Where a step goes: the first branch whose condition holds, else `next`. */
export interface StepRoute {
  branches: Array<RouteTarget & { when: Condition }>;
  /** `next`, the branch `default`, or the step listed after this one; absent when nothing applies. */
  next?: RouteTarget;
}

/**
 * The outgoing routes of every non-end step, by index in `flow.steps` (ids may be duplicated in
 * an invalid flow, so indexes are the safe key). End steps get an empty route.
 */
export function listRoutes(flow: Flow): StepRoute[] {
  return flow.steps.map((step, index) => {
    if (step.kind === 'end') return { branches: [] };
    const at: PathSegment[] = ['steps', index];
    const branches = (step.branch ?? []).map((b, i) => ({ when: b.when, to: b.goto, path: [...at, 'branch', i, 'goto'] }));
    if (step.branch !== undefined) {
      return step.default === undefined
        ? { branches }
        : { branches, next: { to: step.default, path: [...at, 'default'] } };
    }
    if (step.next !== undefined) return { branches, next: { to: step.next, path: [...at, 'next'] } };
    const following = flow.steps[index + 1];
    return following === undefined ? { branches } : { branches, next: { to: following.id, path: at } };
  });
}

/** Every step id a route can lead to. */
export function routeTargets(route: StepRoute): RouteTarget[] {
  return route.next === undefined ? route.branches : [...route.branches, route.next];
}
