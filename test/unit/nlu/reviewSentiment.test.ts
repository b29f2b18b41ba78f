import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SentimentLabel } from '../../../src/core/analysis.ts';
import { evaluate, parseEvalLines } from '../../../src/nlu/evaluate.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';

// Review lines in trades and wordings outside the dev sets, by the kind of evidence they carry.
// None is a line of test/nlu/**: they check the lexicon's kinds, not remembered sentences.
const rules = createRuleAnalyzer();
const NOW = new Date('2026-11-23T10:00:00+08:00');
const read = (text: string) => rules.read({ question: 'reason', text, now: NOW, timeZone: 'Asia/Shanghai' });
const sentimentOf = (text: string) => read(text).analysis.sentiment?.label ?? null;

describe('review sentiment by kind of evidence', () => {
  it.each<[string, SentimentLabel]>([
    // evaluative adjectives of stays, devices, books, and their opposites
    ['房间设施陈旧，卫生间很潮湿', 'negative'],
    ['内容空洞，翻来覆去就那几句', 'negative'],
    ['机身笨重，屏幕还反光', 'negative'],
    ['情节引人入胜，文笔优美', 'positive'],
    ['机身轻薄，出差带着很便携', 'positive'],
    // 大/小 after an attribute
    ['噪音很小', 'positive'],
    ['发热量太大', 'negative'],
    ['房间面积小', 'negative'],
    ['内存大，开十几个软件都行', 'positive'],
    // failure results and their denial
    ['打印机三天两头卡纸，还漏墨', 'negative'],
    ['用着用着就蓝屏', 'negative'],
    ['一路颠簸，瓶子一点没洒', 'positive'],
    ['玩大型游戏也不卡', 'positive'],
    // set verdicts and praise morphemes
    ['差强人意吧，对不起这个价', 'negative'],
    ['名副其实，真香', 'positive'],
    ['不建议购买', 'negative'],
    ['非正规渠道的货', 'negative'],
    // claims and worries answered by the rest of the reply
    ['宣传的是全景天窗，实际就一个小窗', 'negative'],
    ['原以为会很难学，结果一周就上手了', 'positive'],
    // a hard turn outweighs what came before; a soft one only adds a reservation
    ['外观不错，但是用了一周就充不上电', 'negative'],
    ['服务很好，就是有点贵', 'positive'],
    // events: money kept, repairs that never came, care beyond the job, a stated return
    ['退房时定金被扣了两百', 'negative'],
    ['报修半个月了都没人来修', 'negative'],
    ['装好后才说要另加配件钱，之前也没说', 'negative'],
    ['同样的价钱完全能买到更好的', 'negative'],
    ['导游还给我们每人准备了矿泉水', 'positive'],
    ['周末晚上老师还在帮孩子改作文', 'positive'],
    ['押金当天全额退了', 'positive'],
    ['下回还会选择这家', 'positive'],
  ])('%s → %s', (text, want) => {
    expect(sentimentOf(text)).toBe(want);
  });

  it('does not take a card or a time for a verdict', () => {
    expect(read('这个卡能退吗？').analysis.intent).not.toBe('answer');
    expect(sentimentOf('价格大概两百')).not.toBe('negative');
    expect(sentimentOf('帮我把垃圾带走了')).toBe('positive');
  });

  it('does not settle a complaint that the rest of the reply answers', () => {
    const reading = read('热水器坏了，物业当天就来修好了');
    expect(reading.settled.has('sentiment')).toBe(false);
    expect(reading.analysis.sentiment?.label).not.toBe('negative');
  });
});

// fresh-a was written before the rules were tuned on it (its first, never-seen score: negative
// 0.62, positive 0.55); it guards the generalisation from sliding back. fresh-b stays out of tests.
describe('fresh review set A', () => {
  it('reads each polarity right ≥ 75%, ≥ 90% of polar labels right, settled ≥ 99%', async () => {
    const file = fileURLToPath(new URL('../../nlu/holdout/fresh-a.jsonl', import.meta.url));
    const lines = parseEvalLines(readFileSync(file, 'utf8'), 'fresh-a.jsonl');
    const summary = await evaluate(lines, { rules, analyzer: rules, now: NOW, timeZone: 'Asia/Shanghai' });
    for (const label of ['positive', 'negative']) {
      const t = summary.sentimentRecall[label];
      expect(t && t.right / t.total, label).toBeGreaterThanOrEqual(0.75);
    }
    expect(summary.polarPrecision.right / summary.polarPrecision.total).toBeGreaterThanOrEqual(0.9);
    if (summary.settled.total > 0) expect(summary.settled.right / summary.settled.total).toBeGreaterThanOrEqual(0.99);
  });
});
