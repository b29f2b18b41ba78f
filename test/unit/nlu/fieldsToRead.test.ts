import { describe, expect, it } from 'vitest';
import type { QuestionKind } from '../../../src/core/analysis.ts';
import { fieldsToRead } from '../../../src/nlu/fieldsToRead.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';

const rules = createRuleAnalyzer();
const NOW = new Date('2026-11-23T10:00:00+08:00');
function fields(question: QuestionKind, text: string) {
  const request = { question, text, now: NOW, timeZone: 'Asia/Shanghai' };
  return fieldsToRead(request, rules.read(request));
}

describe('fieldsToRead', () => {
  it('asks for the sentiment of an escalation, not just its intent', () => {
    expect(fields('nps', '我要投诉你们那个技师')).toEqual(['intent', 'sentiment']);
  });

  it('needs nothing more than the intent for a settled opt-out or "go back"', () => {
    expect(fields('nps', '退订')).toEqual(['intent']);
    expect(fields('csat', '上一题选错了')).toEqual(['intent']);
  });

  it('reads score, timing and choices where the question asks for them', () => {
    expect(fields('nps', '8分，还行')).toEqual(['intent', 'sentiment', 'topics', 'score']);
    expect(fields('repurchase', '会吧')).toEqual(['intent', 'sentiment', 'topics', 'factors', 'score', 'timing']);
    expect(fields('timing', '下个月')).toEqual(['intent', 'sentiment', 'topics', 'factors', 'timing']);
  });
});
