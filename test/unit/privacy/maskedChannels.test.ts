import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { parseFlow } from '../../../src/engine/index.ts';
import { alertText } from '../../../src/escalation/notificationMarkdown.ts';
import { messageBody } from '../../../src/followup/webhooks/payloads.ts';

const at = new Date('2026-12-01T02:00:00Z');
const data = { customer: { id: 'wm_1', nickname: '王女士 13812345678' }, answers: [{ stepId: 'reason', raw: '卡号 6222 0212 3456 7890 128 退款', value: null }] };

describe('webhook payloads', () => {
  it('mask personal numbers by default and keep everything else', () => {
    const body = JSON.parse(messageBody('survey.completed', at, data)) as { data: typeof data; timestamp: string };
    expect(body.data.customer).toEqual({ id: 'wm_1', nickname: '王女士 138****5678' });
    expect(body.data.answers[0]).toEqual({ stepId: 'reason', raw: '卡号 6222***********0128 退款', value: null });
    expect(body.timestamp).toBe('2026-12-01T02:00:00.000Z');
  });

  it('carry the full text when the operator chose WEBHOOK_PII=full', () => {
    expect(JSON.parse(messageBody('survey.completed', at, data, 'full')).data).toEqual(data);
    expect(loadConfig({ WEBHOOK_PII: 'full' }).webhooks.pii).toBe('full');
    expect(loadConfig({}).webhooks.pii).toBe('masked');
    expect(() => loadConfig({ WEBHOOK_PII: 'yes' })).toThrow(/WEBHOOK_PII/);
  });
});

describe('advisor alerts', () => {
  it('mask before cutting, so a cut never leaves digits of a number behind', () => {
    // Cut inside the number: unmasked first, "1381234…" would remain.
    expect(alertText('请回电13812345678', 8)).not.toMatch(/\d{5}/);
    expect(alertText('邮箱 li@qq.com，电话 (021)61234567', 60)).toBe('邮箱 l＊＊＊@qq.com，电话 021-＊＊＊＊4567');
  });
});

describe('flow privacy setting', () => {
  const flow = (extra: string) =>
    parseFlow(`schemaVersion: 1\nid: p\nversion: 1\ntitle: t\n${extra}steps:\n  - id: done\n    kind: end\n    text: 谢谢\n`);

  it('defaults to masked text for the LLM and accepts llmFullText', () => {
    const plain = flow('');
    const full = flow('privacy:\n  llmFullText: true\n');
    expect(plain.ok && plain.flow.privacy).toEqual({ llmFullText: false });
    expect(full.ok && full.flow.privacy).toEqual({ llmFullText: true });
    expect(flow('privacy:\n  llmFulltext: true\n').ok).toBe(false);
  });
});
