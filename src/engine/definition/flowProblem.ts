import type { PathSegment } from './listRoutes.ts';

/** One thing wrong with a flow file, located by step id, key path and (from YAML) line. */
export interface FlowProblem {
  stepId?: string;
  /** Key path such as `steps[3].branch[0].goto`; empty for the whole file. */
  path: string;
  message: string;
  /** 1-based line in the YAML source, when known. */
  line?: number;
}

/** A problem before it is located in a source file. */
export interface RawProblem {
  segments: PathSegment[];
  message: string;
}

/** `['steps', 3, 'next']` → `steps[3].next`. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out === '' ? s : `${out}.${s}`), '');
}

/** The id of the step a path points into, read from the (possibly unparsed) document. */
export function stepIdAt(document: unknown, segments: readonly PathSegment[]): string | undefined {
  if (segments[0] !== 'steps' || typeof segments[1] !== 'number') return undefined;
  if (!isRecord(document) || !Array.isArray(document.steps)) return undefined;
  const step: unknown = document.steps[segments[1]];
  return isRecord(step) && typeof step.id === 'string' ? step.id : undefined;
}

/** One line per problem, e.g. `flows/a.yaml:12 steps[3].next (step reason): goes to unknown step "x"`. */
export function formatProblem(problem: FlowProblem, source: string): string {
  const where = problem.line === undefined ? source : `${source}:${problem.line}`;
  const path = problem.path === '' ? '' : ` ${problem.path}`;
  const step = problem.stepId === undefined ? '' : ` (step ${problem.stepId})`;
  return `${where}${path}${step}: ${problem.message}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
