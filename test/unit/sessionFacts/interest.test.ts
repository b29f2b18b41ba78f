import { describe, expect, it } from 'vitest';
import { sessionContribution } from '../../../src/analytics/fields.ts';
import { purchaseWindow, sessionInterest } from '../../../src/sessionFacts/interest.ts';
import type { AnswerFact, ResponseFacts } from '../../../src/sessionFacts/types.ts';

const TZ = 'Asia/Shanghai';
/** An answer given at `at` (Shanghai 10:00 on that day unless a full instant is given). */
function answer(stepId: string, at: string, extra: Partial<AnswerFact> = {}): AnswerFact {
  return { stepId, kind: 'text', at: new Date(at.length === 10 ? `${at}T02:00:00Z` : at), value: 'x', raw: 'x', missing: false, reason: false, topics: [], products: [], ...extra };
}

describe('purchaseWindow', () => {
  it.each<[string, AnswerFact[], ReturnType<typeof purchaseWindow>]>([
    ['no timing', [answer('reason', '2026-11-23')], undefined],
    ['the analyser dated it', [answer('timing', '2026-11-23', { timing: '1_3_months', timingFrom: '2027-01-23' })], { bucket: '1_3_months', startDay: '2027-01-23', stepId: 'timing', at: new Date('2026-11-23T02:00:00Z') }],
    ['the bucket start from the answer day (survey time zone)', [answer('timing', '2026-11-22T17:00:00Z', { timing: '3_6_months' })], { bucket: '3_6_months', startDay: '2027-02-21', stepId: 'timing', at: new Date('2026-11-22T17:00:00Z') }],
    [
      'the window that starts first, wherever it was said',
      [answer('reason', '2026-11-23', { timing: 'within_1_month', timingFrom: '2026-12-01' }), answer('timing', '2026-11-23T02:01:00Z', { timing: '3_6_months', timingFrom: '2027-03-01' })],
      { bucket: 'within_1_month', startDay: '2026-12-01', stepId: 'reason', at: new Date('2026-11-23T02:00:00Z') },
    ],
    [
      'a dated window over an undecided one said earlier',
      [answer('reason', '2026-11-23', { timing: 'undecided' }), answer('timing', '2026-11-24', { timing: '6_12_months', timingFrom: '2027-06-01' })],
      { bucket: '6_12_months', startDay: '2027-06-01', stepId: 'timing', at: new Date('2026-11-24T02:00:00Z') },
    ],
    ['only undecided: the first said', [answer('reason', '2026-11-23', { timing: 'never' }), answer('timing', '2026-11-24', { timing: 'undecided' })], { bucket: 'never', stepId: 'reason', at: new Date('2026-11-23T02:00:00Z') }],
    ['a skipped answer does not count', [answer('timing', '2026-11-23', { timing: '1_3_months', missing: true })], undefined],
  ])('%s', (_what, answers, want) => {
    expect(purchaseWindow(answers, TZ)).toEqual(want);
  });
});

describe('products, factors and open interest', () => {
  const answers = [
    answer('reason_promoter', '2026-11-20', { products: ['thermage'], factors: ['effect', 'advisor'] }),
    answer('timing', '2026-11-23', { products: ['thermage'], timing: '1_3_months', timingFrom: '2027-01-23' }),
    answer('products', '2026-11-23T02:05:00Z', { products: ['hydra', 'thermage'], factors: ['price', 'effect'], openInterest: true }),
    answer('change_mind', '2026-11-23', { products: ['botox'], missing: true }),
  ];

  it('counts each once per session, from the answer that named it first; skipped answers name nothing', () => {
    const interest = sessionInterest(answers, TZ);
    expect(interest.products.map((p) => [p.id, p.stepId])).toEqual([['thermage', 'reason_promoter'], ['hydra', 'products']]);
    expect(interest.factors.map((f) => [f.id, f.stepId])).toEqual([['effect', 'reason_promoter'], ['advisor', 'reason_promoter'], ['price', 'products']]);
    expect(interest.openInterest?.stepId).toBe('products');
    expect(interest.window?.bucket).toBe('1_3_months');
  });

  it('files them on the day first named, with the window bucket and segment, in one contribution', () => {
    const facts: ResponseFacts = {
      sessionId: 's1', flowId: 'f', flowVersion: 1, status: 'completed', outcome: 'completed', customerId: 'c', createdAt: new Date('2026-11-20T01:00:00Z'),
      updatedAt: new Date('2026-11-23T03:00:00Z'), revision: 1, dims: {}, answers, asked: [], segment: 'loyal',
    };
    const lines = Object.fromEntries(sessionContribution(facts, TZ).lines.map((l) => [l.day, l.fields.filter((f) => /^[iIf]:/.test(f))]));
    expect(lines).toEqual({
      '2026-11-20': ['i:thermage:1_3_months:loyal', 'f:effect:loyal', 'f:advisor:loyal'],
      '2026-11-23': ['i:hydra:1_3_months:loyal', 'f:price:loyal', 'I:loyal'],
    });
    // Not completed: no segment yet; no timing: no bucket.
    const open = sessionContribution({ ...facts, status: 'active', outcome: 'in_progress', segment: undefined, answers: [answers[0]!] }, TZ);
    expect(open.lines.flatMap((l) => l.fields).filter((f) => f.startsWith('i:'))).toEqual(['i:thermage:-:-']);
  });
});
