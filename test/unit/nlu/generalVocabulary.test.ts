import { describe, expect, it } from 'vitest';
import type { SentimentLabel } from '../../../src/core/analysis.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';

// The general vocabulary and grammar of complaints and praise (issue 19): rows in words and trades
// that are in no dev set, so they check the general handling rather than remembered lines.
const rules = createRuleAnalyzer();
const NOW = new Date('2026-11-23T10:00:00+08:00');
const read = (text: string) => rules.read({ question: 'reason', text, now: NOW, timeZone: 'Asia/Shanghai' });
const sentimentOf = (text: string) => read(text).analysis.sentiment?.label ?? null;

describe('general evaluative vocabulary', () => {
  it.each<[string, SentimentLabel]>([
    ['店员凶巴巴的', 'negative'],
    ['师傅特别厚道', 'positive'],
    ['房间乱七八糟', 'negative'],
    ['做工粗制滥造', 'negative'],
    ['看完心塞', 'negative'],
    ['这家店真的巴适', 'positive'],
    ['味道一绝', 'positive'],
    ['柜员一问三不知', 'negative'],
    ['售后互相推诿', 'negative'],
    ['体验感拉胯', 'negative'],
    ['被宰了', 'negative'],
  ])('"%s" → %s', (text, label) => {
    expect(sentimentOf(text)).toBe(label);
  });

  it.each<[string, SentimentLabel]>([
    ['孩子一点也不紧张', 'positive'],
    ['走一天也不累', 'positive'],
    ['一点都不费劲', 'positive'],
    ['不够巴适', 'negative'],
  ])('a denial reverses a general word: "%s" → %s', (text, label) => {
    expect(sentimentOf(text)).toBe(label);
  });
});

describe('implicit complaints stated by their grammar', () => {
  it.each<[string, SentimentLabel]>([
    // A potential complement that fails.
    ['抽屉拉不开', 'negative'],
    ['车门锁不上', 'negative'],
    ['油渍怎么洗都洗不掉', 'negative'],
    // A promise or instruction the outcome contradicts.
    ['号称全网最低，到了才发现比超市还贵', 'negative'],
    ['交代了别放葱，结果还是放了', 'negative'],
    // A resolution to leave, a wait still running, nobody acting.
    ['这家的东西以后不会再点了', 'negative'],
    ['退款申请三周了还在审核', 'negative'],
    ['保安也不管', 'negative'],
    // Late, coerced, distracted, cheaper elsewhere.
    ['家具晚了八天才送到', 'negative'],
    ['不办会员就不给打折', 'negative'],
    ['收银员一直在跟同事聊天', 'negative'],
    ['同款隔壁才卖一半价钱', 'negative'],
  ])('"%s" → %s', (text, label) => {
    expect(sentimentOf(text)).toBe(label);
  });

  it('reverses praise inside an adversative passive: 被推荐 was pushed on the customer', () => {
    expect(sentimentOf('结账时被推荐了一张会员卡')).toBe('negative');
    expect(sentimentOf('被老师表扬了')).toBe('positive');
  });

  it.each(['是被同事介绍过来的', '被通知周五去拿', '被安排在靠窗的位置'])('does not read a neutral passive as a complaint: "%s"', (text) => {
    expect(sentimentOf(text)).not.toBe('negative');
  });

  it.each(['我走不开', '周末去不了', '孩子离不开'])('does not read a complement of going or staying as a failure: "%s"', (text) => {
    expect(sentimentOf(text)).not.toBe('negative');
  });

  it('reads a withdrawn intention to praise as a complaint', () => {
    expect(sentimentOf('本想给五星，想想还是算了')).toBe('negative');
  });
});

describe('implicit praise stated by its grammar', () => {
  it.each<[string, SentimentLabel]>([
    ['四十分钟师傅就上门修好了', 'positive'],
    ['上午下的单下午就送到了', 'positive'],
    ['英语从五十多分提到了八十分', 'positive'],
    ['朋友们都问我要链接', 'positive'],
    ['以后就认准这家了', 'positive'],
    ['下回还来这家', 'positive'],
    ['钱包忘在店里，老板特意打电话叫我回去拿', 'positive'],
  ])('"%s" → %s', (text, label) => {
    expect(sentimentOf(text)).toBe(label);
  });

  it('reads a defect cleaned away as praise, and one left as a complaint', () => {
    expect(sentimentOf('衣服上的污渍都洗掉了')).toBe('positive');
    expect(sentimentOf('洗了三遍都洗不掉')).toBe('negative');
    expect(sentimentOf('杯子没洗干净')).toBe('negative');
  });

  it('does not take a denied complaint noun as the start of a new statement: 毛病都没出过', () => {
    expect(sentimentOf('用了三年一次毛病都没出过')).toBe('positive');
    expect(sentimentOf('反映了也没有任何回复')).toBe('negative');
  });
});

describe('what the rules may settle', () => {
  it('leaves a reading resting on the general vocabulary unsettled (the LLM or a clarification decides)', () => {
    const r = read('店员凶巴巴的');
    expect(r.analysis.sentiment?.label).toBe('negative');
    expect(r.doubts.has('general')).toBe(true);
    expect(r.settled.has('sentiment')).toBe(false);
  });

  it('still settles a plain complaint in the tuned vocabulary', () => {
    const r = read('态度太差了');
    expect(r.settled.has('sentiment')).toBe(true);
  });
});
