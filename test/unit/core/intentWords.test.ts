import { describe, expect, it } from 'vitest';
import { isOnlyRequestWords } from '../../../src/core/intentWords.ts';

describe('isOnlyRequestWords', () => {
  it.each(['转人工', '人工', '不想答', '不想说了', '我要找客服！', '请帮我转人工吧', '拒绝回答'])('%s asks, it does not answer', (text) => {
    expect(isOnlyRequestWords(text)).toBe(true);
  });
  it.each(['等太久了，转人工', '效果还行吧', '经理态度很差', '2分，太差了，我要投诉', '好'])('%s says something', (text) => {
    expect(isOnlyRequestWords(text)).toBe(false);
  });
});
