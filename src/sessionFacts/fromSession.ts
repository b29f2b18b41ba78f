import { purchaseFactorSchema, timingBucketSchema, sentimentLabelSchema, type PurchaseFactor } from '../core/analysis.ts';
import type { EscalationRecord } from '../core/escalations.ts';
import { isOnlyRequestWords } from '../core/intentWords.ts';
import type { SessionRecord, SessionStatus } from '../core/sessions.ts';
import { isQuestionStep, npsGroupOf, type Flow } from '../engine/index.ts';
import { readDimensions } from './dimensions.ts';
import { segmentOf, segmentRules } from './segments.ts';
import type { AnswerFact, AnswerKind, EscalationFacts, Outcome, ResponseFacts } from './types.ts';

/**
 * The fields of a session analytics depends on. The questions put to the customer come from the
 * session's own `askedSteps` (kept by the conversation layer as it plans each question), since
 * transcripts live in their own chunk documents and are not read on every save.
 */
export type SessionView = Pick<
  SessionRecord,
  | 'id'
  | 'conversation'
  | 'flowId'
  | 'flowVersion'
  | 'status'
  | 'answers'
  | 'analysis'
  | 'customerFields'
  | 'campaign'
  | 'escalation'
  | 'createdAt'
  | 'updatedAt'
  | 'completedAt'
  | 'askedSteps'
  | 'rev'
  | 'followUp'
>;

/**
 * Orders two readings of one session: by save time, then by revision, so two saves in the same
 * millisecond still count in order (1000 revisions per millisecond fit below 2^53).
 */
export function sessionRevision(session: Pick<SessionView, 'updatedAt' | 'rev'>): number {
  return session.updatedAt.getTime() * 1000 + (session.rev % 1000);
}

const outcomeOf: Record<SessionStatus, Outcome> = {
  active: 'in_progress',
  paused: 'in_progress',
  escalated: 'escalated',
  completed: 'completed',
  opted_out: 'opted_out',
  expired: 'expired',
};

/**
 * Reads a session (on the flow version it ran) into its analytics facts. Pure: the same session
 * always gives the same facts; `revision` (save time, then revision) orders two readings of one session.
 *
 * @example
 * const facts = readSession(session, (await catalog.version(session.flowId, session.flowVersion)).flow);
 */
export function readSession(session: SessionView, flow: Flow): ResponseFacts {
  const answers = readAnswers(session, flow);
  const rules = segmentRules(flow);
  const npsStep = rules.npsStep ?? flow.steps.find((s) => s.kind === 'nps')?.id;
  const intentStep = rules.intentStep ?? flow.steps.find((s) => s.kind === 'repurchase')?.id;
  const score = numberAnswer(answers, npsStep);
  const intent = numberAnswer(answers, intentStep);
  const group = score === undefined ? undefined : npsGroupOf(score);
  const completed = session.status === 'completed';
  const nickname = session.customerFields.nickname;
  return {
    sessionId: session.id,
    flowId: session.flowId,
    flowVersion: session.flowVersion,
    status: session.status,
    outcome: outcomeOf[session.status],
    customerId: session.conversation.customerId,
    ...(nickname ? { nickname } : {}),
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    ...(session.completedAt ? { completedAt: session.completedAt } : {}),
    revision: sessionRevision(session),
    dims: readDimensions(session),
    answers,
    asked: session.askedSteps,
    ...(npsStep && score !== undefined ? { npsStep, npsScore: score } : {}),
    ...(group ? { group } : {}),
    ...(intent !== undefined ? { intent } : {}),
    ...(completed ? { segment: segmentOf({ group, intent, reasons: answers.filter((a) => a.reason && !a.missing) }, rules) } : {}),
    ...(session.escalation ? { escalation: { trigger: session.escalation.trigger, at: session.escalation.at } } : {}),
    ...(session.followUp?.contactedAt ? { contactedAt: session.followUp.contactedAt } : {}),
  };
}

function numberAnswer(answers: AnswerFact[], stepId: string | undefined): number | undefined {
  const a = answers.find((x) => x.stepId === stepId);
  return a && !a.missing && typeof a.value === 'number' ? a.value : undefined;
}

type Stored = {
  kind?: unknown;
  value?: unknown;
  raw?: unknown;
  missing?: unknown;
  at?: unknown;
  extracted?: { sentiment?: unknown; topics?: unknown; timing?: unknown; products?: unknown; factors?: unknown; openInterest?: unknown };
};

