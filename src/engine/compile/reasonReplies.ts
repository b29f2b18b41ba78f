import type { Analysis, SentimentLabel } from '../../core/analysis.ts';
import type { Flow, NpsGroup } from '../definition/flowSchema.ts';
import { npsGroupOf } from '../definition/npsGroupOf.ts';
import type { RecordedAnswer } from '../runtime/turnResult.ts';

/**
 * What the bot says to a reason, by its topic and tone (rules only): an acknowledgement that names
 * what the customer said, or a short probe when they said nothing in particular ("一般", "还行").
 */

const negativeAcks: Record<string, string> = {
  等待时间: '让您等了这么久，真的很抱歉。',
  服务态度: '服务态度让您不舒服，非常抱歉。',
  专业度: '专业上没能让您放心，很抱歉。',
  效果: '效果没达到您的预期，很抱歉。',
  价格: '价格方面的意见我们记下了。',
  环境: '环境方面让您不满意，我们一定改进。',
  推销: '让您感到被推销，非常抱歉。',
  沟通: '沟通上没做好，很抱歉。',
  售后: '售后的问题我们会认真跟进。',
};

const positiveAcks: Record<string, string> = {
  服务态度: '很高兴您喜欢我们的服务！',
  专业度: '谢谢您认可我们的专业！',
  效果: '效果让您满意，真是太好了！',
  环境: '谢谢您喜欢我们的环境！',
  价格: '谢谢您认可我们的价格！',
  等待时间: '谢谢您认可我们的效率！',
  沟通: '谢谢您认可我们的沟通！',
};

/**
 * The acknowledgement naming a reason's first known topic, or undefined when it names none. Praise
 * is thanked as praise only from a promoter (or when no NPS was given): a passive's "价格再实惠一点
 * 就好" is a wish, whatever warmth the words carry.
 */
export function reasonAck(analysis: Pick<Analysis, 'topics' | 'sentiment'>, group?: NpsGroup): string | undefined {
  const read: SentimentLabel = analysis.sentiment?.label ?? 'neutral';
  const label: SentimentLabel = read === 'positive' && group !== undefined && group !== 'promoter' ? 'neutral' : read;
  const table = label === 'positive' ? positiveAcks : label === 'negative' ? negativeAcks : {};
  const topic = analysis.topics.find((t) => table[t] !== undefined);
  if (topic !== undefined) return table[topic];
  if (analysis.topics.length === 0) return undefined;
  return label === 'negative' ? '您说的情况我们记下了，非常抱歉。' : label === 'positive' ? '谢谢您的认可！' : '谢谢，您说的我们记下了。';
}

// A verdict with nothing in it: the whole reply is one of these (punctuation and particles aside).
const VAGUE = /^(?:一般般?|还行|还可以|还好|凑合|马马虎虎|就那样|普普通通|普通|不错|挺好|很好|都挺好|都好|都还行|都可以|满意|还算满意|不太好|不好|不怎么样|差|不满意|ok|可以|行)$/i;
const PARTICLES = /[\s,.!?~。，！？…吧啊呀了的哈嘛呢哦嗯吧呗]+/g;

/** A reason that says nothing in particular ("一般", "还行", "都挺好的"): no topic, just a verdict. */
export function isVagueReason(text: string, analysis: Pick<Analysis, 'topics'>): boolean {
  return analysis.topics.length === 0 && VAGUE.test(text.replace(PARTICLES, ''));
}

/** One short either/or about a vague reason: what it was about. */
export function reasonProbe(text: string, analysis: Pick<Analysis, 'sentiment'>): string {
  const word = text.replace(PARTICLES, '');
  if (analysis.sentiment?.label === 'positive' && !/^(?:一般般?|还行|还可以|还好|凑合|马马虎虎|就那样|普普通通|普通)$/.test(word)) return '最满意的是哪方面呢？环境、服务还是效果？';
  if (/^(?:一般般?|还行|还可以|还好|凑合|马马虎虎|就那样|普普通通|普通)$/.test(word)) return `是哪方面${word.startsWith('一般') ? '一般' : '还差一点'}呢？环境、服务还是效果？`;
  return '是哪方面让您不满意呢？环境、服务还是效果？';
}

/** The session's NPS group: of the flow's first NPS step with a score. */
export function npsGroupIn(flow: Flow, answers: Readonly<Record<string, RecordedAnswer>>): NpsGroup | undefined {
  const step = flow.steps.find((s) => s.kind === 'nps' && typeof answers[s.id]?.value === 'number');
  const value = step === undefined ? undefined : answers[step.id]?.value;
  return typeof value === 'number' ? npsGroupOf(value) : undefined;
}
