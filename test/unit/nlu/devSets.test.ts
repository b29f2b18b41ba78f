import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluate, parseEvalLines } from '../../../src/nlu/evaluate.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';

// The labelled dev sets under test/nlu/ (not the held-out part, which is only read by hand at the
// end of a change: npm run -s nlu -- eval test/nlu/holdout/*.jsonl).
const dir = fileURLToPath(new URL('../../nlu/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
const lines = files.flatMap((f) => parseEvalLines(readFileSync(`${dir}${f}`, 'utf8'), f));
const rules = createRuleAnalyzer();

describe('rule analyser on the labelled dev sets', { timeout: 30_000 }, () => {
  it('has several hundred labelled lines, each with a phenomenon tag', () => {
    expect(lines.length).toBeGreaterThanOrEqual(400);
    expect(lines.every((l) => l.tags.length > 0)).toBe(true);
  });

  it('is right on ≥ 99% of the fields it calls settled', async () => {
    const summary = await evaluate(lines, { rules, analyzer: rules, now: new Date('2026-11-23T10:00:00+08:00'), timeZone: 'Asia/Shanghai' });
    const settledWrong = summary.misses.filter((m) => m.settled).map((m) => `${m.id} ${m.field}: "${m.text}" -> ${JSON.stringify(m.got)}`);
    expect(summary.settled.total).toBeGreaterThan(200);
    expect(summary.settled.right / summary.settled.total, settledWrong.join('\n')).toBeGreaterThanOrEqual(0.99);
  });

  it('reads the review lines: each polarity right ≥ 75%, ≥ 90% of polar labels right', async () => {
    const reviews = lines.filter((l) => l.tags.includes('review') && (l.tags.includes('positive') || l.tags.includes('negative')));
    expect(reviews.length).toBeGreaterThanOrEqual(100);
    const summary = await evaluate(reviews, { rules, analyzer: rules, now: new Date('2026-11-23T10:00:00+08:00'), timeZone: 'Asia/Shanghai' });
    for (const label of ['positive', 'negative']) {
      const t = summary.sentimentRecall[label];
      expect(t && t.right / t.total, label).toBeGreaterThanOrEqual(0.75);
    }
    expect(summary.polarPrecision.right / summary.polarPrecision.total).toBeGreaterThanOrEqual(0.9);
  });
});
