import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Intent } from '../../core/analysis.ts';
import type { OutboundMessage } from '../../core/messages.ts';
import { isQuestionStep } from '../definition/flowSchema.ts';
import type { Condition, Flow, QuestionStep } from '../definition/flowSchema.ts';
import { npsGroupOf } from '../definition/npsGroupOf.ts';
import { createTemplateScope } from '../runtime/createTemplateScope.ts';
import type { SurveyContext } from '../runtime/persistedSnapshot.ts';
import { readAnswer, readAnswerBesidesIntent, readMenuAnswer } from '../runtime/readAnswer.ts';
import { renderQuestion, renderReask } from '../runtime/renderQuestion.ts';
import { renderTemplate } from '../runtime/renderTemplate.ts';
import type { EngineEffect, EngineEvent, EscalationTrigger, RecordedAnswer } from '../runtime/turnResult.ts';

/** Engine events as the machine sees them: stamped with the turn's time. */
export type SurveyEvent = { [K in EngineEvent['type']]: Extract<EngineEvent, { type: K }> & { at: string } }[EngineEvent['type']];

/** State tags; the session status is read from them. */
export type SurveyTag = 'awaiting' | 'paused' | 'escalated' | 'optedOut' | 'completed' | 'expired';

/** Machine input: who is surveyed, when the session starts (ISO), and the `once` questions they were asked before. */
export interface SurveyInput {
  customer: Record<string, string | undefined>;
  now: string;
  askedBefore?: string[];
}

/**
 * The machine's only output channel. Actions never send or store anything: they emit messages
 * and effects, which the pure `transition()` hands back to `runTurn` to return to the caller.
 */
export type SurveyEmitted = { type: 'message'; message: OutboundMessage } | { type: 'effect'; effect: EngineEffect };

/**
 * Every named action and guard of a survey machine, closed over one flow. The machine config
 * (`compileFlow`) refers to them by name with step ids as params, so it stays plain data.
 */
