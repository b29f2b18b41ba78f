import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../../src/nlu/rules/normalizeText.ts';
import { parseScaleReply } from '../../../src/nlu/rules/parseScaleReply.ts';

const NPS = { min: 0, max: 10 };
const CSAT = { min: 1, max: 5 };

function score(text: string, range = NPS): number | null {
  const r = parseScaleReply(normalizeText(text), range);
  return r.status === 'score' ? r.score : null;
}

describe('parseScaleReply on a 0–10 scale', () => {
  it.each([
    ['9', 9],
    ['０', 0],
    ['１０分', 10],
    ['7分', 7],
    ['七分', 7],
    ['七分吧', 7],
    ['就七分', 7],
    ['打个九分', 9],
    ['我给你们打8分', 8],
    ['评分：6', 6],
    ['6 服务还行', 6],
    ['两分', 2],
    ['十', 10],
    ['十分', 10],
    ['十分吧', 10],
    ['给十分！', 10],
    ['满分', 10],
    ['必须满分啊', 10],
    ['一百分', 10],
    ['给90分', 9],
    ['零分', 0],
    ['0分', 0],
    ['给个零蛋', 0],
    ['鸭蛋', 0],
    ['负分', 0],
    ['一分都不想给', 0],
    ['10分满分我给9分', 9],
    ['满分十分的话给七分', 7],
    ['十分制打六分', 6],
    ['8/10', 8],
    ['10分满分！', 10],
    ['7到8分', 7],
    ['7-8分', 7],
    ['七八分', 7],
    ['八九分吧', 8],
    ['九十分', 9],
    ['8.5分', 8],
    ['五分吧，服务一般', 5],
    ['本来想给8分，算了给6分', 6],
    ['8分，不对，应该是9分', 9],
    ['我给5分，因为等了30分钟', 5],
    ['3星期后再来吧，这次8分', 8],
    ['打九分，扣一分是因为停车不方便', 9],
    ['至少7分', 7],
    ['七点五分', 7],
    ['差不多8分', 8],
  ])('%s → %s', (text, expected) => {
    expect(score(text)).toBe(expected);
  });

  it.each([
    '十分满意',
    '十分的满意',
    '百分百推荐',
    '一般',
    '一定会推荐',
    '等了30分钟',
    '3月再来',
    '下个月15号再说',
    '来了3次了',
    '花了200块',
    '满分是10分吗？',
    '可以打10分吗',
    '打几分？',
    '离满分还差一点',
    '好',
    '还是一样',
    '第3次来了',
    '两个星期前来过',
  ])('%s has no score', (text) => {
    expect(score(text)).toBeNull();
  });

  it('reports a number outside the range instead of clamping it', () => {
    expect(parseScaleReply('15', NPS)).toMatchObject({ status: 'out_of_range', value: 15 });
    expect(parseScaleReply('10', CSAT)).toMatchObject({ status: 'out_of_range', value: 10 });
    expect(parseScaleReply('零分', CSAT)).toMatchObject({ status: 'out_of_range', value: 0 });
  });

  it('flags several different numbers as ambiguous', () => {
    expect(parseScaleReply('服务9分，环境7分', NPS)).toMatchObject({ status: 'score', score: 7, ambiguous: true });
    expect(parseScaleReply('8分', NPS)).toMatchObject({ status: 'score', score: 8, ambiguous: false });
  });
});

describe('parseScaleReply on a 1–5 scale', () => {
  it.each([
    ['5', 5],
    ['2星', 2],
    ['两星', 2],
    ['五颗星', 5],
    ['三颗星吧', 3],
    ['★★★★', 4],
    ['⭐⭐⭐⭐⭐', 5],
    ['满分', 5],
    ['一颗星都不想给', 1],
    ['四五分', 4],
    ['5星好评', 5],
  ])('%s → %s', (text, expected) => {
    expect(score(text, CSAT)).toBe(expected);
  });
});
