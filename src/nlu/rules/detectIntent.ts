import type { Intent, QuestionKind } from '../../core/analysis.ts';
import { EMOJI, PUNCTUATION, type Span } from './normalizeText.ts';

/** A sign in the reply that it is not (only) an answer. */
export interface IntentCue {
  intent: Exclude<Intent, 'answer'>;
  /**
   * Escalate, opt_out and back are always strong: they win over an answer in the same reply
   * (a score plus 我要投诉 is an escalation). A question is strong when it ends in ? or 吗.
   */
  strong: boolean;
  /** Where the cue's words are. */
  spans: Span[];
}

// A cue right after one of these is denied: 不用找人工, 没什么可投诉的.
const DENIED_BEFORE = /(?:不|没|别|无|不用|不要|不想|不需要|没必要|没什么可|没啥可)\s*(?:再|去|找|要)?\s*$/;

const ESCALATE: readonly RegExp[] = [
  /(?:转|找|要|叫|接|换|请|求|联系|让|喊|来)(?:一?个|一下|下)?(?:你们)?(?:的)?(?:人工|真人|活人|客服|经理|负责人|店长|老板|主管|领导|上级|管理员|工作人员|专员)/,
  /人工(?!费|智能|成本|合成|手工|的吗)/,
  /真人|活人|有人(?:吗|在吗|没有?|不)|有没有人|来个人|来人/,
  /(?:经理|负责人|店长|老板|主管|领导|上级)(?:来|出来|联系|给我|打电话|回电|呢|在哪|过来|出面|处理)/,
  /投诉|举报|12315|12345|消协|消费者协会|工商(?:局|部门)|市场监管|监管局|(?<!\d)315(?![\d元块])|曝光|律师|起诉|告你|告到|法院|走法律|法律途径|维权|报警|警察|媒体|记者|电视台|黑猫/,
  /(?:要|想|申请|给我|必须|赶紧|马上|立刻|立即|请|能不能|可以|怎么|如何|我要|快)(?:直接|马上|赶紧|给我|帮我)?退(?:款|钱|费|货)|^退(?:款|钱|费|货)[吧啊!。]*$/,
  /赔偿|赔钱|索赔|赔我|精神损失/,
  /(?:给我|跟我)(?:打|回)(?:个)?电话|(?:打|回)(?:个)?电话给我|电话联系我|(?:联系|回复)我(?:一下)?(?:吧)?$/,
];

const OPT_OUT: readonly RegExp[] = [
  /(?:别|不要|不用|不需要|勿|请勿|甭|莫|停止|不许|不准|不必)(?:再|总|老|一直|天天|老是)?(?:给我)?(?:发|推送|推|打扰|联系|骚扰|问|烦|打电话|来电|找我|回访|调查|问卷|发消息|发信息)/,
  /退订|取消订阅|取消关注|拉黑|屏蔽|删(?:了|掉)?(?:你|我)|unsubscribe|^td$|^t$|^stop$/,
  /烦不烦|别烦|烦人|你们(?:真|好|很|太)?烦|骚扰/,
  /拒绝(?:回答|参与|填写|评价|打分|回访)|不想(?:再)?(?:收到|接收|参与|填|回答|答|做|理|回复|被打扰|聊|打分|评分|评价)|不想说了?$|^删(?:了|掉)?(?:吧)?$|不参与|不填|不回答|没兴趣|不感兴趣|懒得(?:填|理|回|答)/,
  /^(?:滚|走开|闭嘴|滚蛋|勿扰)/,
];

// Declining the survey; on repurchase and timing questions the same words answer "no".
const DECLINE = /^(?:不用了?|不需要了?|不参加|不做了|算了吧?)(?:[,，\s]*(?:谢谢|谢了|多谢))?$/;

const BACK: readonly RegExp[] = [
  /上一(?:个|道)?(?:题|问题)|上个(?:题|问题)|上道题|前一(?:个|道)?题|前面(?:那|的)?(?:个|道)?(?:题|问题)|返回|回到上|回上一|退回/,
  /(?:刚才|刚刚|之前|前面)(?:的|那个|那道)?(?:题|问题|分数|评分|答案|回答|那个)?.{0,4}(?:(?<!不)错|改|不对|重新|重来)/,
  /上次(?:打|填|选|给)的?(?:分|分数|评分|答案)?.{0,4}(?:(?<!不)错|改|不对|重新|重来)/,
  /(?:打|填|选|写|按|点|说)错了/,
  /(?:修改|更改|更正)(?:一下)?(?:答案|分数|评分|回答)|重新(?:打分|评分|填|选|回答|答|来)|撤回/,
  /改(?:一下|下)?(?:刚才|刚刚|之前|前面|上一|上个)/,
];