export function createSurveySetup(flow: Flow) {
  const steps = new Map(flow.steps.map((s) => [s.id, s]));
  const { texts, escalation } = flow.settings;
  const questionStep = (stepId: string): QuestionStep => {
    const step = steps.get(stepId);
    if (step === undefined || !isQuestionStep(step)) throw new Error(`"${stepId}" is not a question step of flow ${flow.id}`);
    return step;
  };
  const render = (template: string, context: Pick<SurveyContext, 'customer' | 'answers'>): string =>
    renderTemplate(template, createTemplateScope(flow, context));
  const message = (m: OutboundMessage): SurveyEmitted => ({ type: 'message', message: m });
  const text = (t: string): SurveyEmitted => message({ kind: 'text', text: t });
  const effect = (e: EngineEffect): SurveyEmitted => ({ type: 'effect', effect: e });
  const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 60)}…` : s);
  const escalate = (trigger: EscalationTrigger, reason: string, stepId: string): SurveyEmitted =>
    effect({ type: 'escalate', trigger, reason, stepId, advisors: escalation.advisors });

  /**
   * A read answer as the context stores it, with the `answer.recorded` effect and the automatic
   * escalations it raises (each once per session; `autoEscalate` false only marks them as raised).
   */
  const storeAnswer = (
    context: SurveyContext,
    event: Extract<SurveyEvent, { type: 'user.replied' }>,
    step: QuestionStep,
    value: RecordedAnswer['value'] & {},
    autoEscalate: boolean,
  ): { answers: SurveyContext['answers']; flagged: SurveyContext['flagged']; emitted: SurveyEmitted[] } => {
    const extracted =
      step.kind === 'text' && step.extract.length > 0 ? Object.fromEntries(step.extract.map((field) => [field, event.analysis[field]])) : undefined;
    const answer: RecordedAnswer = {
      kind: step.kind,
      value,
      raw: event.text,
      at: event.at,
      ...(step.kind === 'csat' ? { touchpoint: step.touchpoint } : {}),
      ...(extracted === undefined ? {} : { extracted }),
    };
    const flagged = [...context.flagged];
    const emitted: SurveyEmitted[] = [effect({ type: 'answer.recorded', stepId: step.id, kind: step.kind, value, raw: event.text, analysis: event.analysis })];
    const raise = (trigger: 'detractor' | 'negative', reason: string) => {
      if (flagged.includes(trigger)) return;
      flagged.push(trigger);
      if (autoEscalate) emitted.push(escalate(trigger, reason, step.id));
    };
    const sentiment = event.analysis.sentiment;
    if (step.kind === 'nps' && typeof value === 'number' && npsGroupOf(value) === 'detractor') {
      if (escalation.onDetractor) raise('detractor', `NPS ${value} 分（贬损者）`);
    } else if (escalation.onNegativeSentiment !== undefined && sentiment?.label === 'negative' && sentiment.confidence >= escalation.onNegativeSentiment.minConfidence) {
      raise('negative', `负面反馈：「${clip(event.text)}」`);
    }
    return { answers: { ...context.answers, [step.id]: answer }, flagged, emitted };
  };

  return setup({
    types: {
      context: {} as SurveyContext,
      events: {} as SurveyEvent,
      input: {} as SurveyInput,
      emitted: {} as SurveyEmitted,
      tags: {} as SurveyTag,
    },
    actions: {
      /** Entering a question: it becomes the top of the trail, with fresh re-ask and reminder counts. */
      beginQuestion: assign(({ context }, params: { stepId: string }) => ({
        trail: context.trail.at(-1) === params.stepId ? context.trail : [...context.trail, params.stepId],
        reasks: 0,
        reminded: false,
        kept: undefined,
      })),
      askQuestion: enqueueActions(({ context, enqueue }, params: { stepId: string }) => {
        const step = questionStep(params.stepId);
        enqueue.emit(message(renderQuestion(step, createTemplateScope(flow, context))));
        if (step.once) enqueue.emit(effect({ type: 'asked.once', stepId: step.id }));
      }),
      /** Says a template text (flow step text or one of settings.texts). */
      say: emit(({ context }, params: { text: string }) => text(render(params.text, context))),
      recordAnswer: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        if (event.type !== 'user.replied') return;
        const step = questionStep(params.stepId);
        const read = readAnswer(step, event);
        if (read.status !== 'answered') return;
        const stored = storeAnswer(context, event, step, read.value, true);
        for (const e of stored.emitted) enqueue.emit(e);
        enqueue.assign({ answers: stored.answers, flagged: stored.flagged });
        const ack = ackFor(step, read.value);
        if (ack !== undefined) enqueue.emit(text(render(ack, { customer: context.customer, answers: stored.answers })));
      }),
      /**
       * Keeps the answer a reply carries next to another intent ("2分，我要投诉", "8分，以后别发了"),
       * and marks it kept so the survey moves on from this question when it resumes. No ack: the
       * intent's own reply follows. A hand-over or opt-out raises no automatic escalation of its own.
       */
      keepAnswer: enqueueActions(({ context, event, enqueue }, params: { stepId: string; autoEscalate: boolean }) => {
        if (event.type !== 'user.replied') return;
        const step = questionStep(params.stepId);
        const read = readAnswerBesidesIntent(step, event);
        if (read.status !== 'answered') return;
        const stored = storeAnswer(context, event, step, read.value, params.autoEscalate);
        for (const e of stored.emitted) enqueue.emit(e);
        enqueue.assign({ answers: stored.answers, flagged: stored.flagged, kept: step.id });
      }),
      /** Gives up on an unreadable question: the answer is stored as missing and the flow moves on. */
      recordMissing: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        const step = questionStep(params.stepId);
        const raw = event.type === 'user.replied' ? event.text : '';
        const answer: RecordedAnswer = { kind: step.kind, value: null, raw, missing: true, at: event.at };
        enqueue.emit(effect({ type: 'answer.recorded', stepId: step.id, kind: step.kind, value: null, raw, missing: true }));
        const flagged = [...context.flagged];
        if (escalation.onUnreadable && !flagged.includes('unreadable')) {
          flagged.push('unreadable');
          enqueue.emit(escalate('unreadable', `「${step.id}」连续 ${context.reasks + 1} 次未能识别回复，最后一次：「${clip(raw)}」`, step.id));
        }
        enqueue.assign({ answers: { ...context.answers, [step.id]: answer }, flagged });
        enqueue.emit(text(render(texts.skipped, context)));
      }),
      reask: enqueueActions(({ context, enqueue }, params: { stepId: string }) => {
        enqueue.assign({ reasks: context.reasks + 1 });
        enqueue.emit(message(renderReask(questionStep(params.stepId), createTemplateScope(flow, context))));
      }),
      /** Answers an off-survey question from the FAQ (first entry with a keyword in the reply). */
      answerFaq: emit(({ context, event }) => {
        const reply = event.type === 'user.replied' ? event.text.toLowerCase() : '';
        const entry = flow.faq.find((e) => e.keywords.some((k) => reply.includes(k.toLowerCase())));
        return text(render(entry?.answer ?? texts.faqFallback, context));
      }),
      handOver: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        const said = event.type === 'user.replied' ? `：「${clip(event.text)}」` : '';
        enqueue.emit(text(render(texts.escalated, context)));
        enqueue.emit(escalate('intent', `客户要求人工${said}`, params.stepId));
      }),
      optOut: enqueueActions(({ context, enqueue }) => {
        enqueue.emit(text(render(texts.optedOut, context)));
        enqueue.emit(effect({ type: 'opt_out' }));
      }),
      remind: enqueueActions(({ context, enqueue }) => {
        enqueue.assign({ reminded: true });
        enqueue.emit(text(render(texts.reminder, context)));
      }),
      /** Leaves the current question for the previous one; the current one's answer no longer applies. */
      stepBack: enqueueActions(({ context, enqueue }) => {
        const current = context.trail.at(-1);
        if (current === undefined) return;
        const { [current]: dropped, ...answers } = context.answers;
        enqueue.assign({ trail: context.trail.slice(0, -1), answers });
        if (dropped !== undefined) enqueue.emit(effect({ type: 'answer.withdrawn', stepId: current }));
        enqueue.emit(text(render(texts.back, context)));
      }),
      finish: emit((_, params: { endStepId?: string }) => effect({ type: 'completed', ...params })),
    },
    guards: {
      isIntent: ({ event }, params: { intent: Intent }) => event.type === 'user.replied' && event.analysis.intent === params.intent,
      /** A `once` question this customer was asked in an earlier session. */
      wasAskedBefore: ({ context }, params: { stepId: string }) => (context.askedBefore ?? []).includes(params.stepId),
      /** A click on one of this question's menu items: exact, whatever the NLU thought. */
      isMenuAnswer: ({ event }, params: { stepId: string }) =>
        event.type === 'user.replied' && readMenuAnswer(questionStep(params.stepId), event.menuId).status === 'answered',
      isAnswer: ({ event }, params: { stepId: string }) =>
        event.type === 'user.replied' && readAnswer(questionStep(params.stepId), event).status === 'answered',
      isAnswerBesidesIntent: ({ event }, params: { stepId: string }) =>
        event.type === 'user.replied' && readAnswerBesidesIntent(questionStep(params.stepId), event).status === 'answered',
      isPrevious: ({ context }, params: { stepId: string }) => context.trail.at(-2) === params.stepId,
      canReask: ({ context }, params: { stepId: string }) =>
        context.reasks < (questionStep(params.stepId).maxReasks ?? flow.settings.maxReasks),
      holds: ({ context }, params: { when: Condition }) => conditionHolds(params.when, context.answers),
      notReminded: ({ context }) => !context.reminded,
      wantsResume: ({ event }) => event.type === 'agent.released' && event.resume,
      /** The current question was answered in the message that paused, escalated or opted out. */
      answerKept: ({ context }, params: { stepId: string }) => context.kept === params.stepId,
    },
  });

}

/** The acknowledgement of an answer: the step's low-score one (an apology) at or below its mark, else `ack`. */
function ackFor(step: QuestionStep, value: RecordedAnswer['value']): string | undefined {
  const low = 'lowScoreAck' in step ? step.lowScoreAck : undefined;
  return low !== undefined && typeof value === 'number' && value <= low.lte ? low.text : step.ack;
}

/** Whether a branch condition holds for the answers so far; a missing answer never matches. */
function conditionHolds(when: Condition, answers: Readonly<Record<string, RecordedAnswer>>): boolean {
  const value = answers[when.step]?.value;
  if (value === undefined || value === null) return false;
  const values = Array.isArray(value) ? value : [value];
  if (when.group !== undefined && (typeof value !== 'number' || npsGroupOf(value) !== when.group)) return false;
  if (when.gte !== undefined && (typeof value !== 'number' || value < when.gte)) return false;
  if (when.lte !== undefined && (typeof value !== 'number' || value > when.lte)) return false;
  if (when.in !== undefined && !values.some((v) => when.in?.includes(v))) return false;
  return true;
}
