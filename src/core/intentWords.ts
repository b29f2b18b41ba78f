import { foldText } from './foldText.ts';

/**
 * Words that ask for something instead of answering: a person (转人工), to skip or stop
 * (不想答, 跳过), politely wrapped (我要…, 请帮我…吧). A reply made only of these is never an
 * answer, whatever sentiment the analyser read in it: the engine does not store it as one, and
 * analytics does not count one stored before (a rebuild drops them). Shared by engine/ and
 * sessionFacts/, which cannot see the analyser's own intent patterns (nlu/).
 */
const REQUEST_WORDS = [
  /(?:转|找|要|叫|接|换|请|求|联系|让|喊|来)?(?:一?个|一下|下)?(?:你们)?(?:的)?(?:人工(?:客服|服务)?|真人|活人|客服|经理|店长|负责人)/g,
  /不想(?:再)?(?:回答|作答|答|说|填|回复|评价|打分|评分)|拒绝(?:回答|作答|评价|打分)|不回答|不答|跳过|略过|pass|skip/g,
];
/** Politeness and filler around a request: 我要, 请, 帮我, 吧, 啊, 谢谢. */
const FILLER = /我要|我想|我|请|麻烦|帮我|给我|你们|直接|马上|赶紧|快点?|一下|吧|啊|呀|哈|呢|了|谢谢|好吗|可以吗|行吗/g;
const PUNCTUATION_AND_SPACE = /[\s\p{P}\p{S}]/gu;

/**
 * True when the reply says nothing but a request (转人工, 不想答, 我要找客服！): nothing is
 * left once request words, filler and punctuation are taken out.
 *
 * @example
 * isOnlyRequestWords('转人工') // true
 * isOnlyRequestWords('等太久了，转人工') // false: the wait is a reason
 */
export function isOnlyRequestWords(text: string): boolean {
  let rest = foldText(text);
  let matched = false;
  for (const words of REQUEST_WORDS) {
    const next = rest.replace(words, '');
    matched ||= next !== rest;
    rest = next;
  }
  return matched && rest.replace(FILLER, '').replace(PUNCTUATION_AND_SPACE, '') === '';
}
