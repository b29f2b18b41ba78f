import { listTemplateFields } from '../runtime/renderTemplate.ts';
import { checkCatalog } from './checkCatalog.ts';
import { checkMessageSizes } from './checkMessageSizes.ts';
import { describeQuestion } from './describeQuestion.ts';
import { formatPath, stepIdAt } from './flowProblem.ts';
import type { FlowProblem, RawProblem } from './flowProblem.ts';
import { isQuestionStep } from './flowSchema.ts';
import type { Condition, Flow, Step } from './flowSchema.ts';
import { checkMessageLoops, checkReachability, checkRouting, indexStepIds, listSuccessors, reachableFrom } from './checkFlowGraph.ts';
import type { AddProblem, FlowCheckContext, Successor } from './checkFlowGraph.ts';
import { listRoutes } from './listRoutes.ts';
import type { PathSegment } from './listRoutes.ts';

/**
 * Checks what the schema cannot: unique ids, known targets, every step reachable from the first,
 * a way from every step to an end, no endless message loops, sensible ranges and branch values,
 * template fields that exist, texts that fit what WeCom delivers at their worst case, and a catalogue where every id and word selects one item. Returns
 * every problem found (empty when the flow is valid).
 */
export function validateFlow(flow: Flow): FlowProblem[] {
  return findFlowProblems(flow).map((p) => {
    const stepId = stepIdAt(flow, p.segments);
    return { ...(stepId === undefined ? {} : { stepId }), path: formatPath(p.segments), message: p.message };
  });
}

/** Like `validateFlow`, with paths as segments so a YAML parser can attach line numbers. */
export function findFlowProblems(flow: Flow): RawProblem[] {
  const problems: RawProblem[] = [];
  const add: AddProblem = (segments, message) => void problems.push({ segments, message });
  const steps = flow.steps;
  const indexOf = indexStepIds(steps, add);
  const stepById = (id: string): Step | undefined => {
    const i = indexOf.get(id);
    return i === undefined ? undefined : steps[i];
  };
  const context: FlowCheckContext = { flow, steps, routes: listRoutes(flow), indexOf, stepById, add };

  const broken = checkRouting(context);
  const successors = listSuccessors(context);
  checkReachability(context, successors, broken);
  checkMessageLoops(context, successors);
  steps.forEach((step, i) => checkStepValues(step, i, add));
  checkBranchConditions(context, successors);
  checkTemplates(context);
  checkMessageSizes(flow, context.routes, indexOf, add);

  problems.push(...checkCatalog(flow.catalog));
  checkSegmentSteps(flow, stepById, add);
  checkFollowUp(flow, stepById, add);
  checkFills(flow, stepById, add);

  if (flow.settings.reminderAfterHours >= flow.settings.expireAfterHours) {
    add(['settings', 'reminderAfterHours'], 'must be less than expireAfterHours, or the session expires before the reminder');
  }
  return problems;
}

/** Ranges, labels and options of one step. */
function checkStepValues(step: Step, i: number, add: AddProblem): void {
  if (step.kind === 'rating' && step.min >= step.max) {
    add(['steps', i, 'max'], `max (${step.max}) must be greater than min (${step.min})`);
  }
  if ((step.kind === 'csat' || step.kind === 'rating' || step.kind === 'repurchase') && step.labels !== undefined) {
    const range = describeQuestion(step).range;
    for (const key of Object.keys(step.labels)) {
      const value = Number(key);
      if (range !== undefined && (value < range.min || value > range.max)) {
        add(['steps', i, 'labels', key], `label for ${key} is outside the ${range.min}–${range.max} range`);
      }
    }
  }
  if ('lowScoreAck' in step && step.lowScoreAck !== undefined) {
    const range = describeQuestion(step).range;
    const { lte } = step.lowScoreAck;
    if (range !== undefined && (lte < range.min || lte >= range.max)) {
      add(['steps', i, 'lowScoreAck', 'lte'], `lte ${lte} must be at least ${range.min} and below the top score ${range.max}, or every answer (or none) would get it`);
    }
  }
  if (step.kind === 'choice') {
    const seen = new Set<string>();
    step.options.forEach((o, j) => {
      if (seen.has(o.id)) add(['steps', i, 'options', j, 'id'], `duplicate option id "${o.id}"`);
      seen.add(o.id);
    });
  }
}

/** Branch conditions must read an answer that exists by then. */
function checkBranchConditions({ steps, indexOf, stepById, add }: FlowCheckContext, successors: readonly Successor[][]): void {
  steps.forEach((step, i) => {
    if (step.kind === 'end') return;
    (step.branch ?? []).forEach((b, j) => {
      const at: PathSegment[] = ['steps', i, 'branch', j, 'when'];
      for (const message of checkCondition(b.when, stepById(b.when.step))) add([...at, message.key], message.text);
      const ref = indexOf.get(b.when.step);
      if (ref !== undefined && stepById(b.when.step)?.kind !== 'message' && !reachableFrom(successors, ref).has(i)) {
        add([...at, 'step'], `"${b.when.step}" is never answered before this step`);
      }
    });
  });
}

