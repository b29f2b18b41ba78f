import type { Span } from './normalizeText.ts';

/** How likely the customer says they are to come back or buy again, 0 (never) … 5 (certainly). */
export interface LikelihoodReading {
  level: number;
  spans: Span[];
  /** The reply says the customer has not decided ("看情况", "一般般吧"), rather than naming a likelihood. */
  undecided?: true;
}

const STRONG = '肯定|一定|绝对|必须|必然|当然|铁定|百分百|100%|保证|必定|指定';
const LIKELY = '应该|大概率|很可能|多半|估计|大概|八成|基本上?|应当|大多|十有八九';
const MAYBE = '可能|也许|或许|说不定|兴许|有可能';
const VERB = '会(?![员议])|再来|再买|再去|再用|回购|复购|光顾|续费|续卡|回来|还来|还买|来|买|去|用(?!完)';

// modal? (还|也|再)? negation? verb — the negation must sit right before the verb (不会, 肯定不来).
const PHRASE = new RegExp(
  `(${STRONG}|${LIKELY}|${MAYBE})?(?:的)?(还|也|再|都)?(不太|不大|不怎么|不|没有?)?(?:要|想|打算|准备)?(${VERB})`,
  'g',
);
const NEVER = /(?:这辈子|下辈子|一辈子)(?:都|也)?不|谁还(?:敢|会|想|愿意)(?:再)?(?:来|买|去|用)|没(?:有)?下次|不会有下次|再也不|永远不|绝不|决不|不可能(?:再)?(?:来|买|去|用|会)?|打死(?:也|都)不|拉倒|没戏|做梦|想得美|门都没有|没门/;
const UNSURE = /(?<![好难])看(?![法到见起])|看情况|说不准|说不好|不好说|不确定|不一定|看看再说|再说吧?|再看看?|到时候再说|随缘|看心情|看需要|有需要|有机会|有空的话|有时间的话|需要的话|考虑(?:一下|考虑)?|看吧|不知道|没想好|不清楚|待定|未定|五五开|一半一半|50%/;
// Lukewarm about coming back: leaning no, but not a refusal.
const LUKEWARM = /一般般|一般吧|马马虎虎|凑合/;
const YES = /^(?:是的?|对的?|嗯+会|当然|必须的?|那必须|那当然|肯定的?|一定的?|会的?|会啊|会呀|会吧|要的?|好的?会|嗯对|没错|可以|行|好啊|ok|yes|y)$/;
// A modal on its own ("可能吧", "应该吧") answers with its strength.
const MODAL_ONLY = new RegExp(`^(${STRONG}|${LIKELY}|${MAYBE})$`);
const NO = /^(?:不会?|不了|没有?|不要|否|no|n|算了|不用了?|不需要了?)$/;
const FILLERS = /[\s,.!?~。，！？…吧啊呀了的哈嘛呢哦嗯]/g;

/**
 * Reads a repurchase/return likelihood from a normalised reply: modal strength (肯定/应该/可能)
 * combined with negation (不会, 不太会) and a verb (会, 来, 买, 回购). "一定会" → 5, "应该会" → 4,
 * "可能会"/"说不准" → 3, "可能不会"/"一般般吧" → 2, "不会" → 1, "绝对不会"/"再也不来" → 0.
 * Indecision ("看情况", "不一定", "一般般吧") is marked `undecided`.
 *
 * @example
 * parseLikelihoodReply('大概率会')?.level // 4
 */
