import type { Span } from './normalizeText.ts';

/**
 * Verdicts that are phrases rather than words, found by pattern over normalised text:
 * - implicit complaints that state a failure (等了两个多小时, 用了三天就坏了, 说好的赠品没给,
 *   跟图片不一样, 下次再也不选了) and implicit praise (下次还找她, 第五次来了, 一口气读完);
 * - rhetorical questions and exclamations that judge (这叫什么服务！ 还能更慢吗？ 有这么做生意的吗);
 * - sarcasm markers (呵呵, quoted praise, 好一个…, 真是太…了 next to a complaint).
 */

/** One phrase's share of the valence. */
export interface PatternCue {
  start: number;
  end: number;
  value: number;
  kind: 'implicit' | 'rhetorical';
}

const NUM = '[\\d零一二两三四五六七八九十百几半]+';
const NOT_NEGATED = '(?<!不|没|没有|别|无)';

// Events that reviews of any trade report, by kind: money kept or taken, repairs that never came,
// costs not announced, a worse deal elsewhere; and care beyond the job, speed, things kept whole.
const REVIEW_EVENTS: ReadonlyArray<readonly [RegExp, number]> = [
  [/(?:押金|定金|订金|保证金)[^,，。]{0,3}(?:被)?扣|扣(?:了)?(?:我)?(?:的)?(?:押金|定金|钱)/g, -1.2],
  [/(?:都|也|还|一直)?没(?:有)?(?:人)?(?:来|上门)(?:修|处理|看|拿|取|送|换)/g, -1.2],
  [/(?:之前|事先|提前|当时|事前)(?:也|都)?(?:没|不)(?:说|讲|告诉|提|通知)/g, -1.2],
  [/(?:声音|噪音|动静)[^,，。]{0,3}(?:跟|像)[^,，。]{1,6}(?:一样|似的)?/g, -1.2],
  [/(?:买到|找到|选到|换)更好的|还不如(?:买|去|选|找|自己)/g, -1.8],
  [new RegExp(`(?:${NUM}|好几)(?:个)?(?:多)?(?:天|周|星期|礼拜|月|年)了?(?:都|也|还)(?:在路上|没(?!坏|出|毛病|掉)|不见|不到)`, 'g'), -1.2],
  [/照着[^,，。]{0,6}(?:念|读)/g, -1.2],
  [/(?:种类|品种|选择|花样|款式|口味)(?:很|特别|挺|非常|超|真)?(?:多|丰富|齐全)/g, 1.2],
  [/连[^,，。!！？?]{1,8}都有/g, 1],
  [/(?:直接|主动|免费|马上|立刻|当天|当场|专门|特意|还)就?(?:给|帮)(?:我|我们|孩子|宝宝)?[^,，。？?]{0,6}(?:了|好)/g, 1],
  [/(?<![没不别])帮(?:我|我们|孩子|宝宝|忙)[^,，。？?]{0,8}了/g, 1],
  [/(?:拿来|送来|递来|端来|借给|借了)/g, 1],
  [/还(?:手写|写了|附了|附上|准备了|教了|提醒)/g, 1],
  [/(?:一口气|熬夜)[^,，。]{0,4}(?:读|看|听|刷)(?:完|到)|(?:读|看)到(?:凌晨|半夜|深夜|天亮)/g, 1.2],
  [/终于(?:敢|会|能|学会|考过|过了|看懂|听懂|瘦|治好)/g, 1],
  [/(?:晚上|凌晨|半夜|深夜|周末|下班)[^,，。]{0,6}还(?:在)?(?:回|答|帮|教|改|讲|陪)/g, 1.2],
  [/(?:当天|当场|马上|立刻|很快|第二天|隔天|次日)就?(?:来|上门|到了|送到|修好|换了|退了|处理|解决|安排)/g, 1],
  [/(?:一分|分文)钱?(?:都|也)?(?:没|不|未)(?:扣|少|多收|加)|全(?:额)?退|全部退(?:还|回)/g, 1.2],
  [/(?:把|将)[^,，。]{0,4}(?:垃圾|包装|纸箱|纸壳|废料)[^,，。]{0,3}(?:带走|收走|清走|拿走|清理)|自带鞋套|(?:穿|戴)(?:了|着)?鞋套/g, 1.2],
  [/(?:根据|按照|针对)(?:我|我的|孩子|宝宝|他|她)[^,，。]{0,10}(?:调整|定制|安排|推荐|设计|制定)|量身定制|因材施教/g, 1],
  [/(?:跟|和|与)[^,，。]{1,8}(?:一模一样|完全一致|相符)/g, 1.2],
  [/(?<![不没别再])(?:还会|会再|还想再|一定会再|一定还会|必须再|还会再)(?:来|住|入住|买|光顾|选择|回购|推荐|去|约|找)(?![吗么?？])/g, 1.2],
  [/(?:依然|依旧|还是|还)(?:像新的|跟新的一样|很新|好好的|有九成|有八成)/g, 1.2],
];

