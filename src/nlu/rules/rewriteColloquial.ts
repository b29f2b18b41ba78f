/**
 * Rewrites everyday forms the rules were not written for onto the standard Mandarin they were:
 * Cantonese function words (唔/冇/嚟/咗), Sichuan and Northeastern words (巴适, 莫得, 得劲, 嘎嘎),
 * English and Chinglish phrases (not bad, next month, in 3 weeks), homophone typos of numbers
 * before 分 (久分 → 九分), and voice-input fillers (嗯那个就是…). Every rule downstream (scores,
 * likelihood, timing, sentiment, intents) then reads the dialect once, instead of each rule
 * learning it. Runs on normalised text (lower case, simplified, half-width).
 */

/** What was rewritten, so the analyser can treat the reading as less certain. */
export interface ColloquialRewrite {
  text: string;
  /** A homophone of a number was read as that number. */
  typo: boolean;
  /** A dialect or English word was mapped (the mapping may miss a nuance). */
  mapped: boolean;
}

// Longest first within each table; applied in order. Each maps a whole word, never part of one
// that the standard language also uses (系 is not mapped: 系统, 联系).
const DIALECT: ReadonlyArray<readonly [RegExp, string]> = [
  // Cantonese
  [/唔该/g, '谢谢'],
  [/唔好再/g, '不要再'],
  [/唔知/g, '不知道'],
  [/唔抵/g, '不划算'],
  [/冇可能/g, '不可能'],
  [/冇问题/g, '没问题'],
  [/冇/g, '没'],
  [/唔/g, '不'],
  [/嚟/g, '来'],
  [/咗/g, '了'],
  [/嘅/g, '的'],
  [/啲/g, '些'],
  [/咁/g, '这么'],
  [/佢/g, '他'],
  [/嘢/g, '东西'],
  [/哋/g, '们'],
  [/([好难])食(?!材|品|物|堂|谱|欲)/g, '$1吃'],
  [/睇/g, '看'],
  [/听日/g, '明天'],
  [/(?<![之以今此日])后日/g, '后天'],
  [/过两日/g, '过两天'],
  [/钟意/g, '喜欢'],
  [/推介/g, '推荐'],
  [/俾/g, '给'],
  [/好正(?!常|在|式|规|宗|好|确|经)/g, '很好'],
  [/几好/g, '挺好'],
  [/耐性/g, '耐心'],
  [/麻麻哋|麻麻地|麻麻/g, '一般'],
  [/点解/g, '为什么'],
  [/乜嘢/g, '什么'],
  [/搞掂/g, '搞定'],
  // Sichuan
  [/巴巴适适|巴适得板/g, '非常舒服'],
  [/巴适/g, '舒服'],
  [/安逸/g, '舒服'],
  [/莫得/g, '没有'],
  [/啥子/g, '什么'],
  [/要得(?![到了着])/g, '不错'],
  [/扯拐/g, '出问题'],
  [/恼火/g, '麻烦'],
  [/孬/g, '差'],
  [/撇(?=得|惨|死|$)/g, '差'],
  // Northeastern and northern
  [/杠杠[的滴地]/g, '非常好'],
  [/嘎嘎|贼拉|倍儿/g, '非常'],
  [/老(好|棒|舒服|满意|得劲|实在|好吃|划算|便宜|贵|难吃|差|热情|干净|方便|专业|靠谱|耐心|地道)了/g, '非常$1'],
  [/整挺好/g, '挺好'],
  [/得劲/g, '舒服'],
  [/埋汰/g, '脏'],
  // Double negations of coming back say yes: 没有不来的理由, 不来咋整, 怎么能不来.
  [/没有?不(来|买|去|用|推荐)的(?:理由|道理)/g, '肯定会$1'],
  [/(?:没有?理由|不可能|怎么(?:会|能)|没法|不能)不(来|买|去|用|推荐)(?:呢|吗)?/g, '肯定会$1'],
  [/非(来|买|去|用|推荐)不可/g, '肯定会$1'],
  [/(?:还)?能不(来|买|去|用|推荐)吗/g, '肯定会$1'],
  [/不(来|买|去|用)(?:干嘛|干啥|咋整|怎么行|哪行)/g, '肯定会$1'],
  // "满意个鬼", "推荐个毛", "来个屁": the word is denied.
  [/(满意|推荐|来|去|买|好)个(?:毛线?|鬼|屁|头|锤子|蛋)/g, '才不$1'],
  [/闹心/g, '糟心'],
  [/磨叽/g, '磨蹭'],
  [/膈应/g, '恶心'],
  [/稀烂/g, '很烂'],
  [/拉胯|拉跨/g, '很差'],
  [/忒/g, '太'],
  // Internet words
  [/yyds|绝绝子/g, '非常好'],
  [/灰常/g, '非常'],
  // Input-method slips of the words people type most.
  [/满(?:粉|芬)/g, '满分'],
  [/满易|满义|瞒意|蛮意|慢意|漫意/g, '满意'],
  [/阔以|可以以/g, '可以'],
  // 十二分满意 is "more than fully": full marks.
  [/十二分(?=满意|好|推荐|认可)/g, '满分'],
  [/木有/g, '没有'],
  // Northeastern sentence-final 滴 for 的 ("那必须滴", "挺好滴"); 一滴/几滴 are drops.
  [/(?<![一两几半点水油血])滴(?=$|[\s,.!?~。，！？…])/g, '的'],
];

