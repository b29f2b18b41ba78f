import { isQuestionStep } from '../definition/flowSchema.ts';
import type { Flow } from '../definition/flowSchema.ts';
import type { SurveyContext } from './persistedSnapshot.ts';
import type { TemplateScope } from './renderTemplate.ts';

/**
 * Template values for a session: customer fields, answers as the customer would read them, flow
 * variables. `customer.name` is the name the merchant knows the customer by (an invitation's),
 * else their WeChat nickname.
 */
export function createTemplateScope(flow: Flow, context: Pick<SurveyContext, 'customer' | 'answers'>): TemplateScope {
  const answers: Record<string, string | undefined> = {};
  for (const step of flow.steps) {
    const answer = context.answers[step.id];
    if (answer === undefined || answer.value === null || !isQuestionStep(step)) continue;
    const labelOf = (id: string): string => (step.kind === 'choice' ? (step.options.find((o) => o.id === id)?.label ?? id) : id);
    answers[step.id] = Array.isArray(answer.value)
      ? answer.value.map(labelOf).join('、')
      : typeof answer.value === 'string'
        ? labelOf(answer.value)
        : String(answer.value);
  }
  const customer = context.customer.name || !context.customer.nickname ? context.customer : { ...context.customer, name: context.customer.nickname };
  return { customer, answers, variables: flow.variables, links: { review: flow.settings.reviewUrl } };
}