const IMPLICIT: ReadonlyArray<readonly [RegExp, number]> = [
  // Waiting and time lost: 等了两个多小时, 排了一上午, 查房查了二十分钟, 还要等四十分钟.
  [new RegExp(`(?:等|排|办|弄|查|修|耗|拖|搞)了?(?:${NUM})(?:个)?(?:多)?(?:小时|钟头|个钟|分钟|天|周|星期|礼拜|个月|上午|下午|晚上)`, 'g'), -1.2],
  [new RegExp(`(?:${NUM}|好几|几)(?:个)?(?:针|次|遍|趟|回|小时|钟头|天)才`, 'g'), -1],
  [/才(?:到|来|轮到|处理|回复|回)(?![来家去])/g, -0.8],
  [new RegExp(`(?:说|问|打|催|跑|找|讲|解释|换|寄)了(?:${NUM}|好几)(?:遍|次|趟|回)`, 'g'), -1],
  [/又(?:迟到|晚了|忘了|改|错|搞错|弄错|坏|出问题|拖|推迟|延期|让|要|多出|涨)/g, -1],
  [/(?:都|也|就|还)?不给(?:做|办|退|换|修|开|处理|解决)/g, -1.2],
  [/(?:洗完|洗澡|修完|做完|打扫完|擦完|处理完|弄完|换完)[^,，。]{0,8}还(?:有|是)/g, -1.2],
  // "三次都没人接" fails; "改了三次都没嫌烦" praises patience.
  [new RegExp(`(?:${NUM}|好几)次都(?:没|不)(?!嫌|生气|烦|发火|不耐烦|抱怨|怨)`, 'g'), -1],
  [/(?<!不|没)[答说写填弄搞开发算记看听拿配做找]错(?!过)/g, -1.2],
  [/排了?[^,，。]{0,4}(?:长|久)的?队/g, -1],
  [/一直(?:占线|打不通|没人|不回|拖|推|在推销|推销|低头)/g, -1],
  [/还(?:要|得)(?:等|排|自己|另)/g, -0.8],
  // Nobody answers or acts.
  [/没(?:有)?人(?:管|理|回|接|负责|处理|问|搭理)|(?:没|不)(?:回复?|回消息|回信息|通知)(?![来家去])|已读不回|半天不回/g, -1.2],
  [/还没(?:寄回|到|退|修好|处理|解决|回复|发货|弄好)|没(?:有)?(?:能)?(?:解决|处理|修好|弄好)/g, -1.2],
  // Promises broken, things not as described.
  [/说好的[^。！!?？]{0,12}(?:没|不|又|呢)|说是[^。！!?？]{0,12}结果|结果[^。！!?？]{0,6}(?:才|又|还是|没|不)/g, -1.2],
  [/(?:跟|和|与)[^,，。!！？?]{1,10}(?:不一样|不符|差太多|差很多|差别很大|两个东西|两回事|完全不同|不像)/g, -1.2],
  [/说的(?:都)?不一样|实际(?:上)?(?:就|只|才)/g, -1],
  [/连[^,，。!！？?]{1,8}都(?:没|不|打不开|开错|搞错)/g, -1],
  // Defects and dirt.
  [/有(?:一股)?(?:头发|蟑螂|虫子?|污渍|污垢|血渍|霉斑?|灰尘?|烟头|毛发|异物)|一股[^,，。]{0,3}味|味道(?:很|太|特别|好)?(?:大|重|冲)/g, -1.2],
  [/(?:用了|买了|穿了|戴了|做完|做了|刚买|刚做|装好|装完|修好|修完|刚装|刚修|换了|保养完|保养后|才|收到)[^。！!？?]{0,12}就(?:坏|掉|不|开始|没|出|裂|断|卡|塌|肿|红|起|花|闪|黑|漏|鼓|松|亮|返工)/g, -1.2],
  [new RegExp(`才用了?(?:${NUM})`, 'g'), -0.6],
  [new RegExp(`(?:${NUM})(?:个)?(?:天|周|星期|礼拜|月)就(?:坏|掉|不|开始|没|裂|断|卡|塌|花|闪|黑|漏|鼓|松)`, 'g'), -1.2],
  [/吃出|喝出/g, -1.5],
  [/(?:还是|依然|依旧)(?:有|一样|不行|没|不|错|老样子)/g, -0.8],
  // Staff, money, privacy.
  [/(?:低头|一直|全程)在?(?:玩|看)(?:手机|电脑)|没正眼|正眼都不/g, -1.2],
  [new RegExp(`${NOT_NEGATED}(?:乱|额外|另外|偷偷|重复)收费|收费(?:不透明|太高|太贵|乱)|(?:被)?划走|扣了我|多收(?:了)?(?:我)?`, 'g'), -1.2],
  [/(?:收了?|交了?)钱(?:不|就不|却不)/g, -1.2],
  [/听得(?:一清二楚|清清楚楚)|谁都能听见|都能听见|隔音(?:太|很|特别)?(?:差|不好|一般)/g, -1.2],
  [/跟打仗一样|像打仗/g, -1],
  // Too much of something that is bad in excess: 咸得没法吃, 少得可怜, 慢得跟蜗牛一样.
  [/(?:咸|辣|贵|慢|吵|累|疼|痛|冷|热|难|苦|酸|腻|挤|臭|脏|少|小|硬|油|淡|晚|远|差|烂)得(?:要死|要命|不行|没法|可怜|离谱|吓人|过分|受不了|跟[^,，。]{1,6}一样)/g, -1.2],
  // Still not done, not told: 到现在都没退回来, 也不打个电话.
  [/一直没|到现在(?:都|也|还)?没|至今(?:都|也|还)?没|迟迟(?:没|不)/g, -1.2],
  [/也不(?:说一声|打个?电话|告诉|通知|提醒|问一下|道歉|解释)/g, -1.2],
  [/说是[^。！!？?]{0,12}(?:明显|其实|实际|根本)/g, -1.2],
  [new RegExp(`(?:要|得)?(?:跑|来回跑)了?(?:${NUM}|好几)趟`, 'g'), -1],
  [/收了我/g, -0.8],
  [/就没(?:东西|货|位置|菜|房)|随便(?:能)?搜(?:到|得到)/g, -1],
  // Resolutions never to come back or recommend.
  [/(?:下次|以后|再也|今后)[^,，。!！？?]{0,4}(?:不|别)[^,，。!！？?]{0,6}(?:选|来|买|去|用|光顾|订|住|找|推荐|回购|相信|信)/g, -1.5],
  [/别(?:买|来|去|选|订|住)(?!了吧)|快跑/g, -1.5],
  [/(?:肯定|绝对|一定)不(?:会)?(?:再)?(?:来|买|去|用|光顾|选)/g, -1.5],
  // Implicit praise: coming back, bringing others, things done at once, more than promised.
  [/下次[^,，。]{0,3}(?:还|再|也)(?:来|住|找|买|去|选|约|用|光顾)/g, 1.2],
  [new RegExp(`第(?:${NUM})次(?:来|光顾|回购|买|住)|(?:第|已经)[^,，。]{0,3}(?:${NUM})次了`, 'g'), 1],
  [/带(?:着)?(?:朋友|家人|同事|闺蜜|我妈|爸妈|老公|老婆|孩子|她|他)(?:一起)?(?:来|去)/g, 1],
  [/(?:还|多|又|免费|额外)送(?:了)?|(?:主动|一直|还|都)帮(?:我|我们|忙)/g, 1],
  [/(?:一口气|一下子)(?:读|看|听)完|停不下来/g, 1.2],
  [/超出(?:这个)?(?:价位|价格|预期|想象|期待)/g, 1.2],
  [/(?:一|两|三|\d)?(?:个)?(?:电话|次)就(?:解决|搞定|好了|修好)|(?:当场|马上|立刻|很快|第二天)就(?:解决|到|好|处理|修好|回复|搞定|消肿|出来|退|装好)/g, 1],
  [/不想走|舍不得走/g, 1.2],
  [/还(?:想|要)(?:再)?(?:来|去|买|点|约)|(?:单独|专门|特意|特地|顺便)(?:给|帮|为)(?:我|我们|孩子|他|她)?/g, 1.2],
  [new RegExp(`(?:${NUM})(?:个)?(?:小时|分钟|天)就(?:装好|修好|搞定|到了|好了|解决|出来)`, 'g'), 1],
  [/(?:朋友|家人|同事|闺蜜|家里人)也(?:想|要)(?:来|买|做|试|去)/g, 1],
  ...REVIEW_EVENTS,
];

