import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SessionView } from '../../../src/sessionFacts/fromSession.ts';
import { parseFlow, type Flow, type FollowUpCondition } from '../../../src/engine/index.ts';
import { conditionHolds, evaluateRules, planTask, readRuleFacts as readFacts, tagsFor, type RuleFacts } from '../../../src/followup/rules.ts';

const parsed = parseFlow(readFileSync('flows/nps-default.yaml', 'utf8'));
if (!parsed.ok) throw new Error('nps-default does not parse');
const flow: Flow = parsed.flow;
const at = '2026-11-23T02:00:00.000Z';
const TZ = 'Asia/Shanghai';
const readRuleFacts = (s: SessionView, f: Flow, event: 'completed' | 'escalated') => readFacts(s, f, event, TZ);

/** A session of nps-default with the given answers (value, raw, extracted), completed unless said. */
function session(answers: Record<string, { kind: string; value: unknown; raw?: string; extracted?: Record<string, unknown> }>, extra: Partial<SessionView> = {}): SessionView {
  const stored = Object.fromEntries(Object.entries(answers).map(([id, a]) => [id, { raw: String(a.value), at, ...a }]));
  return {
    id: 'a'.repeat(24),
    conversation: { channel: 'wecom-kf', accountId: 'wk', customerId: 'wm1' },
    flowId: 'nps-default',
    flowVersion: 1,
    status: 'completed',
    answers: stored,
    analysis: {},
    customerFields: {},
    askedSteps: Object.keys(answers),
    rev: 1,
    createdAt: new Date(at),
    updatedAt: new Date(at),
    completedAt: new Date(at),
    ...extra,
  };
}
const neg = (topics: string[] = []) => ({ sentiment: { label: 'negative', confidence: 0.95 }, topics });
const detractor = session({ nps: { kind: 'nps', value: 3 }, reason_detractor: { kind: 'text', value: '太贵了，态度也差', extracted: neg(['价格', '服务态度']) }, intent: { kind: 'repurchase', value: 1 } });
const loyalSoon = session({
  nps: { kind: 'nps', value: 10 },
  reason_promoter: { kind: 'text', value: '顾问很专业', extracted: { sentiment: { label: 'positive', confidence: 0.9 }, topics: ['专业度'] } },
  csat_result: { kind: 'csat', value: 5 },
  intent: { kind: 'repurchase', value: 5 },
  timing: { kind: 'text', value: '下个月', extracted: { timing: { bucket: 'within_1_month', from: '2026-12-01', to: '2026-12-31' } } },
});
const lowResult = session({ nps: { kind: 'nps', value: 8 }, csat_result: { kind: 'csat', value: 2 }, intent: { kind: 'repurchase', value: 3 } });

describe('readRuleFacts', () => {
  it('reads segment (analytics), group, scores with touchpoints, topics, reason sentiment and days to the next purchase', () => {
    const f = readRuleFacts(loyalSoon, flow, 'completed');
    expect(f).toMatchObject({ segment: 'loyal', group: 'promoter', npsScore: 10, topics: ['专业度'], reasonSentiments: ['positive'], repurchaseInDays: 8, askedForPerson: false });
    expect(f.scores).toEqual([{ stepId: 'csat_result', touchpoint: '服务效果', value: 5 }]);
    expect(readRuleFacts(detractor, flow, 'completed')).toMatchObject({ segment: 'at_risk', group: 'detractor', topics: ['价格', '服务态度'], reasonSentiments: ['negative'] });
  });

  it('gives an escalated (unfinished) session the segment its answers so far give, and knows who asked for a person', () => {
    const escalated = { ...detractor, status: 'escalated' as const, completedAt: undefined, escalation: { trigger: 'intent', reason: '转人工', at: new Date(at) } };
    expect(readRuleFacts(escalated, flow, 'escalated')).toMatchObject({ segment: 'at_risk', askedForPerson: true });
    // Without a completion or an escalation there is no segment to speak of.
    expect(readRuleFacts({ ...detractor, status: 'active', completedAt: undefined }, flow, 'completed').segment).toBeUndefined();
  });

  it('takes the start of the timing bucket when the analyser gave no date', () => {
    const s = session({ timing: { kind: 'text', value: '两三个月后', extracted: { timing: { bucket: '1_3_months', from: null, to: null } } } });
    expect(readRuleFacts(s, flow, 'completed').repurchaseInDays).toBe(30);
  });
});

