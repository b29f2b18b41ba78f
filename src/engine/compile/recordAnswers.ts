import type { Analysis } from '../../core/analysis.ts';
import type { Flow, QuestionStep, ToneAck } from '../definition/flowSchema.ts';
import { npsGroupOf } from '../definition/npsGroupOf.ts';
import type { SurveyContext } from '../runtime/persistedSnapshot.ts';
import type { RecordedAnswer } from '../runtime/turnResult.ts';
import { clip, emitEffect, emitEscalation, type ReplyEvent, type SurveyEmitted } from './surveyEmitted.ts';

/** What recording an answer changes in the context, and what it emits. */
export interface StoredAnswer {
  answers: SurveyContext['answers'];
  flagged: SurveyContext['flagged'];
  emitted: SurveyEmitted[];
}

/**
 * A read answer as the context stores it, with the `answer.recorded` effect and the automatic
 * escalations it raises (each once per session; `autoEscalate` false only marks them as raised).
 */
export function storeAnswer(
  flow: Flow,
  context: SurveyContext,
  event: ReplyEvent,
  step: QuestionStep,
  value: RecordedAnswer['value'] & {},
  autoEscalate: boolean,
  inPassing = false,
): StoredAnswer {
  const flagged = [...context.flagged];
  const marker = inPassing ? { inPassing: true as const } : {};
  const emitted: SurveyEmitted[] = [
    emitEffect({ type: 'answer.recorded', stepId: step.id, kind: step.kind, value, raw: event.text, ...marker, analysis: event.analysis }),
  ];
  const raised = automaticEscalation(flow, event, step, value);
  if (raised !== undefined && !flagged.includes(raised.trigger)) {
    flagged.push(raised.trigger);
    if (autoEscalate) emitted.push(emitEscalation(flow, raised.trigger, raised.reason, step.id));
  }
  return { answers: { ...context.answers, [step.id]: { ...recordedAnswer(event, step, value), ...marker } }, flagged, emitted };
}

function recordedAnswer(event: ReplyEvent, step: QuestionStep, value: RecordedAnswer['value'] & {}): RecordedAnswer {
  const extracted =
    step.kind === 'text' && step.extract.length > 0 ? Object.fromEntries(step.extract.map((field) => [field, event.analysis[field]])) : undefined;
  return {
    kind: step.kind,
    value,
    raw: event.text,
    at: event.at,
    ...(step.kind === 'csat' ? { touchpoint: step.touchpoint } : {}),
    ...(extracted === undefined ? {} : { extracted }),
  };
}

/** The escalation an answer calls for by the flow's settings: an NPS detractor, else a confident negative reply. */
function automaticEscalation(
  flow: Flow,
  event: ReplyEvent,
  step: QuestionStep,
  value: RecordedAnswer['value'] & {},
): { trigger: 'detractor' | 'negative'; reason: string } | undefined {
  const { escalation } = flow.settings;
  const sentiment = event.analysis.sentiment;
  if (step.kind === 'nps' && typeof value === 'number' && npsGroupOf(value) === 'detractor') {
    return escalation.onDetractor ? { trigger: 'detractor', reason: `NPS ${value} 分（贬损者）` } : undefined;
  }
  if (escalation.onNegativeSentiment !== undefined && sentiment?.label === 'negative' && sentiment.confidence >= escalation.onNegativeSentiment.minConfidence) {
    return { trigger: 'negative', reason: `负面反馈：「${clip(event.text)}」` };
  }
  return undefined;
}

/**
 * Gives up on an unreadable question: the answer stored as missing, its effect, and (once per
 * session, when the flow asks for it) an escalation quoting the last reply.
 */
export function storeMissingAnswer(flow: Flow, context: SurveyContext, step: QuestionStep, raw: string, at: string): StoredAnswer {
  const answer: RecordedAnswer = { kind: step.kind, value: null, raw, missing: true, at };
  const emitted = [emitEffect({ type: 'answer.recorded', stepId: step.id, kind: step.kind, value: null, raw, missing: true })];
  const flagged = [...context.flagged];
  if (flow.settings.escalation.onUnreadable && !flagged.includes('unreadable')) {
    flagged.push('unreadable');
    emitted.push(emitEscalation(flow, 'unreadable', `「${step.id}」连续 ${context.reasks + 1} 次未能识别回复，最后一次：「${clip(raw)}」`, step.id));
  }
  return { answers: { ...context.answers, [step.id]: answer }, flagged, emitted };
}

/**
 * The acknowledgement of an answer: the first of the step's `acks` that fits the score and the
 * reading, else its low-score one (an apology) at or below its mark, else `ack`.
 */
export function ackFor(step: QuestionStep, value: RecordedAnswer['value'], analysis?: Analysis): string | undefined {
  const toned = step.acks?.find((a) => toneFits(a, value, analysis));
  if (toned !== undefined) return toned.text;
  const low = 'lowScoreAck' in step ? step.lowScoreAck : undefined;
  if (step.kind === 'choice') {
    const chosen = Array.isArray(value) ? value : [value];
    const optionAck = step.options.find((o) => o.ack !== undefined && chosen.includes(o.id))?.ack;
    if (optionAck !== undefined) return optionAck;
  }
  return low !== undefined && typeof value === 'number' && value <= low.lte ? low.text : step.ack;
}

function toneFits(a: ToneAck, value: RecordedAnswer['value'], analysis: Analysis | undefined): boolean {
  if ((a.gte !== undefined || a.lte !== undefined) && typeof value !== 'number') return false;
  if (a.gte !== undefined && (value as number) < a.gte) return false;
  if (a.lte !== undefined && (value as number) > a.lte) return false;
  return a.sentiment === undefined || analysis?.sentiment?.label === a.sentiment;
}
