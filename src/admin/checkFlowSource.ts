import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { ValidationError } from '../core/errors.ts';
import { EXCESSIVE_ALIASES, parseFlow, type Flow, type FlowProblem } from '../engine/index.ts';

/** Limits on what an admin may store, beyond the flow format itself (WeCom text is ≤ 2048 bytes). */
export const flowLimits = {
  /** Characters of YAML per flow (the API body cap is 256 KB). */
  maxSourceChars: 200_000,
  maxSteps: 100,
  /** Characters in any single text (question, option label, FAQ answer…). */
  maxTextChars: 1_000,
} as const;

/**
 * Refuses YAML whose aliases expand past the parser's limit (a "billion laughs" of anchors and
 * aliases) with 400 FLOW_YAML_ALIASES: it could not be shown in the editor, diffed or run, so it
 * is not stored either.
 *
 * @example
 * refuseAliasBomb(body.source); // before saving, validating or previewing a draft
 */
export function refuseAliasBomb(source: string): void {
  const doc = parseDocument(source);
  if (doc.errors.length > 0) return; // a syntax problem, reported by checkFlowSource
  try {
    doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Other alias errors (an alias to no anchor) are ordinary problems that checkFlowSource lists.
    if (error instanceof ReferenceError && EXCESSIVE_ALIASES.test(error.message)) {
      throw new ValidationError('FLOW_YAML_ALIASES', `The YAML's aliases (*name) expand to more than 100 nodes; write the repeated parts out instead`);
    }
  }
}

/** A flow draft checked: the parsed flow when it is publishable, and every problem otherwise. */
export type FlowCheck = { ok: true; flow: Flow; problems: [] } | { ok: false; problems: FlowProblem[] };

/**
 * Runs the same checks as `flow validate` on a draft for `flowId`, plus what the admin API adds:
 * the flow's `id` must be `flowId`, and sizes stay within `flowLimits`. Problems carry the step
 * id, key path and YAML line, sorted by line.
 *
 * @example
 * const check = checkFlowSource('nps-default', yaml);
 * if (!check.ok) for (const p of check.problems) console.error(p.line, p.path, p.message);
 */
export function checkFlowSource(flowId: string, source: string): FlowCheck {
  if (source.length > flowLimits.maxSourceChars) {
    return { ok: false, problems: [{ path: '', message: `the flow is ${source.length} characters long; the limit is ${flowLimits.maxSourceChars}` }] };
  }
  // No `.yaml` in the source name: drafts are not files, so the file-name rule does not apply.
  const parsed = parseFlow(source, `flow ${flowId}`);
  const problems: FlowProblem[] = parsed.ok ? [] : [...parsed.problems];
  const located = locateScalars(source);
  if (located) {
    for (const scalar of located.scalars) {
      if (typeof scalar.value === 'string' && scalar.value.length > flowLimits.maxTextChars) {
        problems.push({
          ...stepIdOf(located.data, scalar.path),
          path: formatPath(scalar.path),
          message: `text is ${scalar.value.length} characters long; the limit is ${flowLimits.maxTextChars}`,
          line: scalar.line,
        });
      }
    }
    const steps = isRecord(located.data) && Array.isArray(located.data.steps) ? located.data.steps : [];
    if (steps.length > flowLimits.maxSteps) {
      problems.push({ path: 'steps', message: `the flow has ${steps.length} steps; the limit is ${flowLimits.maxSteps}`, line: located.lineOf(['steps']) });
    }
    const id = isRecord(located.data) ? located.data.id : undefined;
    if (typeof id === 'string' && id !== flowId) {
      problems.push({ path: 'id', message: `id is "${id}" but this is flow "${flowId}"; the id cannot change (create a new flow instead)`, line: located.lineOf(['id']) });
    }
  }
  if (problems.length === 0 && parsed.ok) return { ok: true, flow: parsed.flow, problems: [] };
  return { ok: false, problems: dedupe(withoutEchoes(problems)).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

type Segment = string | number;

/** Every scalar of a YAML document with its key path and line; null when the YAML does not parse. */
function locateScalars(source: string): { data: unknown; scalars: Array<{ path: Segment[]; value: unknown; line?: number }>; lineOf(path: Segment[]): number | undefined } | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  if (doc.errors.length > 0) return null;
  const scalars: Array<{ path: Segment[]; value: unknown; line?: number }> = [];
  const lines = new Map<string, number>();
  const lineAt = (node: Node | null | undefined): number | undefined => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);
  const walk = (node: unknown, path: Segment[], keyLine?: number): void => {
    const line = keyLine ?? lineAt(node as Node);
    if (line !== undefined) lines.set(JSON.stringify(path), line);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...path, key], lineAt(pair.key as Node));
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node)) {
      scalars.push({ path, value: node.value, ...(line === undefined ? {} : { line }) });
    }
  };
  walk(doc.contents, []);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    data = undefined;
  }
  return { data, scalars, lineOf: (path) => lines.get(JSON.stringify(path)) };
}

function stepIdOf(data: unknown, path: Segment[]): { stepId?: string } {
  if (path[0] !== 'steps' || typeof path[1] !== 'number' || !isRecord(data) || !Array.isArray(data.steps)) return {};
  const step: unknown = data.steps[path[1]];
  return isRecord(step) && typeof step.id === 'string' ? { stepId: step.id } : {};
}

function formatPath(segments: readonly Segment[]): string {
  return segments.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out === '' ? s : `${out}.${s}`), '');
}

/** A text over the character limit is also over the message size: say it once, by its length. */
function withoutEchoes(problems: FlowProblem[]): FlowProblem[] {
  const tooLong = new Set(problems.filter((p) => p.message.startsWith('text is ')).map((p) => p.path));
  return problems.filter((p) => !(tooLong.has(p.path) && p.message.startsWith('could render to ')));
}

function dedupe(problems: FlowProblem[]): FlowProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
