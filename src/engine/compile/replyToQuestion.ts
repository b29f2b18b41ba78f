import type { Flow, QuestionStep } from '../definition/flowSchema.ts';
import type { SurveyContext } from '../runtime/persistedSnapshot.ts';
import { readAnswer } from '../runtime/readAnswer.ts';
import { ackFor, storeAnswer, type StoredAnswer } from './recordAnswers.ts';
import { isVagueReason, npsGroupIn, reasonAck } from './reasonReplies.ts';
import type { ReplyEvent } from './surveyEmitted.ts';

/**
 * A reply that answers the question asked, stored, with the acknowledgement to say (a template);
 * undefined when it does not answer it. The answer to a probe completes the vague reply before
 * it ("一般；服务有点敷衍").
 */
export function answerQuestion(flow: Flow, context: SurveyContext, event: ReplyEvent, step: QuestionStep): { stored: StoredAnswer; ack?: string } | undefined {
  const read = readAnswer(step, event);
  if (read.status !== 'answered') return undefined;
  const said = context.vague?.stepId === step.id && step.kind === 'text' ? `${context.vague.text}；${event.text}` : undefined;
  const reply = said === undefined ? event : { ...event, text: said };
  const stored = storeAnswer(flow, context, reply, step, said ?? read.value, true);
  const ack = ackFor(step, read.value, event.analysis) ?? (namesReasonsIn(flow, step) ? reasonAck(event.analysis, npsGroupIn(flow, stored.answers)) : undefined);
  return { stored, ...(ack !== undefined ? { ack } : {}) };
}

/** A reason that names nothing ("一般", "还行") while the flow's probes last, and not already probed here. */
export function shouldProbeReason(flow: Flow, context: SurveyContext, event: ReplyEvent, step: QuestionStep): boolean {
  return (
    step.kind === 'text' &&
    step.question === 'reason' &&
    context.vague === undefined &&
    (context.probes ?? 0) < flow.settings.maxProbes &&
    isVagueReason(event.text, event.analysis)
  );
}

/** What was taken in passing, confirmed before the next question ("记下了：一个月内、水光针。"). */
export function confirmationsOf(context: SurveyContext): string[] {
  return [...(context.heard ?? []), ...(context.noted?.length ? [`记下了：${context.noted.join('、')}。`] : [])];
}

/** A reason question of a flow that acknowledges reasons by their topic. */
function namesReasonsIn(flow: Flow, step: QuestionStep): boolean {
  return flow.settings.acknowledgeReasons && step.kind === 'text' && step.question === 'reason';
}