const LATER: readonly RegExp[] = [
  /(?:在|正在|正)忙|忙着|很忙|太忙|有点忙|忙呢|忙完|^忙(?:啊|呢|着呢)?$|出差|在路上|在外地|在开车|开车呢|开车中|正在开车|我开车|在开会|开会呢|开会中|在上班|上班呢|在工作|没空|没时间|等会|等一会|等一下|等下|稍后|稍等|晚点|晚些|晚一点|过会|一会儿?再|待会|呆会|现在不方便|不方便|在外面|下班再|到家再|先不说了|在吃饭|吃饭呢|要睡了|睡觉了/,
  /回头(?:再)?(?:说|聊|回|填|弄|看)|(?:明天|晚上|下午|明早|周末|晚些|之后|晚会儿?|下班后?)(?:再)?(?:说|聊|填|回复?|弄|看|答)/,
];
// On other questions these mean "not now"; answering "when will you buy again" they are "undecided".
const LATER_UNLESS_TIMING = /改天|有空(?:再|的时候|了)|空了再|下次再(?:说|聊|填)|以后再说|再说吧?$|再聊吧?$/;

const QUESTION_WORDS =
  /什么|啥|怎么|为什么|为啥|咋|干嘛|哪(?!怕)|哪里|哪儿|哪个|哪家|哪位|哪些|谁|多少|几点|几号|几天|多久|多长时间|是否|是不是|能不能|可不可以|可以不|有没有|要不要|会不会|如何|何时|请问|想问|问一下|问下|咨询/;
// Words containing a question word that are statements: 没什么, 什么都好, 不怎么样.
const NOT_QUESTION = /没什么|没有什么|没啥|什么都|啥都|什么的|怎么说呢|不怎么|不咋|不知道(?:为什么|怎么)|不管怎么|多少有点|多少还是|说不上为什么/g;
const QUESTION_END = /\?|(?:吗|(?<![什怎这那多要])么)(?=$|[\s,.!~。，！…])/;

const ACKNOWLEDGEMENT =
  /^(?:嗯+|恩+|哦+|噢+|喔+|额+|呃+|啊+|哈+|呵+|嘿+|嘻+|嗯嗯好的?|好的?|好吧|好哒|好滴|好嘞|行吧?|收到了?|知道了?|了解了?|明白了?|ok+|okay|k|可以|嗯呢|是的?|对的?|随便|随意|都行|都可以|无所谓|不知道|不清楚|不晓得|不懂|没想法|你好|您好|hello|hi|在|在的|在吗|喂|嗯哼|1|asdf\w*|test|测试)$/;

function matchAll(text: string, patterns: readonly RegExp[]): Span[] | null {
  const spans: Span[] = [];
  for (const re of patterns) {
    for (const m of text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`))) {
      const start = m.index ?? 0;
      if (DENIED_BEFORE.test(text.slice(Math.max(0, start - 6), start))) continue;
      spans.push([start, start + m[0].length]);
    }
  }
  return spans.length > 0 ? spans : null;
}

/** True when the reply is only emoji (and punctuation). */
export function isEmojiOnly(text: string): boolean {
  const bare = text.replace(PUNCTUATION, '');
  return bare !== '' && bare.replace(EMOJI, '') === '';
}

/** True when the reply, without punctuation and emoji, is only an acknowledgement or filler. */
export function isAcknowledgement(text: string): boolean {
  const bare = text.replace(PUNCTUATION, '').replace(EMOJI, '');
  return bare === '' || ACKNOWLEDGEMENT.test(bare);
}

/** True when the reply asks something: a question mark, 吗, or a question word that is not part of a statement. */
export function looksLikeQuestion(text: string): { strong: boolean } | null {
  if (QUESTION_END.test(text)) return { strong: true };
  if (/^(?:请问|想问|问一下|问下)/.test(text)) return { strong: true };
  return QUESTION_WORDS.test(text.replace(NOT_QUESTION, '')) ? { strong: false } : null;
}

/**
 * Finds the non-answer intents in a normalised reply, strongest first: escalate (wants a person,
 * complains, threatens), opt_out (stop messaging me), back (change the previous answer), later
 * (busy now), question, unclear (only an acknowledgement). The caller decides whether an answer in
 * the same reply wins; escalate, opt_out and back are strong and win over a score.
 *
 * @example
 * detectIntent('我现在开车，回头说', 'reason')?.intent // 'later'
 */
export function detectIntent(text: string, kind: QuestionKind): IntentCue | null {
  const escalate = matchAll(text, ESCALATE);
  if (escalate) return { intent: 'escalate', strong: true, spans: escalate };
  const optOut = matchAll(text, kind === 'repurchase' || kind === 'timing' ? OPT_OUT : [...OPT_OUT, DECLINE]);
  if (optOut) return { intent: 'opt_out', strong: true, spans: optOut };
  const back = matchAll(text, BACK);
  if (back) return { intent: 'back', strong: true, spans: back };
  const later = matchAll(text, kind === 'timing' ? LATER : [...LATER, LATER_UNLESS_TIMING]);
  if (later) return { intent: 'later', strong: false, spans: later };
  const question = looksLikeQuestion(text);
  if (question) return { intent: 'question', strong: question.strong, spans: [] };
  if (isAcknowledgement(text)) return { intent: 'unclear', strong: false, spans: [[0, text.length]] };
  return null;
}
