import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { AnalysisRequest, QuestionKind } from '../../../src/core/analysis.ts';
import { createComposedAnalyzer, createLlmAnalyzer, createReplyClassifier, createRuleAnalyzer } from '../../../src/nlu/index.ts';
import { llmAnswer } from '../../support/llmReplies.ts';
import { startOpenAiStub, type OpenAiStub } from '../../support/openaiStub.ts';

// An LLM answer must prove itself, field by field, against the real analysers over HTTP.
const NOW = new Date('2026-11-23T10:00:00+08:00'); // a Monday; today is 2026-11-23 in Shanghai
const rules = createRuleAnalyzer();
const ask = (question: QuestionKind, text: string, extra: Partial<AnalysisRequest> = {}): AnalysisRequest => ({
  question,
  text,
  now: NOW,
  timeZone: 'Asia/Shanghai',
  ...extra,
});
const NEGATIVE = { label: 'negative', confidence: 0.9 };

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** Both LLM-backed analysers over a stub that always gives `answer`, and the log lines they wrote. */
async function analysersAnswering(answer: Record<string, unknown>) {
  stub = await startOpenAiStub([{ kind: 'answer', value: answer }]);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const classifier = createReplyClassifier({ apiKey: 'k', baseUrl: stub.baseUrl, model: 'stub', timeoutMs: 2_000, logger });
  return { composed: createComposedAnalyzer({ rules, classifier, logger }), llm: createLlmAnalyzer({ rules, classifier, logger }), logs, stub };
}

describe('score evidence', () => {
  const text = '整体还行吧，朋友问起的话九分';

  it('keeps a score whose words are in the reply, compared after folding width, script and spaces', async () => {
    const { llm } = await analysersAnswering(llmAnswer({ score: 9, evidence: { score: ['九 分'], timing: [], products: [] } }));
    const a = await llm.analyze(ask('nps', '整體還行吧，朋友問起的話九分'));
    expect(a.score).toBe(9);
    expect(a.source.score).toBe('llm');
  });

  it('drops a score whose words are not in the reply, keeping the other fields', async () => {
    const { llm, composed, logs } = await analysersAnswering(
      llmAnswer({ score: 10, sentiment: NEGATIVE, evidence: { score: ['十分满意'], timing: [], products: [] } }),
    );
    for (const analyser of [llm, composed]) {
      const a = await analyser.analyze(ask('nps', text));
      expect(a.score).toBe(rules.read(ask('nps', text)).analysis.score);
      expect(a.source.score).toBe('rules');
      expect(a.sentiment).toEqual(NEGATIVE);
      expect(a.source.sentiment).toBe('llm');
    }
    expect(logs.join('')).toContain('not in the reply');
  });

  it('logs why a value was dropped without the customer\'s words or numbers', async () => {
    const { llm, logs } = await analysersAnswering(
      llmAnswer({ score: 9, products: ['13912345678'], evidence: { score: ['回电13912345678九分'], timing: [], products: [] } }),
    );
    const a = await llm.analyze(ask('nps', '九分，有事回电13912345678'), { llmFullText: true });
    expect(a.source.score).toBe('rules');
    const written = logs.join('');
    expect(written).toContain('"field":"score"');
    expect(written).not.toContain('13912345678');
    expect(written).not.toContain('有事回电');
  });

  it.each([
    ['3分', 10, '3分，前台太慢了', null],
    ['给4星', 5, '给4星吧', 4],
  ])('drops a score its own evidence contradicts (%s given as %i), the rules\' reading standing', async (span, score, reply, rulesScore) => {
    const { llm } = await analysersAnswering(llmAnswer({ score, sentiment: NEGATIVE, evidence: { score: [span], timing: [], products: [] } }));
    const question = score === 10 ? 'nps' : 'csat';
    const a = await llm.analyze(ask(question, reply));
    expect(a.source.score).toBe('rules');
    if (rulesScore !== null) expect(a.score).toBe(rulesScore);
    expect(a.sentiment).toEqual(NEGATIVE);
  });

  it.each([
    [8, ['满分', '扣两分'], '本来想打满分，扣两分吧'],
    [9, ['8分的基础上再加1分'], '在8分的基础上再加1分'],
  ])('keeps a score of %i reached by arithmetic on the numbers its evidence states', async (score, spans, reply) => {
    const { llm } = await analysersAnswering(llmAnswer({ score, evidence: { score: spans, timing: [], products: [] } }));
    expect((await llm.analyze(ask('nps', reply))).score).toBe(score);
  });

  it('drops a score given with no evidence at all', async () => {
    const { llm } = await analysersAnswering(llmAnswer({ score: 3, sentiment: NEGATIVE }));
    const a = await llm.analyze(ask('nps', '服务一般般，技师迟到了'));
    expect(a.score).toBeNull();
    expect(a.source.score).toBe('rules');
    expect(a.sentiment?.label).toBe('negative');
  });

  it('refuses a number assigned to a score key as evidence of a judgment', async () => {
    stub = await startOpenAiStub([
      { kind: 'answer', value: llmAnswer({ score: 9, evidence: { score: ['评分：9'], timing: [], products: [] } }) },
      { kind: 'answer', value: llmAnswer({ score: 9, evidence: { score: ['9'], timing: [], products: [] } }) },
      { kind: 'answer', value: llmAnswer({ score: 9, evidence: { score: ['9分'], timing: [], products: [] } }) },
    ]);
    const classifier = createReplyClassifier({ apiKey: 'k', baseUrl: stub.baseUrl, model: 'stub', timeoutMs: 2_000, logger: pino({ level: 'silent' }) });
    const assigned = ask('nps', '评分：9，其他没什么');
    for (let i = 0; i < 2; i++) {
      const outcome = await classifier.classify(assigned);
      expect(outcome).toMatchObject({ status: 'ok', reply: { score: null }, dropped: [{ field: 'score' }] });
    }
    // The same number said as a judgment is evidence.
    expect(await classifier.classify(ask('nps', '评分这块嘛，我打9分吧'))).toMatchObject({ status: 'ok', reply: { score: 9 } });
  });

  it.each([
    ['nps', 11],
    ['nps', -1],
    ['csat', 0],
    ['csat', 7],
  ] as const)('drops a %s score of %i, outside the scale, keeping the other fields', async (question, score) => {
    const { llm } = await analysersAnswering(llmAnswer({ score, sentiment: NEGATIVE, topics: ['等待时间'], evidence: { score: [String(score)], timing: [], products: [] } }));
    const a = await llm.analyze(ask(question, `排队排到想给${score}分`));
    expect(a.score).toBe(rules.read(ask(question, `排队排到想给${score}分`)).analysis.score);
    expect(a.source).toMatchObject({ score: 'rules', sentiment: 'llm', topics: 'llm' });
    expect(a.topics).toEqual(['等待时间']);
  });
});

