import type { PurchaseFactor } from '../../core/analysis.ts';

/**
 * Words that say what decides the next purchase, per factor. Kept narrower than the topic
 * keywords: a factor is a reason to come back (or not), so 服务 alone or 项目 alone (热玛吉这个项目)
 * do not count, and 贵 does not count inside 贵店 (the polite "your shop") or 宝贵.
 */
const FACTOR_CUES: ReadonlyArray<readonly [PurchaseFactor, RegExp]> = [
  [
    'price',
    /价格|价钱|价位|便宜|(?<![宝珍富高])贵(?![店司公宾姓])|优惠|折扣|打折|促销|特价|活动|团购|满减|划算|实惠|性价比|降价|赠送|买一送|送券|优惠券|代金券|会员价|收费|费用|省钱|花钱/g,
  ],
  ['effect', /效果|见效|有效|管用|改善|明显|持久|维持|质量|品质|做工|技术|手法|手艺|修得好|耐用|安全|靠谱/g],
  [
    'convenience',
    /方便|便利|离家近|离得近|近一点|太远|路远|离得远|顺路|预约|排队|等待|等太久|等了|等很久|快一点|快点|更快|速度|效率|快捷|营业时间|周末|晚上|停车|上门|接送|取送车|代步车|位置|交通|地铁|省时|省事|麻烦|时间合适|时间方便|节省时间|省时间|花时间|耽误时间|时间太长|时间长/g,
  ],
  ['advisor', /顾问|医生|医师|师傅|技师|美容师|护士|老师|店员|前台|接待|服务态度|态度|耐心|热情|专业|讲解|沟通|服务好|服务周到|服务很好|服务不错|服务差/g],
  [
    'range',
    /项目多|项目少|项目丰富|项目齐全|新项目|更多项目|更多的项目|项目种类|项目选择|产品多|产品少|新产品|新品|上新|产品线|种类|品类|齐全|丰富|多样|选择多|选择少|选择更多|更多选择|款式/g,
  ],
];

// "价格无所谓，主要看效果": a factor dismissed right after it (or before it) is not one.
const DISMISSED_AFTER = /^.{0,3}?(?:无所谓|不重要|不在乎|不是问题|不是关键|其次|没关系|都行|不在意)/;
const DISMISSED_BEFORE = /(?:不在乎|不看重|不关心|不在意|无所谓)[^,，。;；!！?？]{0,2}$/;

/**
 * Lists the purchase factors a normalised reply names (price, effect, convenience, advisor,
 * range), in the order first mentioned; a factor the reply dismisses ("价格无所谓") is left out.
 *
 * @example
 * extractFactors('价格无所谓,主要看效果和医生') // ['effect', 'advisor']
 */
export function extractFactors(text: string): PurchaseFactor[] {
  const found: Array<{ factor: PurchaseFactor; at: number }> = [];
  for (const [factor, cues] of FACTOR_CUES) {
    for (const m of text.matchAll(cues)) {
      const end = m.index + m[0].length;
      if (DISMISSED_AFTER.test(text.slice(end)) || DISMISSED_BEFORE.test(text.slice(0, m.index))) continue;
      found.push({ factor, at: m.index });
      break;
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.factor);
}
