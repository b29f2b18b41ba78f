import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Intent } from '../../core/analysis.ts';
import { isQuestionStep } from '../definition/flowSchema.ts';
import type { Condition, Flow, QuestionStep } from '../definition/flowSchema.ts';
import { createTemplateScope } from '../runtime/createTemplateScope.ts';
import type { SurveyContext } from '../runtime/persistedSnapshot.ts';
import { readAnswer, readAnswerBesidesIntent, readMenuAnswer } from '../runtime/readAnswer.ts';
import { renderQuestion, renderReask } from '../runtime/renderQuestion.ts';
import { renderTemplate } from '../runtime/renderTemplate.ts';
import { answeredInPassing } from '../runtime/passingQuestions.ts';
import { fillInPassing } from './fillInPassing.ts';
import { conditionHolds } from './conditionHolds.ts';
import { storeAnswer, storeMissingAnswer } from './recordAnswers.ts';
import { reasonProbe } from './reasonReplies.ts';
import { answerQuestion, confirmationsOf, shouldProbeReason } from './replyToQuestion.ts';
import { clip, emitEffect, emitEscalation, emitMessage, emitText, type SurveyEmitted, type SurveyEvent } from './surveyEmitted.ts';

export type { SurveyEmitted, SurveyEvent } from './surveyEmitted.ts';

/** State tags; the session status is read from them. */
export type SurveyTag = 'awaiting' | 'paused' | 'escalated' | 'optedOut' | 'completed' | 'expired';

/** Machine input: who is surveyed, when the session starts (ISO), and the `once` questions they were asked before. */
export interface SurveyInput {
  customer: Record<string, string | undefined>;
  now: string;
  askedBefore?: string[];
}

/**
 * Every named action and guard of a survey machine, closed over one flow. The machine config
 * (`compileFlow`) refers to them by name with step ids as params, so it stays plain data.
 * Purely the table of XState actions and guards: their logic lives in the modules imported above.
 */
