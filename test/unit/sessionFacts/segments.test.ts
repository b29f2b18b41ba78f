import { describe, expect, it } from 'vitest';
import { segmentOf, segmentRules } from '../../../src/sessionFacts/segments.ts';
import { segmentsSchema } from '../../../src/engine/index.ts';
import type { Group } from '../../../src/sessionFacts/types.ts';

const defaults = segmentRules({ settings: {} as never });
const neg = (confidence: number) => ({ sentiment: { label: 'negative' as const, confidence } });
const pos = { sentiment: { label: 'positive' as const, confidence: 0.9 } };

// [case, group, intent, reasons, segment]
const cases: Array<[string, Group | undefined, number | undefined, Array<{ sentiment?: { label: 'negative' | 'positive'; confidence: number } }>, string]> = [
  ['promoter, intent 5', 'promoter', 5, [pos], 'loyal'],
  ['promoter, intent 4 (the loyal threshold)', 'promoter', 4, [], 'loyal'],
  ['promoter, intent 3', 'promoter', 3, [], 'other'],
  ['promoter without an intent answer', 'promoter', undefined, [], 'other'],
  ['promoter with a clear complaint (risk wins)', 'promoter', 5, [neg(0.95)], 'at_risk'],
  ['promoter with mild criticism below 0.9', 'promoter', 5, [neg(0.8)], 'loyal'],
  ['detractor, intent 5', 'detractor', 5, [], 'at_risk'],
  ['passive, intent 1', 'passive', 1, [], 'at_risk'],
  ['no NPS, intent 0', undefined, 0, [], 'at_risk'],
  ['passive, intent 3', 'passive', 3, [], 'potential'],
  ['passive, intent 2', 'passive', 2, [], 'other'],
  ['no answers at all', undefined, undefined, [], 'other'],
];

describe('segmentOf with the default thresholds', () => {
  it('has the documented defaults', () => {
    expect(defaults).toEqual({ loyal: { minIntent: 4 }, atRisk: { maxIntent: 1, negativeReason: true, minConfidence: 0.9 }, potential: { minIntent: 3 } });
  });
  it.each(cases)('%s', (_what, group, intent, reasons, expected) => {
    expect(segmentOf({ group, intent, reasons }, defaults)).toBe(expected);
  });
});

describe('segmentOf with per-flow thresholds', () => {
  it('follows settings.segments', () => {
    const rules = segmentsSchema.parse({ loyal: { minIntent: 5 }, atRisk: { maxIntent: 2, negativeReason: false }, potential: { minIntent: 4 } });
    expect(segmentOf({ group: 'promoter', intent: 4, reasons: [] }, rules)).toBe('other');
    expect(segmentOf({ group: 'passive', intent: 2, reasons: [] }, rules)).toBe('at_risk');
    expect(segmentOf({ group: 'promoter', intent: 5, reasons: [neg(1)] }, rules)).toBe('loyal');
    expect(segmentOf({ group: 'passive', intent: 3, reasons: [] }, rules)).toBe('other');
  });
});
