import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatPath, stepIdAt } from './flowProblem.ts';
import type { FlowProblem, RawProblem } from './flowProblem.ts';
import { flowSchema, stepKinds } from './flowSchema.ts';
import type { Flow } from './flowSchema.ts';
import type { PathSegment } from './listRoutes.ts';
import { findFlowProblems } from './validateFlow.ts';

/** How many nodes YAML aliases may expand to (yaml's default); a flow never needs more. */
const MAX_ALIAS_COUNT = 100;
/** How yaml words the refusal of MAX_ALIAS_COUNT ("Excessive alias count indicates a resource exhaustion attack"). */
export const EXCESSIVE_ALIASES = /excessive alias count/i;

/** A parsed and validated flow, or every problem found with its line. */
export type ParseFlowResult = { ok: true; flow: Flow } | { ok: false; problems: FlowProblem[] };

/**
 * Parses a flow from YAML text and validates it fully (schema, then cross-step rules). Problems
 * carry the 1-based YAML line. When `sourceName` is a `.yaml` file name, it must be `<id>.yaml`.
 *
 * @example
 * const result = parseFlow(await readFile('flows/nps-default.yaml', 'utf8'), 'flows/nps-default.yaml');
 * if (!result.ok) for (const p of result.problems) console.error(p.line, p.path, p.message);
 */
export function parseFlow(yamlText: string, sourceName?: string): ParseFlowResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((e) => ({ path: '', message: e.message, line: lineCounter.linePos(e.pos[0]).line })),
    };
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws on an alias to no anchor and on aliases that expand past the limit (a "billion
    // laughs"); both are problems with the draft, not crashes.
    if (!(error instanceof ReferenceError)) throw error;
    const message = EXCESSIVE_ALIASES.test(error.message) ? `the YAML's aliases (*name) expand too far; write the repeated parts out instead` : error.message;
    return { ok: false, problems: [{ path: '', message }] };
  }
  const locate = (problem: RawProblem): FlowProblem => {
    const stepId = stepIdAt(data, problem.segments);
    const line = lineOf(document.contents, problem.segments, lineCounter);
    return {
      ...(stepId === undefined ? {} : { stepId }),
      path: formatPath(problem.segments),
      message: problem.message,
      ...(line === undefined ? {} : { line }),
    };
  };

  const byLine = (problems: RawProblem[]): FlowProblem[] =>
    problems.map(locate).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

  const parsed = flowSchema.safeParse(data, { error: describeIssue });
  if (!parsed.success) return { ok: false, problems: byLine(parsed.error.issues.flatMap(toRawProblems)) };

  const problems = findFlowProblems(parsed.data);
  const fileId = sourceName?.match(/([^/\\]+)\.ya?ml$/)?.[1];
  if (fileId !== undefined && fileId !== parsed.data.id) {
    problems.push({ segments: ['id'], message: `file is named "${fileId}" but the flow id is "${parsed.data.id}"; name it ${parsed.data.id}.yaml` });
  }
  return problems.length === 0 ? { ok: true, flow: parsed.data } : { ok: false, problems: byLine(problems) };
}

/** Messages a flow author can act on, in place of zod's generic ones. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_union' && issue.note === 'No matching discriminator') {
    const kind = typeof issue.input === 'object' && issue.input !== null && 'kind' in issue.input ? issue.input.kind : undefined;
    return kind === undefined
      ? `step needs a kind: one of ${stepKinds.join(', ')}`
      : `unknown step kind ${JSON.stringify(kind)}; use one of ${stepKinds.join(', ')}`;
  }
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'is required';
  if (issue.code === 'invalid_value' && issue.path?.length === 1 && issue.path[0] === 'schemaVersion') {
    return 'schemaVersion must be 1 (the only format this engine reads)';
  }
  return undefined;
}

function toRawProblems(issue: z.core.$ZodIssue): RawProblem[] {
  const segments = issue.path.filter((s): s is PathSegment => typeof s === 'string' || typeof s === 'number');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ segments: [...segments, key], message: `unknown key "${key}"` }));
  }
  return [{ segments, message: issue.message }];
}

/** Line of the deepest node along `segments` (a missing key reports its parent's line). */
function lineOf(root: unknown, segments: readonly PathSegment[], lineCounter: LineCounter): number | undefined {
  let node: unknown = root;
  let line = startLine(node, lineCounter);
  for (const segment of segments) {
    let child: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      // Point at the key: a value may start on a later line (block sequences, maps).
      if (pair !== undefined) line = startLine(pair.key, lineCounter) ?? line;
      child = pair?.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      child = node.items[segment];
      line = startLine(child, lineCounter) ?? line;
    }
    if (child === undefined || child === null) break;
    node = child;
  }
  return line;
}

function startLine(node: unknown, lineCounter: LineCounter): number | undefined {
  return isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
}
