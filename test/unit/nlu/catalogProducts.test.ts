import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnalysisRequest, CatalogItem, QuestionKind } from '../../../src/core/analysis.ts';
import { parseFlow } from '../../../src/engine/index.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';
import { extractFactors } from '../../../src/nlu/rules/extractFactors.ts';
import { matchCatalog, withinOneEdit } from '../../../src/nlu/rules/matchCatalog.ts';
import { normalizeText } from '../../../src/nlu/rules/normalizeText.ts';

const NOW = new Date('2026-11-23T10:00:00+08:00');
const rules = createRuleAnalyzer();

/** The catalogue a shipped flow carries, read as the service reads it. */
function catalogOf(file: string): CatalogItem[] {
  const result = parseFlow(readFileSync(`flows/${file}`, 'utf8'), file);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.flow.catalog;
}
const beauty = catalogOf('nps-default.yaml');
const car = catalogOf('car-after-sales.yaml');

function read(question: QuestionKind, text: string, catalog: CatalogItem[], extra: Partial<AnalysisRequest> = {}) {
  return rules.read({ question, text, catalog, now: NOW, timeZone: 'Asia/Shanghai', ...extra }).analysis;
}

// [reply to "您对哪些项目或产品比较感兴趣？", product ids in order, open interest]
type Case = [text: string, products: string[], openInterest: boolean];

describe('products from the beauty clinic catalogue (nps-default)', () => {
  it.each<Case>([
    // names and synonyms
    ['热玛吉', ['thermage'], false],
    ['想试试你们的热玛吉和水光针', ['thermage', 'hydra'], false],
    ['想做个脸，顺便问问光子嫩肤', ['facial', 'ipl'], false],
    ['皮秒激光祛斑', ['picosecond'], false],
    ['瘦脸针', ['botox'], false],
    // the longest name wins where two overlap: 水光针, not 水光 plus a stray 针
    ['水光针', ['hydra'], false],
    ['背部护理和精油SPA', ['body'], false],
    // full-width, traditional characters, English names in any case
    ['熱瑪吉', ['thermage'], false],
    ['水光針跟光子嫩膚', ['hydra', 'ipl'], false],
    ['ＴＨＥＲＭＡＧＥ', ['thermage'], false],
    ['想做thermage和Botox', ['thermage', 'botox'], false],
    ['IPL', ['ipl'], false],
    // typos: 热玛奇 is a listed synonym; four characters and more, one wrong character
    ['热玛奇', ['thermage'], false],
    ['想做个面部护里', ['facial'], false],
    ['themage吧', ['thermage'], false],
    ['ultherpy', ['ultherapy'], false],
    // negation: an item turned down does not count
    ['不考虑热玛吉了，想做水光', ['hydra'], false],
    ['不考虑热玛吉了想做水光', ['hydra'], false],
    ['对热玛吉没兴趣，想做光子', ['ipl'], false],
    ['热玛吉就算了，超声刀可以', ['ultherapy'], false],
    ['热玛吉和超声刀都不考虑了', [], false],
    ['不想做热玛吉和超声刀，水光倒是可以', ['hydra'], false],
    ['想做水光不想做热玛吉', ['hydra'], false],
    // …but these name it: never done it, not expensive, not only
    ['没做过热玛吉，想试试', ['thermage'], false],
    ['热玛吉不贵的话想做', ['thermage'], false],
    ['不只是热玛吉，超声刀也想了解', ['thermage', 'ultherapy'], false],
    // an item mentioned twice counts once, in first-mention order
    ['水光，热玛吉，还是水光', ['hydra', 'thermage'], false],
    // open interest
    ['都行', [], true],
    ['都想试试', [], true],
    ['都可以了解一下', [], true],
    ['你们的项目都挺感兴趣的', [], true],
    ['热玛吉和水光都想试试', ['thermage', 'hydra'], false],
    ['除了热玛吉都行', [], true],
    // nothing named, nothing invented
    ['暂时没有', [], false],
    ['超声波洁牙', [], false],
    ['头发毛躁怎么办', [], false],
    ['想做个头部护理', [], false],
    ['想买个面膜', [], false],
  ])('"%s" → %j (open: %s)', (text, products, openInterest) => {
    const a = read('text', text, beauty);
    expect(a.products).toEqual(products);
    expect(a.openInterest).toBe(openInterest);
  });

  it('turning an item down is not an opt-out from the survey', () => {
    for (const text of ['不想做热玛吉了', '对热玛吉不感兴趣', '热玛吉没兴趣']) {
      expect(read('text', text, beauty)).toMatchObject({ intent: 'answer', products: [] });
    }
    // Without an item it still is, as before.
    expect(read('text', '没兴趣', beauty).intent).toBe('opt_out');
  });

  it('answers the products question with "都行" instead of re-asking it as filler', () => {
    expect(read('text', '都行', beauty).intent).toBe('answer');
    expect(read('text', '都行', []).intent).toBe('unclear');
  });

  it('reads products in the reason, timing and repurchase answers too', () => {
    expect(read('reason', '热玛吉做完效果很明显', beauty)).toMatchObject({ products: ['thermage'], factors: ['effect'] });
    expect(read('timing', '下个月想做水光', beauty)).toMatchObject({ products: ['hydra'], timing: { bucket: 'within_1_month' } });
    expect(read('repurchase', '会的，下次还做热玛吉', beauty)).toMatchObject({ score: 5, products: ['thermage'] });
  });

  it('a bare "都行" is open interest only on the products question', () => {
    expect(read('timing', '都行', beauty).openInterest).toBe(false);
    expect(read('reason', '都可以', beauty).openInterest).toBe(false);
    expect(read('timing', '都想试试，下个月吧', beauty).openInterest).toBe(true);
  });

  it('names no product without a catalogue, or on score and menu questions', () => {
    expect(read('text', '想做热玛吉', [])).toMatchObject({ products: [], openInterest: false });
    expect(read('nps', '9分，热玛吉很好', beauty)).toMatchObject({ score: 9, products: [], factors: [] });
    expect(read('text', '想做热玛吉', beauty, { catalog: undefined }).products).toEqual([]);
  });

  it('is settled by the rules when the reply is only names, so the LLM is not asked', () => {
    const reading = rules.read({ question: 'text', text: '热玛吉、水光针', catalog: beauty, now: NOW, timeZone: 'Asia/Shanghai' });
    expect(reading.settled.has('products')).toBe(true);
  });
});