// Questions and exclamations that judge rather than ask.
const RHETORICAL: ReadonlyArray<readonly [RegExp, number]> = [
  [/这叫什么|什么(?:破|烂|鬼|玩意)|啥玩意|搞什么|凭什么|像话吗|好意思吗|还好意思|什么态度|什么服务|啥服务|有必要吗|有意思吗|至于吗|开什么玩笑|开玩笑吗|是在开玩笑|逗我呢?|有病吧/g, -1.5],
  [/不知道(?:该)?说什么好|无话可说|无力吐槽/g, -1],
  [/有(?:你们)?(?:这么|这样)[^,，。？?]{0,8}的吗|难道[^,，。]{0,10}(?:吗|么|[?？])|还能(?:再|更)[^,，。？?]{0,4}(?:吗|么|[?？])|谁还(?:敢|会|想|愿意)|还想要[^,，。？?]{0,4}(?:[?？]|吗)|怎么(?:能|可以|好意思)[^,，。]{0,8}(?:[?？!！]|呢)/g, -1.5],
  [/哪里不好|哪有不好|有什么不好/g, 1.2],
  // "怎么可能不满意！" exclaims; the lexicon reads it as emphasis. Marked so it is not taken as a question.
  [/怎么(?:可能|会)不/g, 0],
];

