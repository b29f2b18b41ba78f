import { describe, expect, it } from 'vitest';
import { analyzeSentiment } from '../../../src/nlu/rules/analyzeSentiment.ts';
import { normalizeText } from '../../../src/nlu/rules/normalizeText.ts';

const label = (text: string) => analyzeSentiment(normalizeText(text)).label;

describe('analyzeSentiment', () => {
  it.each([
    // plain and intensified
    ['满意', 'positive'],
    ['非常满意', 'positive'],
    ['超级棒', 'positive'],
    ['好极了', 'positive'],
    ['服务很到位', 'positive'],
    ['性价比很高', 'positive'],
    ['物美价廉', 'positive'],
    ['👍👍', 'positive'],
    ['good', 'positive'],
    ['very nice', 'positive'],
    ['差', 'negative'],
    ['太贵了', 'negative'],
    ['好贵啊', 'negative'],
    ['贵得离谱', 'negative'],
    ['等了好久', 'negative'],
    ['垃圾', 'negative'],
    ['bad', 'negative'],
    // negation
    ['不满意', 'negative'],
    ['不太满意', 'negative'],
    ['不是很满意', 'negative'],
    ['一点都不好', 'negative'],
    ['不专业', 'negative'],
    ['没效果', 'negative'],
    ['没什么效果', 'negative'],
    ['效果不明显', 'negative'],
    ['不推荐', 'negative'],
    ['没有想象中好', 'negative'],
    ['not good', 'negative'],
    ['不差', 'positive'],
    ['不贵', 'positive'],
    ['一点也不贵', 'positive'],
    ['没什么不满意的', 'positive'],
    ['没毛病', 'positive'],
    ['挑不出毛病', 'positive'],
    ['一点问题都没有', 'positive'],
    ['没问题', 'positive'],
    ['不会让人失望', 'positive'],
    // middling
    ['一般', 'neutral'],
    ['一般般吧', 'neutral'],
    ['还行', 'neutral'],
    ['中规中矩', 'neutral'],
    ['马马虎虎', 'neutral'],
    ['没什么特别的', 'neutral'],
    ['不好不坏', 'neutral'],
    ['没什么好说的', 'neutral'],
    ['人太多了', 'negative'],
    ['价格偏高', 'negative'],
    ['价格不高', 'positive'],
    ['效率很低', 'negative'],
    ['服务不错，就是有点贵', 'neutral'],
    // contrast: the clause after 但是 carries more weight
    ['环境还行，但是技师太不专业了', 'negative'],
    ['价格有点贵，不过效果非常好', 'positive'],
  ])('%s → %s', (text, expected) => {
    expect(label(text)).toBe(expected);
  });

  it.each(['就是来做个护理', '说不好', '好像是周三来的', '差不多吧', '快递到了'])('%s carries no sentiment', (text) => {
    expect(label(text)).toBeNull();
  });

  it('orders strengths: 非常不满意 < 不满意 < 不太满意 < 一般 < 满意 < 非常满意', () => {
    const v = (t: string) => analyzeSentiment(t).valence;
    const ordered = ['非常不满意', '不满意', '不太满意', '一般', '满意', '非常满意'].map(v);
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
    expect(new Set(ordered).size).toBe(ordered.length);
  });

  it('does not count thanks as a rating', () => {
    const r = analyzeSentiment('谢谢');
    expect(r.label).toBe('positive');
    expect(r.ratingEvidence).toBe(0);
  });
});
