import { and } from 'xstate';
import type { Flow, Step } from '../definition/flowSchema.ts';
import { isQuestionStep } from '../definition/flowSchema.ts';
import { listRoutes, routeTargets } from '../definition/listRoutes.ts';
import type { StepRoute } from '../definition/listRoutes.ts';
import { validateFlow } from '../definition/validateFlow.ts';
import { FlowInvalidError } from '../engineErrors.ts';
import { createSurveySetup } from './surveySetup.ts';

type SurveySetup = ReturnType<typeof createSurveySetup>;

/** A validated flow and the XState machine that runs it. */
export interface CompiledFlow {
  flow: Flow;
  machine: ReturnType<typeof buildMachine>;
}

/**
 * Turns a flow into an XState machine. Layout: `survey` holds one state per step (id
 * `step:<id>`), plus final `closed` (advisor finished it) and `expired`. A question state is
 * compound: `ask` (says the question) → `wait`; `paused`, `escalated` and `optedOut` keep the
 * session on the question so it can resume there; `answered` routes to the next step. Reply
 * handling sits on the question state itself, so it works from `wait` and `paused` alike.
 * Status is read from tags. Throws FlowInvalidError if the flow does not validate.
 */
export function compileFlow(flow: Flow): CompiledFlow {
  const problems = validateFlow(flow);
  if (problems.length > 0) throw new FlowInvalidError(flow.id, problems);
  return { flow, machine: buildMachine(flow) };
}

function buildMachine(flow: Flow) {
  const survey = createSurveySetup(flow);
  const routes = listRoutes(flow);
  const previous = listPreviousQuestions(flow, routes);
  const states = Object.fromEntries(
    flow.steps.map((step, i) => [step.id, stepState(survey, flow, step, routes[i] ?? { branches: [] }, previous.get(step.id) ?? [])]),
  );
  return survey.createMachine({
    id: flow.id,
    context: ({ input }) => ({
      customer: Object.fromEntries(Object.entries(input.customer).filter((e): e is [string, string] => e[1] !== undefined)),
      answers: {},
      trail: [],
      reasks: 0,
      reminded: false,
      flagged: [],
      startedAt: input.now,
      ...(input.askedBefore?.length ? { askedBefore: input.askedBefore } : {}),
    }),
    initial: 'survey',
    states: {
      survey: { initial: flow.steps[0]?.id, states },
      closed: { id: 'closed', type: 'final', tags: ['completed'], description: 'An advisor finished the survey.' },
      expired: { id: 'expired', type: 'final', tags: ['expired'] },
    },
  });
}

const target = (stepId: string): string => `#step:${stepId}`;

