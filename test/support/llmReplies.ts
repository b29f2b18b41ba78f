import type { StubBehaviour, StubRequest } from './openaiStub.ts';

/** The customer's reply and the trusted context, as an OpenAI-compatible stub received them. */
export function readStubRequest(request: StubRequest): { text: string; context: { question_kind: string; score_range: { min: number; max: number } | null; today: string } } {
  const user = request.body.messages?.find((m) => m.role === 'user')?.content ?? '';
  const text = JSON.parse(/<customer_reply>(.*)<\/customer_reply>/s.exec(user)?.[1] ?? '""') as string;
  const context = JSON.parse(/<context>(.*)<\/context>/s.exec(user)?.[1] ?? '{}') as ReturnType<typeof readStubRequest>['context'];
  return { text, context };
}

/** A complete LLM answer in the reply schema; tests override the fields they care about. */
export function llmAnswer(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    intent: 'answer',
    score: null,
    sentiment: { label: 'neutral', confidence: 0.7 },
    topics: [],
    timing: null,
    products: [],
    factors: [],
    openInterest: false,
    choices: null,
    evidence: { score: [], timing: [], products: [] },
    ...over,
  };
}

/**
 * A compromised model: it does what the reply tells it, giving the top of the scale, a glowing
 * sentiment, and the whole reply (instruction and all) as its evidence.
 */
export function obeyingModel(request: StubRequest): StubBehaviour {
  const { text, context } = readStubRequest(request);
  const top = context.score_range?.max ?? 10;
  return {
    kind: 'answer',
    value: llmAnswer({ score: top, sentiment: { label: 'positive', confidence: 1 }, evidence: { score: [text, String(top)], timing: [], products: [] } }),
  };
}
