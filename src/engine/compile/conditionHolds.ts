import { isQuestionStep } from '../definition/flowSchema.ts';
import type { Condition, Flow } from '../definition/flowSchema.ts';
import { listRoutes } from '../definition/listRoutes.ts';
import { npsGroupOf } from '../definition/npsGroupOf.ts';
import type { RecordedAnswer } from '../runtime/turnResult.ts';

/** Whether a branch condition holds for the answers so far; a missing answer never matches. */
export function conditionHolds(when: Condition, answers: Readonly<Record<string, RecordedAnswer>>): boolean {
  const value = answers[when.step]?.value;
  if (value === undefined || value === null) return false;
  const values = Array.isArray(value) ? value : [value];
  if (when.group !== undefined && (typeof value !== 'number' || npsGroupOf(value) !== when.group)) return false;
  if (when.gte !== undefined && (typeof value !== 'number' || value < when.gte)) return false;
  if (when.lte !== undefined && (typeof value !== 'number' || value > when.lte)) return false;
  if (when.in !== undefined && !values.some((v) => when.in?.includes(v))) return false;
  return true;
}

/**
 * The question the flow asks after `fromStepId` given these answers (through message steps), or
 * undefined at an end. Used to take a reason in passing only for the question that comes next.
 */
export function nextQuestionId(flow: Flow, answers: Readonly<Record<string, RecordedAnswer>>, fromStepId: string): string | undefined {
  const routes = listRoutes(flow);
  let at = flow.steps.findIndex((s) => s.id === fromStepId);
  for (let hops = 0; at >= 0 && hops < flow.steps.length; hops++) {
    const route = routes[at] ?? { branches: [] };
    const to = route.branches.find((b) => conditionHolds(b.when, answers))?.to ?? route.next?.to;
    if (to === undefined) return undefined;
    at = flow.steps.findIndex((s) => s.id === to);
    const step = flow.steps[at];
    if (step !== undefined && isQuestionStep(step)) return step.id;
  }
  return undefined;
}