function stepState(survey: SurveySetup, flow: Flow, step: Step, route: StepRoute, previous: string[]) {
  const say = (text: string) => ({ type: 'say' as const, params: { text } });
  const routing = [
    ...route.branches.map((b) => ({ guard: { type: 'holds' as const, params: { when: b.when } }, target: target(b.to) })),
    ...(route.next === undefined ? [] : [{ target: target(route.next.to) }]),
  ];
  if (step.kind === 'end') {
    return survey.createStateConfig({
      id: `step:${step.id}`,
      type: 'final',
      tags: ['completed'],
      entry: [say(step.text), { type: 'finish', params: { endStepId: step.id } }],
    });
  }
  if (step.kind === 'message') {
    return survey.createStateConfig({ id: `step:${step.id}`, entry: say(step.text), always: routing });
  }
  const stepId = step.id;
  const texts = flow.settings.texts;
  const intent = (name: 'escalate' | 'opt_out' | 'later' | 'question' | 'back') => ({ type: 'isIntent' as const, params: { intent: name } });
  const ignore = {};
  const keep = (autoEscalate: boolean) => ({ type: 'keepAnswer' as const, params: { stepId, autoEscalate } });
  const kept = { type: 'answerKept' as const, params: { stepId } };
  const fill = { type: 'fillInPassing' as const, params: { stepId } };
  const fillable = step.alwaysAsk !== true && flow.fills.some((f) => f.step === stepId);
  const checks = [
    ...(step.once ? [{ guard: { type: 'wasAskedBefore' as const, params: { stepId } }, target: 'answered' }] : []),
    ...(fillable ? [{ guard: { type: 'answeredInPassing' as const, params: { stepId } }, target: 'answered' }] : []),
  ];
  return survey.createStateConfig({
    id: `step:${stepId}`,
    description: `${step.kind}: ${step.text}`,
    entry: { type: 'beginQuestion', params: { stepId } },
    // A `once` question the customer was asked before is passed by as if answered (routing then
    // finds no answer of it, so its `next` or `default` applies), and so is one a reply to another
    // question answered in passing (routing then follows that answer).
    initial: checks.length > 0 ? 'check' : 'ask',
    states: {
      ...(checks.length > 0 ? { check: { always: [...checks, { target: 'ask' }] } } : {}),
      ask: { entry: { type: 'askQuestion', params: { stepId } }, always: 'wait' },
      wait: { tags: ['awaiting'] },
      paused: {
        tags: ['paused', 'awaiting'],
        on: { 'user.returned': [{ guard: kept, target: 'answered', actions: say(texts.welcomeBack) }, { target: 'ask', actions: say(texts.welcomeBack) }] },
      },
      // The advisor talks now; the bot stays silent until released.
      escalated: {
        tags: ['escalated'],
        on: {
          'user.replied': ignore,
          'user.returned': ignore,
          'reminder.due': ignore,
          'user.opted_in': ignore,
          'agent.released': [
            { guard: and(['wantsResume', kept]), target: 'answered', actions: say(texts.resumed) },
            { guard: 'wantsResume', target: 'ask', actions: say(texts.resumed) },
            { target: '#closed', actions: [say(texts.releasedThanks), { type: 'finish', params: {} }] },
          ],
        },
      },
      optedOut: {
        tags: ['optedOut'],
        on: {
          'user.replied': ignore,
          'user.returned': ignore,
          'reminder.due': ignore,
          'agent.released': ignore,
          'session.expired': ignore,
          'user.opted_in': [{ guard: kept, target: 'answered', actions: say(texts.optedIn) }, { target: 'ask', actions: say(texts.optedIn) }],
        },
      },
      answered: { always: routing },
    },
    on: {
      'user.replied': [
        { guard: { type: 'isMenuAnswer', params: { stepId } }, target: '.answered', actions: { type: 'recordAnswer', params: { stepId } } },
        // Every answer a message carries is recorded, whatever else the message asks for.
        { guard: intent('escalate'), target: '.escalated', actions: [keep(false), fill, { type: 'handOver', params: { stepId } }] },
        { guard: intent('opt_out'), target: '.optedOut', actions: [keep(false), fill, 'optOut'] },
        { guard: intent('later'), target: '.paused', actions: [keep(true), fill, say(texts.later)] },
        {
          guard: and([intent('question'), { type: 'isAnswerBesidesIntent', params: { stepId } }]),
          target: '.answered',
          actions: [keep(true), fill, 'answerFaq'],
        },
        { guard: intent('question'), target: '.ask', actions: 'answerFaq' },
        ...previous.map((p) => ({
          guard: and([intent('back'), { type: 'isPrevious', params: { stepId: p } }]),
          target: target(p),
          actions: 'stepBack' as const,
        })),
        { guard: intent('back'), target: '.ask', actions: say(texts.noPrevious) },
        {
          guard: and([{ type: 'isAnswer', params: { stepId } }, { type: 'shouldProbe', params: { stepId } }]),
          target: '.wait',
          actions: [fill, { type: 'probe', params: { stepId } }],
        },
        { guard: { type: 'isAnswer', params: { stepId } }, target: '.answered', actions: [{ type: 'recordAnswer', params: { stepId } }, fill] },
        { guard: { type: 'canReask', params: { stepId } }, target: '.wait', actions: [fill, { type: 'reask', params: { stepId } }] },
        { target: '.answered', actions: [{ type: 'recordMissing', params: { stepId } }, fill] },
      ],
      'reminder.due': { guard: 'notReminded', target: '.ask', actions: 'remind' },
      'session.expired': '#expired',
    },
  });
}

/**
 * For each question, the questions that can come right before it (through message steps, and
 * questions that may be skipped as answered in passing): the possible targets of `back`, which
 * are static so the machine stays inspectable.
 */
function listPreviousQuestions(flow: Flow, routes: StepRoute[]): Map<string, string[]> {
  const previous = new Map<string, Set<string>>();
  const skippable = new Set(flow.fills.map((f) => f.step).filter((id) => flow.steps.some((s) => s.id === id && isQuestionStep(s) && s.alwaysAsk !== true)));
  flow.steps.forEach((step, i) => {
    if (!isQuestionStep(step)) return;
    const seen = new Set<number>();
    const walk = (index: number): void => {
      for (const t of routeTargets(routes[index] ?? { branches: [] })) {
        const j = flow.steps.findIndex((s) => s.id === t.to);
        const next = flow.steps[j];
        if (next === undefined || seen.has(j)) continue;
        seen.add(j);
        if (isQuestionStep(next)) {
          if (next.id !== step.id) previous.set(next.id, (previous.get(next.id) ?? new Set()).add(step.id));
          // A question answered in passing is skipped: what follows it may come right after this one.
          if (skippable.has(next.id)) walk(j);
        } else walk(j);
      }
    };
    walk(i);
  });
  return new Map([...previous].map(([id, set]) => [id, [...set]]));
}