describe('timing from the LLM, against today in the survey time zone', () => {
  const text = '等发了年终奖吧，大概下个月';
  const rulesTiming = () => rules.read(ask('timing', text)).analysis.timing;
  const timingAnswer = (bucket: string, from: string | null, to: string | null, spans = ['下个月']) =>
    llmAnswer({ sentiment: NEGATIVE, factors: ['price'], timing: { bucket, from, to }, evidence: { score: [], timing: spans, products: [] } });

  it('keeps a window that starts today or later and fits its bucket', async () => {
    const { llm } = await analysersAnswering(timingAnswer('within_1_month', '2026-12-01', '2026-12-20'));
    const a = await llm.analyze(ask('timing', text));
    expect(a.timing).toEqual({ bucket: 'within_1_month', from: '2026-12-01', to: '2026-12-20' });
    expect(a.source.timing).toBe('llm');
  });

  it.each([
    ['a window in the past (2020)', timingAnswer('within_1_month', '2020-12-01', '2020-12-31')],
    ['a window that started last week', timingAnswer('within_1_month', '2026-11-16', '2026-12-10')],
    ['"within a month" in 2028', timingAnswer('within_1_month', '2028-12-01', '2028-12-20')],
    ['"within a month" five months out', timingAnswer('within_1_month', '2027-04-01', '2027-04-30')],
    ['"1–3 months" for next week', timingAnswer('1_3_months', '2026-11-30', '2026-12-06')],
    ['"over a year" for next month', timingAnswer('over_12_months', '2026-12-01', '2026-12-31')],
    ['a window that ends before it starts', timingAnswer('within_1_month', '2026-12-20', '2026-12-01')],
    ['a window with a missing end', timingAnswer('within_1_month', '2026-12-01', null)],
    ['a date that is not a date', timingAnswer('within_1_month', 'next month', '2026-12-31')],
    ['"undecided" with dates', timingAnswer('undecided', '2026-12-01', '2026-12-31')],
    ['a window whose words are not in the reply', timingAnswer('within_1_month', '2026-12-01', '2026-12-20', ['月底'])],
    ['a window with no evidence', timingAnswer('within_1_month', '2026-12-01', '2026-12-20', [])],
  ])('drops %s; the rules\' timing stands and the other fields survive', async (_name, answer) => {
    const { llm, composed, logs } = await analysersAnswering(answer);
    for (const analyser of [llm, composed]) {
      const a = await analyser.analyze(ask('timing', text));
      expect(a.timing).toEqual(rulesTiming());
      expect(a.source.timing).toBe('rules');
      expect(a.sentiment).toEqual(NEGATIVE);
      expect(a.factors).toEqual(['price']);
    }
    expect(logs.join('')).toContain('"field":"timing"');
  });

  it('judges "today" in the survey\'s time zone, not the server\'s', async () => {
    // 17:00 UTC on the 23rd is already the 24th in Shanghai but still the 23rd in Los Angeles.
    const now = new Date('2026-11-23T17:00:00Z');
    const { llm } = await analysersAnswering(timingAnswer('within_1_month', '2026-11-23', '2026-11-29', ['这周']));
    const inShanghai = await llm.analyze(ask('timing', '这周吧', { now, timeZone: 'Asia/Shanghai' }));
    const inLosAngeles = await llm.analyze(ask('timing', '这周吧', { now, timeZone: 'America/Los_Angeles' }));
    expect(inShanghai.source.timing).toBe('rules');
    expect(inLosAngeles).toMatchObject({ timing: { from: '2026-11-23', to: '2026-11-29' }, source: { timing: 'llm' } });
  });

  it('drops timing on a question that does not ask when (NPS), keeping the score', async () => {
    const answer = llmAnswer({
      score: 8,
      timing: { bucket: 'within_1_month', from: '2026-12-01', to: '2026-12-20' },
      evidence: { score: ['8分'], timing: ['下个月'], products: [] },
    });
    const { llm } = await analysersAnswering(answer);
    const a = await llm.analyze(ask('nps', '8分，下个月还来，就是停车不方便'));
    expect(a).toMatchObject({ score: 8, timing: null });
    expect(a.source).toMatchObject({ score: 'llm', timing: 'rules' });
  });

  it('keeps "undecided" said in so many words on the repurchase question', async () => {
    const { llm } = await analysersAnswering(llmAnswer({ score: 3, timing: { bucket: 'undecided', from: null, to: null }, evidence: { score: ['看情况'], timing: ['看情况'], products: [] } }));
    const a = await llm.analyze(ask('repurchase', '看情况吧，最近手头紧'));
    expect(a).toMatchObject({ score: 3, timing: { bucket: 'undecided' } });
  });
});