const base: RuleFacts = { event: 'completed', scores: [], topics: [], reasonSentiments: [], askedForPerson: false, labels: {}, products: [], productNames: {}, timeZone: TZ, facts: {} as RuleFacts['facts'] };
const window = (bucket: 'within_1_month' | '1_3_months' | 'undecided', startDay?: string): RuleFacts['window'] => ({ bucket, ...(startDay ? { startDay } : {}), stepId: 'timing', at: new Date(at) });
// [case, when, facts, holds]
const conditions: Array<[string, FollowUpCondition, Partial<RuleFacts>, boolean]> = [
  ['an empty when always holds', {}, {}, true],
  ['segment matches', { segment: 'at_risk' }, { segment: 'at_risk' }, true],
  ['segment from a list', { segment: ['loyal', 'potential'] }, { segment: 'potential' }, true],
  ['segment differs', { segment: 'at_risk' }, { segment: 'loyal' }, false],
  ['no segment yet', { segment: 'at_risk' }, {}, false],
  ['NPS group', { npsGroup: 'detractor' }, { group: 'detractor' }, true],
  ['NPS group differs', { npsGroup: ['promoter', 'passive'] }, { group: 'detractor' }, false],
  ['any CSAT at or below', { csat: { lte: 2 } }, { scores: [{ stepId: 'csat_booking', value: 2 }] }, true],
  ['CSAT above', { csat: { lte: 2 } }, { scores: [{ stepId: 'csat_booking', value: 3 }] }, false],
  ['CSAT of another touchpoint', { csat: { touchpoint: '服务效果', lte: 2 } }, { scores: [{ stepId: 'csat_booking', touchpoint: '预约流程', value: 1 }] }, false],
  ['CSAT of the touchpoint', { csat: { touchpoint: '服务效果', lte: 2 } }, { scores: [{ stepId: 'csat_result', touchpoint: '服务效果', value: 1 }] }, true],
  ['CSAT of the step', { csat: { step: 'csat_result', lte: 1 } }, { scores: [{ stepId: 'csat_result', value: 1 }] }, true],
  ['no CSAT answer', { csat: { lte: 5 } }, {}, false],
  ['repurchase within', { repurchaseWithinDays: 30 }, { repurchaseInDays: 30 }, true],
  ['repurchase later', { repurchaseWithinDays: 30 }, { repurchaseInDays: 31 }, false],
  ['no repurchase timing', { repurchaseWithinDays: 30 }, {}, false],
  ['a topic', { topic: '价格' }, { topics: ['服务态度', '价格'] }, true],
  ['one of the topics', { topic: ['效果', '价格'] }, { topics: ['价格'] }, true],
  ['topic missing', { topic: '价格' }, { topics: ['效果'] }, false],
  ['negative reason', { sentiment: 'negative' }, { reasonSentiments: ['positive', 'negative'] }, true],
  ['no negative reason', { sentiment: 'negative' }, { reasonSentiments: ['neutral'] }, false],
  ['did not ask for a person', { askedForPerson: false }, { askedForPerson: false }, true],
  ['asked for a person', { askedForPerson: false }, { askedForPerson: true }, false],
  ['all keys must hold', { segment: 'at_risk', topic: '价格' }, { segment: 'at_risk', topics: ['效果'] }, false],
  ['any product named', { product: 'any' }, { products: ['hydra'] }, true],
  ['no product named', { product: 'any' }, { products: [] }, false],
  ['one of the products', { product: ['thermage', 'ultherapy'] }, { products: ['hydra', 'thermage'] }, true],
  ['another product', { product: 'thermage' }, { products: ['hydra'] }, false],
  ['a timing bucket', { timing: ['1_3_months', '3_6_months'] }, { window: window('1_3_months', '2027-01-23') }, true],
  ['another timing bucket', { timing: '1_3_months' }, { window: window('within_1_month', '2026-12-01') }, false],
  ['no timing', { timing: '1_3_months' }, {}, false],
  ['product and timing', { product: 'thermage', timing: 'undecided' }, { products: ['thermage'], window: window('undecided') }, true],
];

describe('conditionHolds', () => {
  it.each(conditions)('%s', (_what, when, facts, holds) => {
    expect(conditionHolds(when, { ...base, ...facts })).toBe(holds);
  });
});

describe("evaluateRules with nps-default's rules", () => {
  const fired = (s: SessionView, event: 'completed' | 'escalated' = 'completed') => evaluateRules(flow.followUp.rules, readRuleFacts(s, flow, event)).map((r) => r.ruleId);

  it.each([
    ['a detractor who did not ask for a person gets a callback task and the price tag', detractor, 'completed', ['at-risk-callback', 'price-sensitive']],
    ['a detractor who asked for a person gets no callback task', { ...detractor, escalation: { trigger: 'intent', reason: '转人工', at: new Date(at) } }, 'completed', ['price-sensitive']],
    ['a loyal customer buying next month', loyalSoon, 'completed', ['buy-soon']],
    ['a low 服务效果 score', lowResult, 'completed', ['low-csat-result']],
    ['the callback is also made at the hand-over; other rules wait for the completion', { ...detractor, status: 'escalated' as const, completedAt: undefined }, 'escalated', ['at-risk-callback']],
  ] as const)('%s', (_what, s, event, expected) => {
    expect(fired(s, event)).toEqual(expected);
  });

  it('carries the task and tags a rule asks for', () => {
    const [rule] = evaluateRules(flow.followUp.rules, readRuleFacts(loyalSoon, flow, 'completed'));
    expect(rule).toEqual({ ruleId: 'buy-soon', description: expect.any(String), task: { reason: '近期有复购意向，可提前预约', dueHours: 72 }, tags: ['近期复购'] });
  });
});

