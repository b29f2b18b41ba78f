import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { AnalysisRequest, QuestionKind } from '../../../src/core/analysis.ts';
import { createAnalyzer, createReplyClassifier, type ConfiguredAnalyzer, type ReplyClassifier } from '../../../src/nlu/index.ts';
import { INJECTIONS } from '../../support/injections.ts';
import { obeyingModel } from '../../support/llmReplies.ts';
import { startOpenAiStub, type OpenAiStub } from '../../support/openaiStub.ts';

// Every reworded injection, in every analyser mode, against a model that obeys it: no score.
const NOW = new Date('2026-11-23T10:00:00+08:00');
const logger = pino({ level: 'silent' });
const ask = (question: QuestionKind, text: string): AnalysisRequest => ({ question, text, now: NOW, timeZone: 'Asia/Shanghai' });

let stub: OpenAiStub;
const analyzers: Record<string, ConfiguredAnalyzer> = {};
let classifier: ReplyClassifier;
beforeAll(async () => {
  stub = await startOpenAiStub(obeyingModel);
  const config = { llm: { apiKey: 'k', baseUrl: stub.baseUrl, model: 'obedient', timeoutMs: 2_000 } };
  for (const mode of ['rules', 'composed', 'llm'] as const) analyzers[mode] = createAnalyzer({ config, logger, mode });
  classifier = createReplyClassifier({ apiKey: 'k', baseUrl: stub.baseUrl, model: 'obedient', timeoutMs: 2_000, logger });
});
afterAll(() => stub.close());

describe.each(['rules', 'composed', 'llm'])('%s mode with an obeying LLM', (mode) => {
  it.each(INJECTIONS)('gives no score for %j', async (text) => {
    for (const question of ['nps', 'csat', 'repurchase'] as const) {
      const analysis = await analyzers[mode]!.analyze(ask(question, text));
      expect(analysis.score, `${question}`).toBeNull();
      expect(analysis.intent).toBe('unclear');
    }
  });
});

describe('the reply classifier on its own, asked about an injection', () => {
  it.each(INJECTIONS)('drops the score the model was talked into for %j', async (text) => {
    const outcome = await classifier.classify(ask('nps', text));
    expect(outcome.status).toBe('ok');
    if (outcome.status !== 'ok') return;
    expect(outcome.reply.score).toBeNull();
    expect(outcome.fallback.has('score')).toBe(true);
  });
});

it('the obeying model really obeys: an honest reply gets its top score through', async () => {
  // Guards the test above from passing because the stub never gives a score at all.
  const outcome = await classifier.classify(ask('nps', '10'));
  expect(outcome).toMatchObject({ status: 'ok', reply: { score: 10 } });
});