describe('products from the LLM', () => {
  const catalog = [
    { id: 'thermage', name: '热玛吉' },
    { id: 'hydra', name: '水光针', synonyms: ['水光'] },
  ];
  const text = '打完那个补水的针皮肤好多了，想再来一次';

  it('keeps an item described in the reply, with its words as evidence', async () => {
    const { llm } = await analysersAnswering(llmAnswer({ products: ['hydra'], evidence: { score: [], timing: [], products: [{ id: 'hydra', span: '补水的针' }] } }));
    const a = await llm.analyze(ask('text', text, { catalog }));
    expect(a.products).toEqual(['hydra']);
  });

  it('drops an id outside the catalogue or without its words, keeping the others and every other field', async () => {
    const evidence = { score: [], timing: [], products: [{ id: 'hydra', span: '补水的针' }, { id: 'facelift', span: '针' }, { id: 'thermage', span: '热玛吉' }] };
    const { llm } = await analysersAnswering(llmAnswer({ products: ['facelift', 'thermage', 'hydra'], sentiment: { label: 'positive', confidence: 0.8 }, evidence }));
    const a = await llm.analyze(ask('text', text, { catalog }));
    expect(a.products).toEqual(['hydra']);
    expect(a.source.products).toBe('llm');
    expect(a.sentiment?.label).toBe('positive');
  });

  it('falls back to the rules\' products when every id the model named is refused', async () => {
    const evidence = { score: [], timing: [], products: [{ id: 'botox', span: '针' }] };
    const { llm } = await analysersAnswering(llmAnswer({ products: ['botox'], sentiment: { label: 'positive', confidence: 0.8 }, evidence }));
    const reply = '水光打完皮肤好多了，想再来一次';
    const a = await llm.analyze(ask('text', reply, { catalog }));
    expect(a.products).toEqual(rules.read(ask('text', reply, { catalog })).analysis.products);
    expect(a.products).toEqual(['hydra']);
    expect(a.source).toMatchObject({ products: 'rules', sentiment: 'llm' });
  });
});