describe('products and purchase windows', () => {
  // Promoter, intent 5: names 热玛吉 in the reason, the timing answer (two months on) and again with 水光针.
  const twoMonths = session({
    nps: { kind: 'nps', value: 10 },
    reason_promoter: { kind: 'text', value: '热玛吉效果很好', extracted: { sentiment: { label: 'positive', confidence: 0.9 }, topics: ['效果'], products: ['thermage'] } },
    intent: { kind: 'repurchase', value: 5 },
    timing: { kind: 'text', value: '两个月后想再做热玛吉', extracted: { timing: { bucket: '1_3_months', from: '2027-01-23', to: '2027-01-23' }, products: ['thermage'] } },
    products: { kind: 'text', value: '热玛吉和水光针', extracted: { products: ['thermage', 'hydra'] } },
  });

  it('reads the products named in any answer once, in the order first named, and the purchase window', () => {
    const f = readRuleFacts(twoMonths, flow, 'completed');
    expect(f).toMatchObject({ segment: 'loyal', products: ['thermage', 'hydra'], window: { bucket: '1_3_months', startDay: '2027-01-23', stepId: 'timing' }, repurchaseInDays: 61 });
    expect(f.productNames).toMatchObject({ thermage: '热玛吉', hydra: '水光针' });
  });

  it("fires nps-default's product-window rule for a product with a window months away, not for a sooner buyer", () => {
    expect(evaluateRules(flow.followUp.rules, readRuleFacts(twoMonths, flow, 'completed'))).toEqual([
      { ruleId: 'product-window', description: expect.any(String), task: { reason: expect.stringContaining('{{products}}'), dueHours: 72, beforeWindow: { leadDays: 3 } }, tags: [], products: ['thermage', 'hydra'] },
    ]);
    expect(evaluateRules(flow.followUp.rules, readRuleFacts(loyalSoon, flow, 'completed')).map((r) => r.ruleId)).toEqual(['buy-soon']);
  });

  it('plans the task: due the lead time before the window starts (midnight in the survey time zone), products and window in the reason', () => {
    const facts = readRuleFacts(twoMonths, flow, 'completed');
    const [fired] = evaluateRules(flow.followUp.rules, facts);
    const task = planTask({ ...fired!, task: fired!.task! }, facts, new Date(at));
    expect(task.dueAt.toISOString()).toBe('2027-01-19T16:00:00.000Z'); // 2027-01-20 00:00 in Shanghai
    expect(task.reason).toBe('2027年1月23日前联系顾客，沟通热玛吉、水光针（顾客预计1-3个月内再来）');
    // A rule about one product names only that one.
    const only = { ruleId: 'x', tags: [], products: ['hydra'], task: { reason: '沟通{{products}}', dueHours: 24, beforeWindow: { leadDays: 0 } } };
    expect(planTask(only, facts, new Date(at))).toEqual({ reason: '沟通水光针', dueAt: new Date('2027-01-22T16:00:00.000Z') });
  });

  it('falls back to dueHours when the window has no start or starts within the lead time', () => {
    const rule = { ruleId: 'x', tags: [], task: { reason: '{{windowStart}}前联系，{{window}}，{{products}}', dueHours: 24, beforeWindow: { leadDays: 3 } } };
    const undecided = { ...base, window: window('undecided') };
    expect(planTask(rule, undecided, new Date(at))).toEqual({ reason: '时间未定前联系，还没想好，意向项目', dueAt: new Date(Date.parse(at) + 24 * 3_600_000) });
    const soon = { ...base, products: ['thermage'], productNames: { thermage: '热玛吉' }, window: window('within_1_month', '2026-11-25') };
    expect(planTask(rule, soon, new Date(at)).dueAt).toEqual(new Date(Date.parse(at) + 24 * 3_600_000));
    // Without beforeWindow the reason is filled in and the due time is dueHours after.
    expect(planTask({ ...rule, task: { reason: '{{products}}', dueHours: 48 } }, soon, new Date(at))).toEqual({ reason: '热玛吉', dueAt: new Date(Date.parse(at) + 48 * 3_600_000) });
  });
});

describe('tagsFor', () => {
  it('tags segment, NPS group, touchpoints rated high or low, topics and rule tags, each once', () => {
    const facts = readRuleFacts(detractor, flow, 'completed');
    const withScores = { ...facts, scores: [{ stepId: 'csat_result', touchpoint: '服务效果', value: 1 }, { stepId: 'csat_booking', touchpoint: '预约流程', value: 3 }] };
    const tags = tagsFor(withScores, flow.followUp.tags, evaluateRules(flow.followUp.rules, facts));
    expect(tags).toEqual([
      { group: 'segment', name: '风险客户' },
      { group: 'npsGroup', name: '贬损者' },
      { group: 'touchpoint', name: '服务效果不满意' },
      { group: 'topics', name: '价格' },
      { group: 'topics', name: '服务态度' },
      { group: 'rules', name: '价格敏感' },
    ]);
    expect(tagsFor(facts, ['segment'], [])).toEqual([{ group: 'segment', name: '风险客户' }]);
  });
});