// 呵呵 is dismissive in chat; 好一个… and 这也叫… are always ironic; the others are ironic next to a complaint.
const SARCASM_ALWAYS = /呵呵|😅|🙃|好一个|好棒棒|这也叫|也配叫|还好意思叫/g;
const SARCASM_FRAME = /可真是?|真是太|真行|厉害了|真厉害|太厉害了|好样的|真有你的|真有你们的|(?:谢谢|感谢|多谢)(?:你们?)?让我|多亏了?你们/;
const QUOTED = /[“"'‘「『]([^”"'’」』]{1,8})[”"'’」』]/g;

function scan(text: string, patterns: ReadonlyArray<readonly [RegExp, number]>, kind: PatternCue['kind']): PatternCue[] {
  const out: PatternCue[] = [];
  for (const [re, value] of patterns) {
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      out.push({ start, end: start + m[0].length, value, kind });
    }
  }
  return out;
}

/** Implicit complaints and praise, and rhetorical questions, in a normalised reply. */
export function findPatternCues(text: string): PatternCue[] {
  return [...scan(text, IMPLICIT, 'implicit'), ...scan(text, RHETORICAL, 'rhetorical')];
}

/** Where the reply is ironic: spans whose praise means the opposite. */
export interface SarcasmReading {
  /** 呵呵 and the like: dismissive on their own. */
  markers: Span[];
  /** Praise inside quotes ("服务可真'周到'"). */
  quoted: Span[];
  /** A frame that is ironic when the reply also complains (真是太…了, 谢谢你们让我…). */
  frame: boolean;
}

/** Finds sarcasm markers, quoted praise and ironic frames in a normalised reply. */
export function findSarcasm(text: string): SarcasmReading {
  const markers = [...text.matchAll(SARCASM_ALWAYS)].map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length] as Span);
  const quoted = [...text.matchAll(QUOTED)].map((m) => [(m.index ?? 0) + 1, (m.index ?? 0) + m[0].length - 1] as Span);
  return { markers, quoted, frame: SARCASM_FRAME.test(text) };
}