export function createSurveySetup(flow: Flow) {
  const { texts } = flow.settings;
  const questionStep = questionStepLookup(flow);
  const render = (template: string, context: Pick<SurveyContext, 'customer' | 'answers'>): string =>
    renderTemplate(template, createTemplateScope(flow, context));

  return setup({
    types: {
      context: {} as SurveyContext,
      events: {} as SurveyEvent,
      input: {} as SurveyInput,
      emitted: {} as SurveyEmitted,
      tags: {} as SurveyTag,
    },
    actions: {
      /**
       * Entering a question: it becomes the top of the trail, with fresh re-ask and reminder counts.
       * One passed by as answered in passing stays off the trail, so "上一题" never lands on it.
       */
      beginQuestion: assign(({ context }, params: { stepId: string }) => ({
        trail:
          context.trail.at(-1) === params.stepId || answeredInPassing(flow, context.answers, params.stepId)
            ? context.trail
            : [...context.trail, params.stepId],
        reasks: 0,
        reminded: false,
        kept: undefined,
        vague: undefined,
      })),
      askQuestion: enqueueActions(({ context, enqueue }, params: { stepId: string }) => {
        const step = questionStep(params.stepId);
        for (const line of confirmationsOf(context)) enqueue.emit(emitText(line));
        if (context.heard !== undefined || context.noted !== undefined) enqueue.assign({ heard: undefined, noted: undefined });
        enqueue.emit(emitMessage(renderQuestion(step, createTemplateScope(flow, context))));
        if (step.once) enqueue.emit(emitEffect({ type: 'asked.once', stepId: step.id }));
      }),
      /** Says a template text (flow step text or one of settings.texts). */
      say: emit(({ context }, params: { text: string }) => emitText(render(params.text, context))),
      recordAnswer: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        if (event.type !== 'user.replied') return;
        const answered = answerQuestion(flow, context, event, questionStep(params.stepId));
        if (!answered) return;
        for (const e of answered.stored.emitted) enqueue.emit(e);
        enqueue.assign({ answers: answered.stored.answers, flagged: answered.stored.flagged, vague: undefined });
        if (answered.ack !== undefined) enqueue.emit(emitText(render(answered.ack, { customer: context.customer, answers: answered.stored.answers })));
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
        const stored = storeAnswer(flow, context, event, step, read.value, params.autoEscalate);
        for (const e of stored.emitted) enqueue.emit(e);
        enqueue.assign({ answers: stored.answers, flagged: stored.flagged, kept: step.id });
      }),
      /** Records what the reply answers of the flow's other steps (its `fills`), besides this one. */
      fillInPassing: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        if (event.type !== 'user.replied' || event.passing === undefined) return;
        const filled = fillInPassing(flow, context, event, params.stepId);
        for (const e of filled.emitted) enqueue.emit(e);
        enqueue.assign({
          answers: filled.answers,
          flagged: filled.flagged,
          noted: filled.noted.length ? filled.noted : undefined,
          heard: filled.heard.length ? filled.heard : undefined,
        });
      }),
      /** A vague reason ("一般", "还行"): one short either/or about what it was, kept to complete the answer. */
      probe: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        if (event.type !== 'user.replied') return;
        enqueue.assign({ probes: (context.probes ?? 0) + 1, vague: { stepId: params.stepId, text: event.text } });
        enqueue.emit(emitText(reasonProbe(event.text, event.analysis)));
      }),
      /** Gives up on an unreadable question: the answer is stored as missing and the flow moves on. */
      recordMissing: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        const raw = event.type === 'user.replied' ? event.text : '';
        const stored = storeMissingAnswer(flow, context, questionStep(params.stepId), raw, event.at);
        for (const e of stored.emitted) enqueue.emit(e);
        enqueue.assign({ answers: stored.answers, flagged: stored.flagged });
        enqueue.emit(emitText(render(texts.skipped, context)));
      }),
      reask: enqueueActions(({ context, enqueue }, params: { stepId: string }) => {
        enqueue.assign({ reasks: context.reasks + 1 });
        enqueue.emit(emitMessage(renderReask(questionStep(params.stepId), createTemplateScope(flow, context))));
      }),
      /** Answers an off-survey question from the FAQ (first entry with a keyword in the reply). */
      answerFaq: emit(({ context, event }) => {
        const reply = event.type === 'user.replied' ? event.text.toLowerCase() : '';
        const entry = flow.faq.find((e) => e.keywords.some((k) => reply.includes(k.toLowerCase())));
        return emitText(render(entry?.answer ?? texts.faqFallback, context));
      }),
      handOver: enqueueActions(({ context, event, enqueue }, params: { stepId: string }) => {
        const said = event.type === 'user.replied' ? `：「${clip(event.text)}」` : '';
        enqueue.emit(emitText(render(texts.escalated, context)));
        enqueue.emit(emitEscalation(flow, 'intent', `客户要求人工${said}`, params.stepId));
      }),
      optOut: enqueueActions(({ context, enqueue }) => {
        enqueue.emit(emitText(render(texts.optedOut, context)));
        enqueue.emit(emitEffect({ type: 'opt_out' }));
      }),
      remind: enqueueActions(({ context, enqueue }) => {
        enqueue.assign({ reminded: true });
        enqueue.emit(emitText(render(texts.reminder, context)));
      }),
      /** Leaves the current question for the previous one; the current one's answer no longer applies. */
      stepBack: enqueueActions(({ context, enqueue }) => {
        const current = context.trail.at(-1);
        if (current === undefined) return;
        const { [current]: dropped, ...answers } = context.answers;
        enqueue.assign({ trail: context.trail.slice(0, -1), answers });
        if (dropped !== undefined) enqueue.emit(emitEffect({ type: 'answer.withdrawn', stepId: current }));
        enqueue.emit(emitText(render(texts.back, context)));
      }),
      finish: emit((_, params: { endStepId?: string }) => emitEffect({ type: 'completed', ...params })),
    },
    guards: {
      isIntent: ({ event }, params: { intent: Intent }) => event.type === 'user.replied' && event.analysis.intent === params.intent,
      /** A question a reply to another one answered in passing (and not `alwaysAsk`): passed by. */
      answeredInPassing: ({ context }, params: { stepId: string }) => answeredInPassing(flow, context.answers, params.stepId),
      /** A `once` question this customer was asked in an earlier session. */
      wasAskedBefore: ({ context }, params: { stepId: string }) => (context.askedBefore ?? []).includes(params.stepId),
      /** A click on one of this question's menu items: exact, whatever the NLU thought. */
      isMenuAnswer: ({ event }, params: { stepId: string }) =>
        event.type === 'user.replied' && readMenuAnswer(questionStep(params.stepId), event.menuId).status === 'answered',
      isAnswer: ({ event }, params: { stepId: string }) =>
        event.type === 'user.replied' && readAnswer(questionStep(params.stepId), event).status === 'answered',
      /** A reason that names nothing ("一般", "还行") while the flow's probes last, and not already probed here. */
      shouldProbe: ({ context, event }, params: { stepId: string }) => event.type === 'user.replied' && shouldProbeReason(flow, context, event, questionStep(params.stepId)),
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

/** Finds a question step of `flow` by id; anything else is a compiler bug, not a user error. */
function questionStepLookup(flow: Flow): (stepId: string) => QuestionStep {
  const steps = new Map(flow.steps.map((s) => [s.id, s]));
  return (stepId) => {
    const step = steps.get(stepId);
    if (step === undefined || !isQuestionStep(step)) throw new Error(`"${stepId}" is not a question step of flow ${flow.id}`);
    return step;
  };
}