/** Every template (step texts, FAQ answers, settings texts) parses and names fields that exist. */
function checkTemplates({ flow, steps, stepById, add }: FlowCheckContext): void {
  const checkTemplate = (segments: PathSegment[], template: string): void => {
    const listed = listTemplateFields(template);
    if (!listed.ok) return add(segments, listed.message);
    for (const field of listed.fields) {
      const problem = checkField(field, flow, stepById);
      if (problem !== undefined) add(segments, problem);
    }
  };
  steps.forEach((step, i) => {
    checkTemplate(['steps', i, 'text'], step.text);
    if (isQuestionStep(step)) {
      if (step.reask !== undefined) checkTemplate(['steps', i, 'reask'], step.reask);
      if (step.ack !== undefined) checkTemplate(['steps', i, 'ack'], step.ack);
      if (step.kind === 'choice') step.options.forEach((o, k) => o.ack !== undefined && checkTemplate(['steps', i, 'options', k, 'ack'], o.ack));
      step.acks?.forEach((a, k) => checkTemplate(['steps', i, 'acks', k, 'text'], a.text));
      if ('lowScoreAck' in step && step.lowScoreAck !== undefined) checkTemplate(['steps', i, 'lowScoreAck', 'text'], step.lowScoreAck.text);
    }
  });
  flow.faq.forEach((entry, k) => checkTemplate(['faq', k, 'answer'], entry.answer));
  for (const [key, text] of Object.entries(flow.settings.texts)) checkTemplate(['settings', 'texts', key], text);
}

function checkCondition(when: Condition, ref: Step | undefined): Array<{ key: string; text: string }> {
  if (ref === undefined) return [{ key: 'step', text: `refers to unknown step "${when.step}"` }];
  if (!isQuestionStep(ref)) return [{ key: 'step', text: `refers to ${ref.kind} step "${ref.id}", which has no answer` }];
  const out: Array<{ key: string; text: string }> = [];
  const shape = describeQuestion(ref);
  if (when.group !== undefined && ref.kind !== 'nps') out.push({ key: 'group', text: `group only applies to nps steps; "${ref.id}" is ${ref.kind}` });
  for (const key of ['gte', 'lte'] as const) {
    const value = when[key];
    if (value === undefined) continue;
    if (shape.range === undefined) out.push({ key, text: `${key} only applies to score steps; "${ref.id}" is ${ref.kind}` });
    else if (value < shape.range.min || value > shape.range.max) {
      out.push({ key, text: `${key} ${value} is outside the ${shape.range.min}–${shape.range.max} range of "${ref.id}"` });
    }
  }
  if (when.gte !== undefined && when.lte !== undefined && when.gte > when.lte) {
    out.push({ key: 'gte', text: `gte ${when.gte} is greater than lte ${when.lte}; the condition can never hold` });
  }
  for (const value of when.in ?? []) {
    if (shape.options !== undefined) {
      if (!shape.options.some((o) => o.id === value)) out.push({ key: 'in', text: `"${value}" is not an option of "${ref.id}"` });
    } else if (shape.range !== undefined) {
      if (typeof value !== 'number' || value < shape.range.min || value > shape.range.max) {
        out.push({ key: 'in', text: `${JSON.stringify(value)} is not a score in the ${shape.range.min}–${shape.range.max} range of "${ref.id}"` });
      }
    } else {
      out.push({ key: 'in', text: `in does not apply to text steps; "${ref.id}" is free text` });
      break;
    }
  }
  return out;
}

function checkField(field: string, flow: Flow, stepById: (id: string) => Step | undefined): string | undefined {
  const [root, name, ...rest] = field.split('.');
  if (rest.length > 0 || name === '') return `unknown template field "{{${field}}}"`;
  if (name === undefined) {
    return root !== undefined && Object.hasOwn(flow.variables, root)
      ? undefined
      : `unknown template field "{{${field}}}"; define it under variables, or use customer.<name> or answers.<stepId>`;
  }
  if (root === 'customer') return undefined;
  if (root === 'links') return name === 'review' ? undefined : `unknown link "{{${field}}}"; the flow has links.review (settings.reviewUrl)`;
  if (root === 'answers') {
    const step = stepById(name);
    return step !== undefined && isQuestionStep(step) ? undefined : `"{{${field}}}" does not name a question step`;
  }
  return `unknown template field "{{${field}}}"; use customer.<name>, answers.<stepId> or a variable`;
}

