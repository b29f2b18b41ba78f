import { AppError } from '../core/errors.ts';
import type { FlowProblem } from './definition/flowProblem.ts';

/** A flow that fails validation was handed to `compileFlow`. */
export class FlowInvalidError extends AppError {
  readonly problems: FlowProblem[];

  constructor(flowId: string, problems: FlowProblem[]) {
    const list = problems.map((p) => `${p.path || '(file)'}${p.stepId ? ` [${p.stepId}]` : ''}: ${p.message}`).join('; ');
    super('FLOW_INVALID', `Flow "${flowId}" has ${problems.length} problem(s); fix them and publish again: ${list}`, {
      status: 400,
      context: { flowId, problems },
    });
    this.problems = problems;
  }
}

/** A stored snapshot does not belong to this flow version, or is not a snapshot at all. */
export class SnapshotMismatchError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('SNAPSHOT_MISMATCH', message, { status: 500, expose: false, context });
  }
}
