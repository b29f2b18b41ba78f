import { describe, expect, it } from 'vitest';
import { parseFlow } from '../../../src/engine/index.ts';
import type { FlowProblem } from '../../../src/engine/index.ts';
import { capBytes, capChars, utf8Bytes } from '../../../src/engine/runtime/messageSize.ts';
import { renderTemplate, worstCaseBytes } from '../../../src/engine/runtime/renderTemplate.ts';

// A template can no longer silence a question (issue 25, item 6): quoted answers are capped, a
// text renders to one WeCom message at most, flows that could overflow a message or a turn are
// refused at publish, and templates read own string properties only.

const scope = {
  customer: { name: '张女士', nickname: '小张' },
  answers: { reason_promoter: '环境好'.repeat(700) },
  variables: { brand: '某某诊所' },
};

describe('renderTemplate with hostile templates', () => {
  it.each([
    ['{{constructor}}', ''],
    ['{{__proto__}}', ''],
    ['{{toString}}', ''],
    ['{{hasOwnProperty|缺省}}', '缺省'],
    ['{{answers.toString}}', ''],
    ['{{answers.__proto__|无}}', '无'],
    ['{{answers.constructor.name}}', ''],
    ['{{customer.constructor}}', ''],
    ['{{customer.__proto__.polluted}}', ''],
    ['{{customer.valueOf|您}}好', '您好'],
    ['{{ constructor | 朋友 }}', '朋友'],
    ['{{brand.length}}', ''],
  ])('%s → %j', (template, expected) => {
    expect(renderTemplate(template, scope)).toBe(expected);
  });

  it('reads an own property even when it is called like a prototype member', () => {
    const own = { customer: { constructor: '王先生' }, answers: {}, variables: { toString: '本店' } };
    expect(renderTemplate('{{customer.constructor}}，{{toString}}', own)).toBe('王先生，本店');
  });

  it('ignores non-string values that reached the scope from stored data', () => {
    const odd = { customer: { name: { toString: () => 'x' } as unknown as string }, answers: {}, variables: {} };
    expect(renderTemplate('{{customer.name|您}}', odd)).toBe('您');
  });

  it('cuts a quoted answer to 200 characters, marked with …', () => {
    const out = renderTemplate('您说：{{answers.reason_promoter}}', scope);
    expect(out).toBe(`您说：${'环境好'.repeat(700).slice(0, 199)}…`);
  });

  it('keeps 36 quotes of a 2,000-character answer to one WeCom message', () => {
    const out = renderTemplate('{{answers.reason_promoter}}'.repeat(36), scope);
    expect(utf8Bytes(out)).toBeLessThanOrEqual(2048);
    expect(out.endsWith('…')).toBe(true);
  });

  it('never cuts inside a surrogate pair', () => {
    expect(capChars('😀'.repeat(150), 200)).toBe(`${'😀'.repeat(99)}…`);
    expect(capBytes('😀'.repeat(10), 10)).toBe('😀…');
  });
});

describe('worstCaseBytes', () => {
  it('counts literal text, variables as written, fields at their cap and longer fallbacks', () => {
    expect(worstCaseBytes('谢谢', {})).toBe(6);
    expect(worstCaseBytes('{{brand}}', { brand: '某某诊所' })).toBe(12);
    expect(worstCaseBytes('{{answers.x}}', {})).toBe(600);
    expect(worstCaseBytes('{{customer.name|您}}好', {})).toBe(603);
    expect(worstCaseBytes(`{{customer.x|${'长'.repeat(300)}}}`, {})).toBe(900);
    expect(worstCaseBytes('{{answers.reason_promoter}}'.repeat(36), {})).toBe(21_600);
  });
});

// Five header lines, so the first step starts on line 6.
const head = 'schemaVersion: 1\nid: t\nversion: 1\ntitle: T\nsteps:\n';
const reason = '  - id: reason_promoter\n    kind: text\n    text: 为什么？\n';
const end = '  - id: end\n    kind: end\n    text: 谢谢\n';

function problemsOf(yamlText: string): FlowProblem[] {
  const result = parseFlow(yamlText);
  return result.ok ? [] : result.problems;
}

describe('flow validation refuses texts that could overflow WeCom', () => {
  it('refuses a text quoting an answer 36 times, at its step, path and line', () => {
    const text = '{{answers.reason_promoter}}'.repeat(36);
    const problems = problemsOf(`${head}${reason}  - id: ask
    kind: csat
    touchpoint: 服务
    text: '${text}'
${end}`);
    expect(problems).toContainEqual({
      stepId: 'ask',
      path: 'steps[1].text',
      line: 12,
      message: 'could render to 21600 bytes (every answer and customer field at its cap of 200 characters); one WeCom message holds 2048: shorten the text or quote fewer fields',
    });
  });

  it('refuses a turn whose texts together need more messages than one reply may carry', () => {
    // Four message steps of three quoted answers each (1,800 bytes apiece), then the question.
    const quote = "'{{answers.reason_promoter}}{{answers.reason_promoter}}{{answers.reason_promoter}}'";
    const messages = ['m1', 'm2', 'm3', 'm4'].map((id) => `  - id: ${id}\n    kind: message\n    text: ${quote}\n`).join('');
    const problems = problemsOf(`${head}${reason}${messages}  - id: ask\n    kind: text\n    text: 还有吗？\n${end}`);
    expect(problems).toContainEqual(
      expect.objectContaining({
        stepId: 'reason_promoter',
        path: 'steps[0]',
        line: 6,
        message: expect.stringMatching(/^after an answer to "reason_promoter" the bot could say 72\d\d bytes \(settings\.texts\.skipped \+ "m1" \+ "m2" \+ "m3" \+ "m4" \+ "ask", .*\): 4 WeCom messages, more than the 3 one reply may carry/),
      }),
    );
  });

  it('accepts a question that quotes an answer twice and the shipped texts', () => {
    const text = '您提到“{{answers.reason_promoter}}”，还有“{{answers.reason_promoter|别的}}”吗？';
    expect(problemsOf(`${head}${reason}  - id: ask\n    kind: text\n    text: '${text}'\n${end}`)).toEqual([]);
  });
});
