import { describe, expect, it } from 'vitest';
import { compileFlow, FlowInvalidError, flowSchema, parseFlow, validateFlow } from '../../../src/engine/index.ts';
import type { FlowProblem } from '../../../src/engine/index.ts';

// Five header lines, so the first step starts on line 6.
const head = 'schemaVersion: 1\nid: t\nversion: 1\ntitle: T\nsteps:\n';
const end = '  - id: end\n    kind: end\n    text: 谢谢\n';

function problemsOf(yamlText: string, sourceName?: string): FlowProblem[] {
  const result = parseFlow(yamlText, sourceName);
  if (result.ok) throw new Error('expected problems, the flow parsed');
  return result.problems;
}

describe('parseFlow accepts a valid flow', () => {
  it('fills in defaults', () => {
    const result = parseFlow(`${head}  - id: q\n    kind: nps\n    text: 打分\n${end}`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flow.locale).toBe('zh-CN');
    expect(result.flow.settings).toMatchObject({ reminderAfterHours: 24, expireAfterHours: 72, maxReasks: 2 });
    expect(result.flow.settings.escalation).toEqual({ advisors: [], onDetractor: false, onUnreadable: false });
    expect(result.flow.settings.texts.escalated).toBe('好的，已为您转接同事，稍后会有专人联系您。');
    // Analytics applies its documented defaults when a flow names no segment thresholds.
    expect(result.flow.settings.segments).toBeUndefined();
  });

  it('fills in segment thresholds that are left out', () => {
    const result = parseFlow(`schemaVersion: 1\nid: t\nversion: 1\ntitle: T\nsettings:\n  segments:\n    loyal: { minIntent: 5 }\nsteps:\n  - id: q\n    kind: nps\n    text: 打分\n${end}`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flow.settings.segments).toEqual({
      loyal: { minIntent: 5 },
      atRisk: { maxIntent: 1, negativeReason: true, minConfidence: 0.9 },
      potential: { minIntent: 3 },
    });
  });
});