describe('products from the car service catalogue (car-after-sales)', () => {
  it.each<Case>([
    ['想了解一下保养套餐', ['maintenance'], false],
    ['保养', ['maintenance'], false],
    ['换轮胎，顺便做个四轮定位', ['tires'], false],
    ['钣金喷漆和洗车', ['bodywork', 'detailing'], false],
    ['空调不凉了，要加氟', ['ac_repair'], false],
    ['刹车片和电瓶该换了', ['brakes', 'battery'], false],
    ['換輪胎和補漆', ['tires', 'bodywork'], false],
    ['贴个ＰＰＦ隐形车衣', ['film'], false],
    ['Tyre', ['tires'], false],
    ['洗車美容', ['detailing'], false],
    ['空调唯修', ['ac_repair'], false],
    ['不考虑贴膜，先做保养', ['maintenance'], false],
    ['轮胎暂时不需要，洗车可以', ['detailing'], false],
    ['都行', [], true],
    ['暂时不需要', [], false],
    ['车子挺好的', [], false],
  ])('"%s" → %j (open: %s)', (text, products, openInterest) => {
    const a = read('text', text, car);
    expect(a.products).toEqual(products);
    expect(a.openInterest).toBe(openInterest);
  });
});

describe('purchase factors', () => {
  it.each<[string, string[]]>([
    ['便宜点就来', ['price']],
    ['有活动的话会考虑', ['price']],
    ['主要看效果', ['effect']],
    ['师傅技术好，就是价格有点贵', ['advisor', 'effect', 'price']],
    ['离家近，停车方便', ['convenience']],
    ['等太久了，希望快一点', ['convenience']],
    ['王医生很专业，讲解也耐心', ['advisor']],
    ['希望项目多一点，多上新品', ['range']],
    ['价格无所谓，主要看效果', ['effect']],
    ['不在乎价格，效果好就行', ['effect']],
    ['感谢贵店的照顾', []],
    ['挺好的', []],
  ])('"%s" → %j', (text, factors) => {
    expect(extractFactors(normalizeText(text))).toEqual(factors);
  });

  it('are read from the reason, "what would bring you back", timing and repurchase answers only', () => {
    expect(read('reason', '便宜点就来', []).factors).toEqual(['price']);
    expect(read('text', '有优惠再说', []).factors).toEqual(['price']);
    expect(read('repurchase', '看优惠吧', []).factors).toEqual(['price']);
    expect(read('nps', '8分，价格实惠', []).factors).toEqual([]);
    expect(read('csat', '顾问很专业', []).factors).toEqual([]);
  });
});

describe('matchCatalog', () => {
  it('reports mentions in text order with their spans in the normalised text', () => {
    const text = normalizeText('想做 熱瑪吉 和 Hydra Facial');
    const mentions = matchCatalog(text, [
      { id: 'hydrafacial', name: '小气泡', synonyms: ['HydraFacial'] },
      { id: 'thermage', name: '热玛吉' },
    ]);
    expect(mentions.map((m) => [m.id, text.slice(...m.span), m.fuzzy])).toEqual([
      ['thermage', '热玛吉', false],
      ['hydrafacial', 'hydra facial', false],
    ]);
  });

  it('matches English names as whole words only', () => {
    const catalog = [{ id: 'spa', name: '身体护理', synonyms: ['SPA'] }];
    expect(matchCatalog('spa', catalog)).toHaveLength(1);
    expect(matchCatalog('spacious room', catalog)).toEqual([]);
  });

  it('bounds typos: one character in four and more, never in three', () => {
    const catalog = [{ id: 'ultherapy', name: '超声刀' }, { id: 'facial', name: '面部护理' }];
    expect(matchCatalog('超声波', catalog)).toEqual([]);
    expect(matchCatalog('面部户理', catalog).map((m) => m.id)).toEqual(['facial']);
    expect(matchCatalog('面包护士', catalog)).toEqual([]);
    expect(matchCatalog('面部护,', catalog)).toEqual([]);
  });

  it('stays fast on a long reply', () => {
    const started = performance.now();
    matchCatalog(normalizeText('我想做热玛吉'.repeat(20_000)), beauty);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.each<[string, string, boolean]>([
    ['thermage', 'themage', true],
    ['thermage', 'thremage', true],
    ['thermage', 'thermagee', true],
    ['thermage', 'thermxge', true],
    ['thermage', 'thrmge', false],
    ['botox', 'detox', false],
  ])('withinOneEdit(%s, %s) = %s', (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
  });
});
