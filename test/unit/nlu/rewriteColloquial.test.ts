import { describe, expect, it } from 'vitest';
import { rewriteColloquial } from '../../../src/nlu/rules/rewriteColloquial.ts';

describe('rewriteColloquial', () => {
  it.each<[string, string]>([
    ['唔会再嚟', '不会再来'],
    ['冇问题', '没问题'],
    ['佢哋啲嘢好难食', '他们些东西好难吃'],
    ['巴适得板', '非常舒服'],
    ['莫得啥子', '没有什么'],
    ['老好了', '非常好'],
    ['嘎嘎好', '非常好'],
    ['not bad', '不错'],
    ['so-so', '一般'],
    ['in 3 weeks', '3周后'],
    ['in a month', '1个月后'],
    ['maybe next month', '可能 下个月'],
  ])('"%s" → "%s"', (from, to) => {
    expect(rewriteColloquial(from).text).toBe(to);
    expect(rewriteColloquial(from).mapped).toBe(true);
  });

  it.each<[string, string]>([
    ['久分', '九分'],
    ['给个巴分', '给个八分'],
    ['打流分吧', '打六分吧'],
    ['8芬', '8分'],
  ])('reads the number typo "%s" as "%s" and says so', (from, to) => {
    expect(rewriteColloquial(from)).toEqual({ text: to, typo: true, mapped: false });
  });

  it.each([['嗯那个就是，怎么说呢，挺好的', '挺好的'], ['呃 就是 那个 8分', '8分'], ['那个那个九分', '九分']])('drops the fillers of "%s"', (from, to) => {
    expect(rewriteColloquial(from).text).toBe(to);
  });

  it.each(['服务好，就是有点贵', '这个价格合理', '系统很好用', '巴士起分钟', '恰如其分', '起来了', 'goodbye', '一切好正常', '用的都是好食材', '想要得到优惠', '以后日子还长', '分量满份'])('leaves "%s" as it is', (text) => {
    expect(rewriteColloquial(text)).toEqual({ text, typo: false, mapped: false });
  });
});
