import { describe, expect, it } from 'vitest';
import type { EscalationRecord } from '../../../src/core/escalations.ts';
import type { SessionWithTranscript } from '../../../src/core/sessions.ts';
import { advisorIdOf, generateAdvisorToken, hashAdvisorToken, tokenMatches } from '../../../src/escalation/advisorTokens.ts';
import { cutBytes, inertMarkdown, mergeSections, renderEscalationSection } from '../../../src/escalation/notificationMarkdown.ts';
import { readSessionFacts, ruleSummary } from '../../../src/escalation/summarizeSession.ts';

const at = new Date('2026-05-01T10:00:00Z');

function escalation(overrides: Partial<EscalationRecord> = {}): EscalationRecord {
  return {
    id: '0123456789abcdef01234567',
    sessionId: 's1',
    conversation: { channel: 'wecom-kf', accountId: 'wk1', customerId: 'wm_1' },
    conversationKey: 'wecom-kf:wk1:wm_1',
    flowId: 'nps-default',
    trigger: 'detractor',
    reason: 'NPS 3 分（贬损者）',
    customerWords: '3 / 等太久了',
    summary: ['NPS 3 分；已答 2 题', '情绪负面；顾客共发 3 条消息'],
    nickname: '王女士',
    score: 3,
    status: 'assigned',
    handover: 'person',
    advisors: ['advisor1'],
    servicerId: 'advisor1',
    createdAt: at,
    updatedAt: at,
    handedOverAt: at,
    notifiedRounds: 0,
    actions: [],
    ...overrides,
  };
}

describe('advisor notification markdown', () => {
  it('renders nickname, score, reason, the customer’s words, two summary lines, the servicer and the console link', () => {
    const text = renderEscalationSection({ escalation: escalation(), consoleUrl: 'https://hf.example/console#/escalations/x', round: 1, now: at });
    expect(text).toContain('**王女士**');
    expect(text).toContain('<font color="warning">3 分</font>');
    expect(text).toContain('NPS 3 分（贬损者）');
    expect(text).toContain('「3 / 等太久了」');
    expect(text.match(/^> 摘要：/gm)).toHaveLength(2);
    expect(text).toContain('<@advisor1>');
    expect(text).toContain('[打开顾问控制台](https://hf.example/console#/escalations/x)');
  });

  it('says how long the customer waited on reminders', () => {
    const text = renderEscalationSection({ escalation: escalation(), consoleUrl: 'u', round: 2, now: new Date(at.getTime() + 17 * 60_000) });
    expect(text).toMatch(/仍未回复（已等待 17 分钟）/);
  });

  it('keeps customer text from becoming links, mentions or headings', () => {
    const evil = '[点我](http://evil.example) <@all> # 标题\n**粗**';
    const text = renderEscalationSection({ escalation: escalation({ customerWords: evil, nickname: '<@all>' }), consoleUrl: 'u', round: 1, now: at });
    expect(text).not.toContain('](http://evil');
    expect(text).not.toMatch(/<@all>/);
    expect(inertMarkdown(evil)).toBe('［点我］（http://evil.example） ＜@all＞ ＃ 标题 ＊＊粗＊＊');
  });

  it('merges whole sections under the byte limit and never returns nothing', () => {
    const sections = Array.from({ length: 10 }, (_, i) => `section ${i} ${'字'.repeat(300)}`);
    const merged = mergeSections(sections, 4000);
    expect(merged.used).toBeGreaterThan(1);
    expect(merged.used).toBeLessThan(10);
    expect(merged.content).toMatch(new RegExp(`^\\*\\*${merged.used} 条转人工待处理\\*\\*`));
    expect(Buffer.byteLength(merged.content)).toBeLessThanOrEqual(4000);
    const huge = mergeSections(['字'.repeat(3000)], 4000);
    expect(huge.used).toBe(1);
    expect(Buffer.byteLength(huge.content)).toBeLessThanOrEqual(4000);
    expect(cutBytes('中文字', 7)).toBe('中…');
    expect(cutBytes('中文字', 9)).toBe('中文字');
  });
});

describe('session facts and the rule summary', () => {
  it('reads the NPS score, CSATs, mood, topics and the latest customer words', () => {
    const session = {
      answers: {
        nps: { kind: 'nps', value: 4, raw: '4分' },
        csat_booking: { kind: 'csat', value: 2, raw: '2', touchpoint: '预约流程' },
      },
      analysis: { reason_detractor: { sentiment: { label: 'negative', confidence: 0.9 }, topics: ['等待时间'] } },
      transcript: [
        { direction: 'in', author: 'customer', text: '4分', at },
        { direction: 'out', author: 'bot', text: '很抱歉…', at },
        { direction: 'in', author: 'customer', text: '等了很久', at },
      ],
    } as unknown as SessionWithTranscript;
    const facts = readSessionFacts(session, session.transcript);
    expect(facts.score).toBe(4);
    expect(facts.customerWords).toBe('4分 / 等了很久');
    expect(ruleSummary(session.transcript, facts)).toEqual(['NPS 4 分；预约流程 2/5；已答 2 题', '情绪负面；关注：等待时间；顾客共发 2 条消息']);
    expect(facts.lines).toEqual(['顾客：4分', '机器人：很抱歉…', '顾客：等了很久']);
  });
});

describe('advisor tokens', () => {
  it('name the advisor, are stored hashed and compare in constant time', () => {
    const token = generateAdvisorToken('wang');
    expect(advisorIdOf(token)).toBe('wang');
    expect(advisorIdOf('hfa.Wang.x')).toBeNull();
    expect(tokenMatches(token, hashAdvisorToken(token))).toBe(true);
    expect(tokenMatches(`${token}x`, hashAdvisorToken(token))).toBe(false);
    expect(hashAdvisorToken(token)).not.toContain(token);
  });
});