export function parseLikelihoodReply(text: string, options: { conditional?: boolean } = {}): LikelihoodReading | null {
  const conditional = options.conditional === true || /有需要|需要的话|如果|要是|假如|的话|看情况|考虑|看看|有空|有时间|有机会|有钱/.test(text);
  const bare = text.replace(FILLERS, '');
  // A firm yes ("会的", "要的", "肯定的") is the top of the scale (一定会); a tentative one
  // ("会吧", "可以", "行", "ok") is 很可能会.
  if (YES.test(bare)) return { level: /吧/.test(text) || /^(?:可以|行|ok|yes|y|好的?会)$/.test(bare) ? 4 : 5, spans: [[0, text.length]] };
  if (NO.test(bare)) return { level: 1, spans: [[0, text.length]] };
  const modal = MODAL_ONLY.exec(bare);
  if (modal) {
    const m = modal[1] as string;
    const level = new RegExp(`^(?:${STRONG})$`).test(m) ? 5 : new RegExp(`^(?:${LIKELY})$`).test(m) ? 4 : 3;
    return { level, spans: [[0, text.length]] };
  }
  const never = NEVER.exec(text);
  if (never) return { level: 0, spans: [[never.index, never.index + never[0].length]] };
  // "不见得会再来" leans no, "不一定会来" is undecided: read before 一定/会 are taken as a yes.
  const doubtful = /不见得|未必|说不定不|不一定/.exec(text);
  if (doubtful) return { level: doubtful[0] === '不一定' ? 3 : 2, spans: [[doubtful.index, doubtful.index + doubtful[0].length]], undecided: true };

  for (const m of text.matchAll(PHRASE)) {
    const [all, modal, , negation, verb] = m;
    const start = m.index ?? 0;
    const plainVerb = verb !== undefined && /^(?:来|买|去|用)$/.test(verb);
    // 来/买/去/用 alone are too common to mean "will come back" without a modal, negation or 还/再,
    // unless a condition frames them ("要是还是那个技师就来").
    if (plainVerb && !modal && !negation && !m[2] && !(conditional && /就\s*$/.test(text.slice(0, start)))) continue;
    if (verb === '会' && /机|开|聚|社|体|学|约|误|理|只$/.test(text.slice(Math.max(0, start - 1), start))) continue;
    const strength = modal === undefined ? 'plain' : new RegExp(`^(?:${STRONG})$`).test(modal) ? 'strong' : new RegExp(`^(?:${LIKELY})$`).test(modal) ? 'likely' : 'maybe';
    let level: number;
    if (negation) {
      const weak = /^不(?:太|大|怎么)$/.test(negation);
      // "暂时不会" postpones rather than refuses.
      const forNow = /暂时|近期|目前|短期内|这段时间/.test(text);
      // "不太会" leans no without refusing.
      level = strength === 'strong' ? 0 : strength === 'maybe' || forNow || weak ? 2 : 1;
    } else {
      // "会的，下次还来": a plain 会 said firmly (的/啊/呀, no 吧) is as sure as 一定会.
      const firm = strength === 'plain' && verb === '会' && /^[的啊呀]/.test(text.slice(start + all.length)) && !/吧/.test(text);
      level = strength === 'strong' || firm ? 5 : strength === 'maybe' ? 3 : 4;
      // A condition ("有需要的话会", "如果不涨价，肯定会去") makes a yes less certain.
      if (conditional) level = strength === 'strong' ? 4 : 3;
    }
    return { level, spans: [[start, start + all.length]] };
  }
  const unsure = UNSURE.exec(text);
  if (unsure) return { level: 3, spans: [[unsure.index, unsure.index + unsure[0].length]], undecided: true };
  const lukewarm = LUKEWARM.exec(text);
  if (lukewarm) return { level: 2, spans: [[lukewarm.index, lukewarm.index + lukewarm[0].length]], undecided: true };
  return null;
}

/**
 * Places a 5-level verdict (1 very bad … 5 very good) on the question's scale, e.g. a CSAT 1–5
 * stays as it is and a 0–10 rating maps 4 → 8.
 */
export function projectLevel(level: number, levels: { min: number; max: number }, range: { min: number; max: number }): number {
  const fraction = (level - levels.min) / (levels.max - levels.min);
  return Math.round(range.min + fraction * (range.max - range.min));
}

/** The 1–5 satisfaction level of a sentiment valence: 满意 → 4, 非常满意 → 5, 一般 → 3, 不满意 → 2. */
export function levelFromValence(valence: number): number {
  if (valence >= 1.45) return 5;
  if (valence >= 0.5) return 4;
  if (valence > -0.5) return 3;
  if (valence > -1.45) return 2;
  return 1;
}