/** `settings.segments` may name its NPS and intent questions; they must exist and be of that kind. */
function checkSegmentSteps(flow: Flow, stepById: (id: string) => Step | undefined, add: AddProblem): void {
  const segments = flow.settings.segments;
  if (!segments) return;
  const refs = [
    ['npsStep', segments.npsStep, 'nps'],
    ['intentStep', segments.intentStep, 'repurchase'],
  ] as const;
  for (const [key, id, kind] of refs) {
    if (id === undefined) continue;
    const step = stepById(id);
    if (!step) add(['settings', 'segments', key], `refers to unknown step "${id}"`);
    else if (step.kind !== kind) add(['settings', 'segments', key], `must name a ${kind} step; "${id}" is ${step.kind}`);
  }
}

const SCALE_STEP_KINDS: ReadonlySet<Step['kind']> = new Set(['nps', 'csat', 'rating', 'repurchase']);

/** `fills`: each names a question step once, `score` a scale step, the other readings a text step. */
function checkFills(flow: Flow, stepById: (id: string) => Step | undefined, add: AddProblem): void {
  const seen = new Set<string>();
  flow.fills.forEach((fill, i) => {
    const step = stepById(fill.step);
    if (!step) return add(['fills', i, 'step'], `refers to unknown step "${fill.step}"`);
    if (seen.has(fill.step)) add(['fills', i, 'step'], `"${fill.step}" is filled twice; one entry per step`);
    seen.add(fill.step);
    if (fill.from === 'score' && !SCALE_STEP_KINDS.has(step.kind)) add(['fills', i, 'from'], `score fills a scale step (nps, csat, rating, repurchase); "${fill.step}" is ${step.kind}`);
    if (fill.from !== 'score' && step.kind !== 'text') add(['fills', i, 'from'], `${fill.from} fills a text step; "${fill.step}" is ${step.kind}`);
  });
}

/** Fields a follow-up task's reason may use (filled in by src/followup/rules.ts). */
export const TASK_REASON_FIELDS = ['products', 'windowStart', 'window'] as const;

/**
 * Follow-up rules: ids are unique (they key what a rule did per session), a CSAT condition
 * names a score step or a touchpoint the flow has, a product condition names catalogue items the
 * flow has, and a task's reason uses only the fields tasks fill in.
 */
function checkFollowUp(flow: Flow, stepById: (id: string) => Step | undefined, add: AddProblem): void {
  const seen = new Map<string, number>();
  const touchpoints = new Set(flow.steps.flatMap((s) => (s.kind === 'csat' ? [s.touchpoint] : [])));
  flow.followUp.rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) add(['followUp', 'rules', i, 'id'], `duplicate rule id "${rule.id}" (first used at followUp.rules[${first}])`);
    else seen.set(rule.id, i);
    const csat = rule.when.csat;
    if (csat?.step !== undefined) {
      const step = stepById(csat.step);
      if (!step) add(['followUp', 'rules', i, 'when', 'csat', 'step'], `refers to unknown step "${csat.step}"`);
      else if (step.kind !== 'csat' && step.kind !== 'rating') add(['followUp', 'rules', i, 'when', 'csat', 'step'], `must name a csat or rating step; "${csat.step}" is ${step.kind}`);
    }
    if (csat?.touchpoint !== undefined && !touchpoints.has(csat.touchpoint)) {
      add(['followUp', 'rules', i, 'when', 'csat', 'touchpoint'], `no csat step has touchpoint "${csat.touchpoint}"${touchpoints.size ? ` (the flow has ${[...touchpoints].join(', ')})` : ''}`);
    }
    const product = rule.when.product;
    // `any` without a catalogue just never holds: removing the catalogue must not break the rules.
    if (product !== undefined && product !== 'any') {
      const ids = new Set(flow.catalog.map((p) => p.id));
      const known = flow.catalog.length ? ` (the catalog has ${flow.catalog.map((p) => p.id).join(', ')})` : ' (the flow has no catalog)';
      (Array.isArray(product) ? product : [product]).forEach((id, k) => {
        if (!ids.has(id)) add(['followUp', 'rules', i, 'when', 'product', ...(Array.isArray(product) ? [k] : [])], `unknown catalogue id "${id}"${known}`);
      });
    }
    const reason = rule.then.task?.reason;
    for (const m of reason?.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g) ?? []) {
      if (!(TASK_REASON_FIELDS as readonly string[]).includes(m[1]!)) {
        add(['followUp', 'rules', i, 'then', 'task', 'reason'], `unknown field {{${m[1]}}}; a task reason may use ${TASK_REASON_FIELDS.map((f) => `{{${f}}}`).join(', ')}`);
      }
    }
  });
}