const ENGLISH_NUMBER = 'one|two|three|four|five|six|seven|eight|nine|ten|\\d+';
const ENGLISH_UNITS: Record<string, string> = { day: '天', week: '周', month: '个月', year: '年' };
const ENGLISH_DIGITS: Record<string, string> = {
  one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
};

// English phrases, matched as whole words (durations such as "in 3 weeks" are rewritten first);
// single sentiment words are in the lexicon instead.
const ENGLISH: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bdefinitely not\b|\bno way\b|\bnever again\b/g, '绝对不会'],
  [/\bprobably not\b/g, '应该不会'],
  [/\bmaybe not\b|\bperhaps not\b/g, '可能不会'],
  [/\bwill (?:definitely|surely|for sure) come back\b|\bwill come back for sure\b|\bdefinitely (?:will )?come back\b/g, '肯定会再来'],
  [/\b(?:chinese new year|spring festival|cny)\b/g, '春节'],
  [/\bchristmas\b/g, '圣诞节'],
  [/\bnew year'?s?(?: day)?\b/g, '元旦'],
  [/\bnational day\b/g, '国庆'],
  [/\bafter\s*(春节|圣诞节|元旦|国庆)/g, '$1后'],
  [/\bbefore\s*(春节|圣诞节|元旦|国庆)/g, '$1前'],
  [/\bwon'?t come back\b|\bwill not come back\b|\bnot coming back\b/g, '不会再来'],
  [/\b(?:will )?come back\b/g, '会再来'],
  [/\bnot bad\b/g, '不错'],
  [/\bnot sure\b|\bnot decided\b|\bdepends\b/g, '不确定'],
  [/\bnot good\b/g, '不好'],
  [/\bso[- ]so\b/g, '一般'],
  [/\byes,? of course\b|\bof course\b|\bsure\b/g, '当然'],
  [/\bdefinitely\b|\bcertainly\b/g, '肯定'],
  [/\bprobably\b/g, '应该'],
  [/\bmaybe\b|\bperhaps\b/g, '可能'],
  [/\bnever\b/g, '再也不'],
  [/\bnext week\b/g, '下周'],
  [/\bnext month\b/g, '下个月'],
  [/\bnext year\b/g, '明年'],
  [/\bthis weekend\b/g, '这周末'],
  [/\bthis week\b/g, '这周'],
  [/\bthis month\b/g, '这个月'],
  [/\btomorrow\b/g, '明天'],
  [/\btoday\b/g, '今天'],
  [/\bsoon\b/g, '很快'],
  [/\bthumbs up\b/g, '👍'],
  [/\bhighly recommend(?:ed)?\b/g, '强烈推荐'],
  [/\brecommend(?:ed)?\b/g, '推荐'],
  [/\bnot worth(?: it)?\b/g, '不值'],
  [/\bworth it\b/g, '值得'],
  [/\bwaste of money\b/g, '浪费钱'],
  [/\bfull marks?\b|\b(?:10|ten) out of (?:10|ten)\b/g, '满分'],
];

// Homophones and input-method neighbours of the numerals, read as numbers only right before 分
// (or its typo 芬) where no word uses them: 久分, 给个巴分, 流分. 巴适 or 起来 stay as they are.
// A pinyin table of the digits (same syllable, any tone, as IMEs offer them); 十/是/就/吧/时 are
// left out: 十分 means "very" and the others are common words before 分.
const NUMBER_TYPOS: Record<string, string> = {
  衣: '一', 依: '一', 医: '一', 伊: '一', 壹: '一',
  耳: '二', 尔: '二', 贰: '二', 而: '二',
  伞: '三', 散: '三', 叁: '三',
  思: '四', 丝: '四', 司: '四', 寺: '四', 肆: '四',
  舞: '五', 伍: '五', 午: '五', 武: '五',
  流: '六', 溜: '六', 留: '六', 陆: '六',
  起: '七', 齐: '七', 琪: '七', 期: '七', 其: '七', 妻: '七', 柒: '七', 漆: '七', 棋: '七', 旗: '七',
  巴: '八', 扒: '八', 捌: '八', 爸: '八',
  久: '九', 酒: '九', 玖: '九', 韭: '九', 旧: '九',
};
const TYPO_BEFORE_SCORE = new RegExp(
  `(^|[^\\u4e00-\\u9fff]|[打给评个是算就])([${Object.keys(NUMBER_TYPOS).join('')}])(?=\\s*[分芬](?!钟|之|期|店|享|别|开|手|析|配|类|量|数|成|担|散|布|红|身))`,
  'g',
);
// 把 is a common word; as 八 only where nothing else fits: "把分", "给个把分".
const BA_AS_EIGHT = /(^|[打给个])把(?=分\s*[吧啊呀]?\s*$)/g;
const SCORE_UNIT_TYPO = /([\d零一二两三四五六七八九十])\s*芬/g;

// Voice input and hesitation: words that say nothing, at the start of a clause, before a pause,
// another filler or a number ("嗯那个就是，", "那个那个九分").
const FILLER_WORD = '嗯+|恩+|呃+|额+|那个|这个|就是说|就是|然后|怎么说呢|怎么讲呢|我想想|让我想想|我觉得吧|其实吧|反正吧|说实话|讲真|老实说';
const LEADING_FILLER = new RegExp(
  `(^|[,;!?~。，；！？…\\s])(?:(?:${FILLER_WORD})(?=[,;!?~。，；！？….\\s]|$|(?:${FILLER_WORD})|[\\d零一二两三四五六七八九十]))+[,;!?~。，；！？….\\s]*`,
  'g',
);

/** Drops filler runs until none is left (a run's trailing pause is the next run's boundary). */
function dropFillers(text: string): string {
  let out = text;
  for (let previous = ''; previous !== out; ) {
    previous = out;
    out = out.replace(LEADING_FILLER, (_all, boundary: string) => boundary);
  }
  return out.trim();
}

function rewriteEnglishDurations(text: string): string {
  return text.replace(new RegExp(`\\bin (${ENGLISH_NUMBER}|a|an) (day|week|month|year)s?\\b`, 'g'), (_all, n: string, unit: string) => {
    const count = n === 'a' || n === 'an' ? '1' : (ENGLISH_DIGITS[n] ?? n);
    return `${count}${ENGLISH_UNITS[unit] ?? ''}后`;
  });
}

// English scores: "eight", "a nine", "7 points", "8 out of 10". "one" only as a score on its own or
// with points ("this one", "no one" are not scores).
function rewriteEnglishScores(text: string): string {
  return text
    .replace(/\b(two|three|four|five|six|seven|eight|nine|ten)\b/g, (_all, n: string) => ENGLISH_DIGITS[n] ?? n)
    .replace(/^one$|\bone(?=\s*(?:points?|pts|stars?|out of)\b)/g, '1')
    .replace(/(\d+)\s*out of\s*\d+/g, '$1分')
    .replace(/(\d+)\s*(?:points?|pts|stars?)\b/g, '$1分');
}

/**
 * Rewrites a normalised reply into standard Mandarin for the rules, and says what it changed.
 *
 * @example
 * rewriteColloquial('唔会再嚟').text // '不会再来'
 * rewriteColloquial('给个巴分').text // '给个八分'
 */
export function rewriteColloquial(text: string): ColloquialRewrite {
  let out = text;
  let mapped = false;
  for (const [re, to] of DIALECT) {
    const next = out.replace(re, to);
    if (next !== out) mapped = true;
    out = next;
  }
  if (/[a-z]/.test(out)) {
    const durations = rewriteEnglishDurations(out);
    if (durations !== out) mapped = true;
    out = durations;
    for (const [re, to] of ENGLISH) {
      const next = out.replace(re, to);
      if (next !== out) mapped = true;
      out = next;
    }
    const scores = rewriteEnglishScores(out);
    if (scores !== out) mapped = true;
    out = scores;
  }
  let typo = false;
  out = out.replace(TYPO_BEFORE_SCORE, (_all, before: string, ch: string) => {
    typo = true;
    return `${before}${NUMBER_TYPOS[ch] ?? ch}`;
  });
  const eight = out.replace(BA_AS_EIGHT, '$1八');
  if (eight !== out) typo = true;
  out = eight;
  const unitFixed = out.replace(SCORE_UNIT_TYPO, '$1分');
  if (unitFixed !== out) typo = true;
  out = unitFixed;
  return { text: dropFillers(out), typo, mapped };
}
