import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../../src/nlu/createAnalyzer.ts';
import { readWechatFaces, withWechatFaces } from '../../../src/nlu/wechatFaces.ts';
import { createLogger } from '../../../src/core/logger.ts';

const analyzer = withWechatFaces(createAnalyzer({ config: {}, logger: createLogger({ level: 'silent' }), mode: 'rules' }));
const NOW = new Date('2026-12-07T12:00:00Z');
const read = (question: 'nps' | 'reason', text: string) => analyzer.analyze({ question, text, now: NOW, timeZone: 'Asia/Shanghai', ...(question === 'nps' ? { range: { min: 0, max: 10 } } : {}) });

describe('WeChat faces count for sentiment where their meaning is clear', () => {
  it.each([
    ['[发怒][发怒]', 'negative'],
    ['[流泪]', 'negative'],
    ['[弱]', 'negative'],
    ['[心碎] 等了一个小时', 'negative'],
    ['[玫瑰][玫瑰]', 'positive'],
    ['[鼓掌]', 'positive'],
    ['[强]', 'positive'],
  ])('%s reads as %s', async (text, label) => {
    expect((await read('reason', text)).sentiment?.label).toBe(label);
  });

  it('keeps the score of a scored reply with a face', async () => {
    const analysis = await read('nps', '9分[强]');
    expect(analysis.score).toBe(9);
    expect(analysis.sentiment?.label).toBe('positive');
  });

  it('leaves ambiguous and unknown codes as text', () => {
    expect(readWechatFaces('[微笑] 好吧')).toBe('[微笑] 好吧');
    expect(readWechatFaces('[捂脸][不存在]')).toBe('[捂脸][不存在]');
    expect(readWechatFaces('[强][发怒]')).toBe('👍😡');
  });
});
