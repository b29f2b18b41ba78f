import { describe, expect, it } from 'vitest';
import type { QuestionKind } from '../../../src/core/analysis.ts';
import { capReplyText, MAX_ANALYSED_CHARS } from '../../../src/nlu/capReplyText.ts';
import { buildReplyMessages } from '../../../src/nlu/llm/replyPrompt.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';
import { parseScaleReply } from '../../../src/nlu/rules/parseScaleReply.ts';

const rules = createRuleAnalyzer();
const NOW = new Date('2026-11-23T10:00:00+08:00');
const KINDS: QuestionKind[] = ['nps', 'csat', 'rating', 'repurchase', 'timing', 'reason', 'text', 'choice'];
const OPTIONS = [
  { id: 'a', label: '服务' },
  { id: 'b', label: '价格' },
];

/** About 100 KB of UTF-8 made by repeating `unit`. */
function hundredKb(unit: string): string {
  return unit.repeat(Math.ceil(100_000 / Buffer.byteLength(unit)));
}

function analyse(question: QuestionKind, text: string) {
  return rules.analyze({ question, text, now: NOW, timeZone: 'Asia/Shanghai', ...(question === 'choice' ? { options: OPTIONS } : {}) });
}

describe('rule analyser on long replies', () => {
  // The issue asks for this bound: one huge message must not block the event loop.
  it.each([
    ['one numeral repeated', hundredKb('八')],
    ['digits', hundredKb('8')],
    ['digits and numerals alternating', hundredKb('8八')],
    ['fillers that once backtracked exponentially', hundredKb(`${'打个'.repeat(26)}x8分，`)],
    ['a long complaint', hundredKb('服务太差了，等了三个小时，下个月再也不来了！')],
  ])('analyses a 100 KB message (%s) in under 1 s for every question kind', async (_name, text) => {
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(100_000);
    for (const question of KINDS) {
      const started = performance.now();
      await analyse(question, text);
      expect(performance.now() - started, question).toBeLessThan(1_000);
    }
  });

  it('reads the answer at the start of a long message', async () => {
    const analysis = await analyse('nps', `八分吧，${hundredKb('x')}`);
    expect(analysis.intent).toBe('answer');
    expect(analysis.score).toBe(8);
  });

  it('reads a scale statement at the start of a long run of numerals without re-reading the run from every position', () => {
    // Uncapped on purpose: this is the scale parser's own cost, the cause of the 44–67 s seen in the issue.
    const text = `10分制${'八'.repeat(50_000)}`;
    const started = performance.now();
    parseScaleReply(text, { min: 0, max: 10 });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('capReplyText', () => {
  it('keeps short replies whole and cuts long ones to the first MAX_ANALYSED_CHARS', () => {
    expect(capReplyText('八分吧')).toBe('八分吧');
    const long = 'a'.repeat(MAX_ANALYSED_CHARS + 10);
    expect(capReplyText(long)).toBe('a'.repeat(MAX_ANALYSED_CHARS));
  });

  it('never leaves half of an emoji at the cut', () => {
    const text = `${'a'.repeat(MAX_ANALYSED_CHARS - 1)}😀tail`;
    const capped = capReplyText(text);
    expect(capped).toBe('a'.repeat(MAX_ANALYSED_CHARS - 1));
    expect(capped.at(-1)).toBe('a');
  });

  it('sends the LLM the capped text only', () => {
    const text = `八分吧${'很'.repeat(10_000)}`;
    const [, user] = buildReplyMessages({ question: 'nps', text, now: NOW, timeZone: 'Asia/Shanghai' }, { min: 0, max: 10 }, '2026-11-23', 1);
    const data = /<customer_reply>(.*)<\/customer_reply>/s.exec(user?.content ?? '')?.[1] ?? '';
    expect(JSON.parse(data)).toBe(capReplyText(text));
  });
});