// [what is wrong, YAML, one expected problem (message as a pattern)]
const cases: Array<[string, string, { stepId?: string; path: string; message: RegExp; line?: number }]> = [
  [
    'a transition to an unknown step',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n    next: nowhere\n${end}`,
    { stepId: 'q', path: 'steps[0].next', message: /goes to unknown step "nowhere"/, line: 9 },
  ],
  [
    'a branch to an unknown step',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n    branch:\n      - when: { step: q, gte: 9 }\n        goto: fans\n    default: end\n${end}`,
    { stepId: 'q', path: 'steps[0].branch[0].goto', message: /unknown step "fans"/, line: 11 },
  ],
  [
    'an unreachable step',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n    next: end\n  - id: orphan\n    kind: message\n    text: 没人来\n${end}`,
    { stepId: 'orphan', path: 'steps[1]', message: /unreachable/, line: 10 },
  ],
  [
    'no path to an end (questions in a circle)',
    `${head}  - id: a\n    kind: nps\n    text: 打分\n  - id: b\n    kind: text\n    text: 为什么\n    next: a\n${end}`,
    { stepId: 'a', path: 'steps[0]', message: /no path from here to an end step/, line: 6 },
  ],
  [
    'message steps in a loop',
    `${head}  - id: a\n    kind: message\n    text: 一\n  - id: b\n    kind: message\n    text: 二\n    next: a\n${end}`,
    { stepId: 'b', path: 'steps[1].next', message: /loops back to "a" without asking anything/, line: 12 },
  ],
  [
    'a rating range with max not above min',
    `${head}  - id: r\n    kind: rating\n    text: 几分\n    min: 5\n    max: 3\n${end}`,
    { stepId: 'r', path: 'steps[0].max', message: /max \(3\) must be greater than min \(5\)/, line: 10 },
  ],
  [
    'a branch value outside the score range',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n    branch:\n      - when: { step: q, gte: 11 }\n        goto: end\n    default: end\n${end}`,
    { stepId: 'q', path: 'steps[0].branch[0].when.gte', message: /gte 11 is outside the 0–10 range of "q"/, line: 10 },
  ],
  [
    'an NPS group on a CSAT step',
    `${head}  - id: c\n    kind: csat\n    touchpoint: 服务\n    text: 满意吗\n    branch:\n      - when: { step: c, group: promoter }\n        goto: end\n    default: end\n${end}`,
    { stepId: 'c', path: 'steps[0].branch[0].when.group', message: /group only applies to nps steps/, line: 11 },
  ],
  [
    'an unknown option in a choice branch',
    `${head}  - id: c\n    kind: choice\n    text: 选一个\n    options: [{ id: a, label: A }, { id: b, label: B }]\n    branch:\n      - when: { step: c, in: [z] }\n        goto: end\n    default: end\n${end}`,
    { stepId: 'c', path: 'steps[0].branch[0].when.in', message: /"z" is not an option of "c"/, line: 11 },
  ],
  [
    'a branch on an answer not given yet',
    `${head}  - id: a\n    kind: nps\n    text: 打分\n    branch:\n      - when: { step: b, lte: 2 }\n        goto: end\n    default: b\n  - id: b\n    kind: csat\n    touchpoint: 服务\n    text: 满意吗\n${end}`,
    { stepId: 'a', path: 'steps[0].branch[0].when.step', message: /"b" is never answered before this step/, line: 10 },
  ],
  [
    'missing text',
    `${head}  - id: q\n    kind: nps\n${end}`,
    { stepId: 'q', path: 'steps[0].text', message: /is required/, line: 6 },
  ],
  [
    'empty text',
    `${head}  - id: q\n    kind: nps\n    text: '  '\n${end}`,
    { stepId: 'q', path: 'steps[0].text', message: /must not be empty/, line: 8 },
  ],
  [
    'duplicate step ids',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n  - id: q\n    kind: csat\n    touchpoint: 服务\n    text: 满意吗\n${end}`,
    { stepId: 'q', path: 'steps[1].id', message: /duplicate step id "q" \(first used at steps\[0\]\)/, line: 9 },
  ],
  [
    'an unknown step kind',
    `${head}  - id: s\n    kind: slider\n    text: 拖一下\n${end}`,
    { stepId: 's', path: 'steps[0].kind', message: /unknown step kind "slider"; use one of message, nps/, line: 7 },
  ],
  [
    'an unknown key (a typo)',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n    nxt: end\n${end}`,
    { stepId: 'q', path: 'steps[0].nxt', message: /unknown key "nxt"/, line: 9 },
  ],
  [
    'a step id that cannot be a menu id',
    `${head}  - id: q.1\n    kind: nps\n    text: 打分\n${end}`,
    { stepId: 'q.1', path: 'steps[0].id', message: /must start with a letter/, line: 6 },
  ],
  [
    'a branch without default',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n    branch:\n      - when: { step: q, gte: 9 }\n        goto: end\n${end}`,
    { stepId: 'q', path: 'steps[0].branch', message: /needs a default step/, line: 9 },
  ],
  [
    'a last step that is not an end',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n`,
    { stepId: 'q', path: 'steps[0]', message: /has no next step/, line: 6 },
  ],
  [
    'duplicate option ids',
    `${head}  - id: c\n    kind: choice\n    text: 选\n    options:\n      - { id: a, label: A }\n      - { id: a, label: B }\n${end}`,
    { stepId: 'c', path: 'steps[0].options[1].id', message: /duplicate option id "a"/, line: 11 },
  ],
  [
    'an unknown template field',
    `${head}  - id: q\n    kind: nps\n    text: '{{brand}}打分'\n${end}`,
    { stepId: 'q', path: 'steps[0].text', message: /unknown template field "\{\{brand\}\}"; define it under variables/, line: 8 },
  ],
  [
    'a template reading a step that has no answer',
    `${head}  - id: q\n    kind: nps\n    text: 打分\n  - id: end\n    kind: end\n    text: '{{answers.end}}'\n`,
    { stepId: 'end', path: 'steps[1].text', message: /does not name a question step/, line: 11 },
  ],
  [
    'an unclosed placeholder',
    `${head}  - id: q\n    kind: nps\n    text: '{{customer.nickname 打分'\n${end}`,
    { stepId: 'q', path: 'steps[0].text', message: /without a matching/, line: 8 },
  ],
  [
    'a reminder that fires after expiry',
    `schemaVersion: 1\nid: t\nversion: 1\ntitle: T\nsettings:\n  reminderAfterHours: 80\nsteps:\n${end}`,
    { path: 'settings.reminderAfterHours', message: /must be less than expireAfterHours/, line: 6 },
  ],
  [
    'segments naming a step that is not an NPS question',
    `schemaVersion: 1\nid: t\nversion: 1\ntitle: T\nsettings:\n  segments:\n    npsStep: why\nsteps:\n  - id: why\n    kind: text\n    text: 为什么\n${end}`,
    { path: 'settings.segments.npsStep', message: /must name a nps step; "why" is text/, line: 7 },
  ],
  [
    'segments naming an unknown intent step',
    `schemaVersion: 1\nid: t\nversion: 1\ntitle: T\nsettings:\n  segments:\n    intentStep: gone\nsteps:\n${end}`,
    { path: 'settings.segments.intentStep', message: /unknown step "gone"/, line: 7 },
  ],
  [
    'a segment threshold outside the 0–5 intent scale',
    `schemaVersion: 1\nid: t\nversion: 1\ntitle: T\nsettings:\n  segments:\n    loyal: { minIntent: 7 }\nsteps:\n${end}`,
    { path: 'settings.segments.loyal.minIntent', message: /./, line: 7 },
  ],
  [
    'another schema version',
    `schemaVersion: 2\nid: t\nversion: 1\ntitle: T\nsteps:\n${end}`,
    { path: 'schemaVersion', message: /schemaVersion must be 1/, line: 1 },
  ],
  [
    'bad YAML',
    `${head}  - id: q\n    kind: nps\n   text: [打分\n${end}`,
    { path: '', message: /./, line: 8 },
  ],
];