/**
 * The question each reason step follows up, when the flow has an NPS question and it is another
 * one: the nearest question before it in flow order that is not free text (csat_result for
 * csat_result_issue, intent for change_mind; the NPS reasons follow the NPS question).
 */
export function reasonSubjects(flow: Pick<Flow, 'steps'>): Map<string, string> {
  const out = new Map<string, string>();
  if (!flow.steps.some((s) => s.kind === 'nps')) return out;
  let subject: { id: string; kind: string } | undefined;
  for (const step of flow.steps) {
    if (!isQuestionStep(step)) continue;
    if (step.kind !== 'text') subject = step;
    else if (step.question === 'reason' && subject && subject.kind !== 'nps') out.set(step.id, subject.id);
  }
  return out;
}

/**
 * Answers in flow order; a step the flow does not know (or a malformed entry) is left out, and so
 * is a text "answer" that is only a request (转人工, 不想答) stored before the engine refused them.
 */
function readAnswers(session: SessionView, flow: Flow): AnswerFact[] {
  const out: AnswerFact[] = [];
  const subjects = reasonSubjects(flow);
  for (const step of flow.steps) {
    if (!isQuestionStep(step)) continue;
    const stored = session.answers[step.id] as Stored | undefined;
    if (!stored || typeof stored !== 'object') continue;
    if (step.kind === 'text' && typeof stored.value === 'string' && isOnlyRequestWords(stored.value)) continue;
    const followsUp = subjects.get(step.id);
    const at = new Date(typeof stored.at === 'string' || stored.at instanceof Date ? stored.at : session.updatedAt);
    const extracted = { ...(session.analysis[step.id] as Stored['extracted']), ...stored.extracted };
    const sentiment = readSentiment(extracted.sentiment);
    const timing = timingBucketSchema.safeParse((extracted.timing as { bucket?: unknown } | null | undefined)?.bucket);
    const timingFrom = (extracted.timing as { from?: unknown } | null | undefined)?.from;
    const factors = readFactors(extracted.factors);
    out.push({
      stepId: step.id,
      kind: step.kind as AnswerKind,
      at: Number.isNaN(at.getTime()) ? session.updatedAt : at,
      value: readValue(stored.value),
      raw: typeof stored.raw === 'string' ? stored.raw : '',
      missing: stored.missing === true || stored.value === null || stored.value === undefined,
      reason: step.kind === 'text' && step.question === 'reason',
      ...(followsUp ? { followsUp } : {}),
      ...(sentiment ? { sentiment } : {}),
      topics: strings(extracted.topics),
      ...(timing.success ? { timing: timing.data } : {}),
      ...(timing.success && typeof timingFrom === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(timingFrom) ? { timingFrom } : {}),
      products: strings(extracted.products),
      ...(factors.length ? { factors } : {}),
      ...(extracted.openInterest === true ? { openInterest: true as const } : {}),
    });
  }
  return out;
}

function readValue(value: unknown): AnswerFact['value'] {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return null;
}

function readSentiment(value: unknown): AnswerFact['sentiment'] {
  const v = value as { label?: unknown; confidence?: unknown } | null | undefined;
  const label = sentimentLabelSchema.safeParse(v?.label);
  if (!label.success) return undefined;
  return { label: label.data, confidence: typeof v?.confidence === 'number' ? v.confidence : 1 };
}

/** Known purchase factors, each once, in the order named. */
function readFactors(value: unknown): PurchaseFactor[] {
  return Array.isArray(value) ? [...new Set(value.flatMap((v) => { const f = purchaseFactorSchema.safeParse(v); return f.success ? [f.data] : []; }))] : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? [...new Set(value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()))] : [];
}

/**
 * Reads an escalation into its analytics facts. Its revision grows with each milestone (first
 * reply, resolution) before the save time, so a late older copy can never undo a milestone.
 */
export function readEscalation(e: Pick<EscalationRecord, 'id' | 'sessionId' | 'flowId' | 'trigger' | 'createdAt' | 'updatedAt' | 'firstReplySeconds' | 'status'>): EscalationFacts {
  const resolved = e.status === 'resolved';
  const stage = (e.firstReplySeconds !== undefined ? 1 : 0) + (resolved ? 2 : 0);
  return {
    escalationId: e.id,
    sessionId: e.sessionId,
    flowId: e.flowId,
    trigger: e.trigger,
    createdAt: e.createdAt,
    ...(e.firstReplySeconds !== undefined ? { firstReplySeconds: e.firstReplySeconds } : {}),
    resolved,
    revision: stage * 1e13 + e.updatedAt.getTime(),
  };
}