describe('parseFlow reports each problem with step id, path and line', () => {
  it.each(cases)('%s', (_what, yamlText, expected) => {
    const problems = problemsOf(yamlText);
    const { message, ...where } = expected;
    const match = problems.find((p) => message.test(p.message));
    expect(match, JSON.stringify(problems, null, 2)).toMatchObject(where);
    expect(match?.stepId).toBe(where.stepId);
  });

  it('reports every problem of a file at once, in line order', () => {
    const problems = problemsOf(
      `${head}  - id: q\n    kind: nps\n    text: '{{nope}}'\n    next: missing\n  - id: q\n    kind: text\n    text: 为什么\n${end}`,
    );
    expect(problems.map((p) => p.path)).toEqual(['steps[0].text', 'steps[0].next', 'steps[1].id', 'steps[2]']);
    expect(problems.map((p) => p.line)).toEqual([8, 9, 10, 13]);
  });

  it('reports a broken chain once: only the step with the bad target, not every step before it', () => {
    const problems = problemsOf(`${head}  - id: a\n    kind: nps\n    text: 打分\n  - id: b\n    kind: text\n    text: 为什么\n    next: gone\n${end}`);
    expect(problems.map((p) => p.message)).toEqual(['goes to unknown step "gone"', 'is unreachable: no step leads here']);
  });

  it('checks that a .yaml source is named after the flow id', () => {
    const yamlText = `${head}${end}`;
    expect(parseFlow(yamlText, 'flows/t.yaml').ok).toBe(true);
    expect(problemsOf(yamlText, 'flows/other.yaml')).toEqual([
      { path: 'id', message: 'file is named "other" but the flow id is "t"; name it t.yaml', line: 2 },
    ]);
  });
});

describe('compileFlow', () => {
  it('refuses an invalid flow with FLOW_INVALID listing the problems', () => {
    const flow = flowSchema.parse({
      schemaVersion: 1,
      id: 'x',
      version: 1,
      title: 'x',
      steps: [{ id: 'q', kind: 'nps', text: '打分', next: 'gone' }, { id: 'end', kind: 'end', text: '谢谢' }],
    });
    expect(validateFlow(flow)).toContainEqual({ stepId: 'q', path: 'steps[0].next', message: 'goes to unknown step "gone"' });
    try {
      compileFlow(flow);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FlowInvalidError);
      expect(error).toMatchObject({ code: 'FLOW_INVALID', status: 400 });
      expect((error as FlowInvalidError).problems).toContainEqual(expect.objectContaining({ path: 'steps[0].next' }));
      expect((error as FlowInvalidError).message).toMatch(/steps\[0\]\.next \[q\]: goes to unknown step "gone"/);
    }
  });
});

describe('low-score acknowledgements', () => {
  const csat = (low: string) => `${head}  - id: q\n    kind: csat\n    touchpoint: 服务\n    text: 满意吗\n    lowScoreAck: ${low}\n${end}`;

  it('must mark a score inside the scale, below its top', () => {
    expect(problemsOf(csat('{ lte: 5, text: 抱歉 }'))).toEqual([
      expect.objectContaining({ stepId: 'q', path: 'steps[0].lowScoreAck.lte', line: 10, message: 'lte 5 must be at least 1 and below the top score 5, or every answer (or none) would get it' }),
    ]);
    expect(problemsOf(csat('{ lte: 0, text: 抱歉 }'))[0]?.path).toBe('steps[0].lowScoreAck.lte');
    expect(parseFlow(csat('{ lte: 2, text: 抱歉 }')).ok).toBe(true);
  });

  it('checks its template fields, and applies to score steps only', () => {
    expect(problemsOf(csat('{ lte: 2, text: "抱歉{{nope}}" }'))).toEqual([expect.objectContaining({ path: 'steps[0].lowScoreAck.text', message: expect.stringContaining('unknown template field "{{nope}}"') })]);
    const onText = `${head}  - id: q\n    kind: text\n    text: 说说\n    lowScoreAck: { lte: 2, text: 抱歉 }\n${end}`;
    expect(problemsOf(onText)).toEqual([expect.objectContaining({ path: 'steps[0].lowScoreAck', message: 'unknown key "lowScoreAck"' })]);
  });
});

describe('parseFlow on hostile YAML', () => {
  it('reports aliases that expand too far (billion laughs) as a problem instead of throwing', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of [...'bcdefghi'].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`);
    expect(problemsOf(levels.join('\n'))).toEqual([{ path: '', message: "the YAML's aliases (*name) expand too far; write the repeated parts out instead" }]);
  });

  it('reports an alias to no anchor as a problem', () => {
    expect(problemsOf(`${head}  - id: q\n    kind: nps\n    text: *nowhere\n${end}`)).toEqual([{ path: '', message: expect.stringContaining('nowhere') }]);
  });
});
