import { describe, expect, it } from 'vitest';
import type { AnalysisRequest, Intent, QuestionKind, SentimentLabel } from '../../../src/core/analysis.ts';
import { createRuleAnalyzer } from '../../../src/nlu/ruleAnalyzer.ts';

// One table per phenomenon of issue 19. Each row is read by the rule analyser alone; the rows are
// not the dev-set lines, so they check the general handling rather than a remembered example.
const rules = createRuleAnalyzer();
const NOW = new Date('2026-11-23T10:00:00+08:00');

function read(question: QuestionKind, text: string, extra: Partial<AnalysisRequest> = {}) {
  return rules.read({ question, text, now: NOW, timeZone: 'Asia/Shanghai', ...extra });
}
const sentimentOf = (q: QuestionKind, t: string) => read(q, t).analysis.sentiment?.label ?? null;

describe('negation scope and double negation', () => {
  it.each<[string, SentimentLabel]>([
    ['不满意', 'negative'],
    ['一点都不专业', 'negative'],
    ['没有不满意的', 'positive'],
    ['不是不好，就是普通', 'neutral'],
    ['不能说不好吧', 'positive'],
    ['毛病一点没有', 'positive'],
    ['没想到效果这么好', 'positive'],
    ['不得不说技师真的专业', 'positive'],
    ['改了三次都没嫌麻烦', 'positive'],
    ['谈不上喜欢', 'negative'],
    ['未见好转', 'negative'],
    ['别提了，糟糕透了', 'negative'],
    ['别的都不错', 'positive'],
    ['不让我退，气死了', 'negative'],
  ])('reason "%s" → %s', (text, label) => {
    expect(sentimentOf('reason', text)).toBe(label);
  });

  it('ends a negation at a completed action: 别再发了 does not deny 烦死了', () => {
    const r = read('nps', '别再发了烦死了');
    expect(r.analysis.intent).toBe('opt_out');
    expect(r.analysis.sentiment?.label).toBe('negative');
  });

  it('leaves a doubly negated verdict unsettled', () => {
    const r = read('csat', '也不是不满意');
    expect(r.doubts.has('negation')).toBe(true);
    expect(r.settled.has('sentiment')).toBe(false);
  });
});

describe('Cantonese, Sichuan and Northeastern words', () => {
  it.each<[QuestionKind, string, number | null, SentimentLabel | null]>([
    ['repurchase', '唔会再嚟喇', 1, 'negative'],
    ['repurchase', '冇可能再嚟', 0, 'negative'],
    ['csat', '冇问题，好正', 5, 'positive'],
    ['csat', '唔系几满意', 2, 'negative'],
    ['reason', '啲菜好难食', null, 'negative'],
    ['reason', '巴适得板', null, 'positive'],
    ['reason', '莫得问题', null, 'positive'],
    ['reason', '老板人老好了', null, 'positive'],
    ['reason', '屋里贼埋汰', null, 'negative'],
    ['reason', '态度杠杠的', null, 'positive'],
    ['csat', '整挺好', 4, 'positive'],
    ['reason', '服务拉胯', null, 'negative'],
  ])('%s "%s" → score %s, %s', (question, text, score, label) => {
    const a = read(question, text).analysis;
    expect(a.score).toBe(score);
    expect(a.sentiment?.label ?? null).toBe(label);
  });

  it('reads Cantonese timing words too', () => {
    expect(read('timing', '唔知，睇下先').analysis.timing?.bucket).toBe('undecided');
    expect(read('timing', '唔会再嚟').analysis.timing?.bucket).toBe('never');
  });
});

describe('arithmetic on scores', () => {
  it.each<[QuestionKind, string, number]>([
    ['nps', '原本打算打满分，减两分', 8],
    ['nps', '扣三分', 7],
    ['nps', '满分，但要扣一分', 9],
    ['nps', '9分减2分', 7],
    ['nps', '本来想打6分，看在小姑娘热情加2分', 8],
    ['nps', '离满分差一分', 9],
    ['nps', '十分之六', 6],
    ['nps', '5分之3', 6],
    ['nps', '满分5分给5分', 10],
    ['nps', '满分100，给70', 7],
    ['csat', '满分10分给6分', 3],
    ['nps', '打九分，扣的一分是因为停车', 9],
  ])('%s "%s" → %s, derived scores unsettled', (question, text, score) => {
    const r = read(question, text);
    expect(r.analysis.score).toBe(score);
    expect(r.analysis.intent).toBe('answer');
  });

  it('never settles a worked-out score', () => {
    const r = read('nps', '满分扣两分');
    expect(r.analysis.score).toBe(8);
    expect(r.doubts.has('derived')).toBe(true);
    expect(r.settled.has('score')).toBe(false);
  });
});

describe('ranges and two numbers', () => {
  it.each<[string, number[]]>([
    ['七八分', [7, 8]],
    ['8到9分吧', [8, 9]],
    ['6或7', [6, 7]],
    ['八分或者九分', [8, 9]],
    ['8.5分', [8]],
    ['服务9分，环境6分', [9, 6]],
  ])('nps "%s" → one of %j, unsettled (the conversation asks which)', (text, options) => {
    const r = read('nps', text);
    expect(options).toContain(r.analysis.score);
    expect(r.scoreOptions).toEqual(options.length > 1 ? options : [8, 9]);
    expect(r.doubts.has('range')).toBe(true);
    expect(r.settled.has('score')).toBe(false);
  });
});

describe('hypotheticals and conditionals', () => {
  it.each<[string, number | null]>([
    ['如果再便宜点就给满分', null],
    ['要是服务员勤快点就10分了', null],
    ['假如下次还这样就0分', null],
    ['万一效果好，就给9分', null],
    ['要不是等太久，肯定给满分', null],
    ['现在6分，如果改进了就满分', 6],
    ['除非降价，否则最多7分', 7],
    ['如果满分是10分，我打8分', 8],
  ])('nps "%s" → %s', (text, score) => {
    const r = read('nps', text);
    expect(r.analysis.score).toBe(score);
    expect(r.analysis.intent).toBe('answer');
    expect(r.settled.has('score')).toBe(score !== null && r.settled.has('score'));
  });

  it.each<[string, SentimentLabel]>([
    ['要是前台热情点就好了', 'negative'],
    ['如果停车方便些就好了', 'negative'],
  ])('a wish "%s" is a mild complaint', (text, label) => {
    expect(sentimentOf('reason', text)).toBe(label);
  });

  it('a condition makes a yes a maybe on the repurchase question', () => {
    expect(read('repurchase', '有活动的话会来').analysis.score).toBe(3);
    expect(read('repurchase', '要是还有优惠就来').analysis.score).toBe(3);
    expect(read('repurchase', '如果不涨价，肯定会来').analysis.score).toBe(4);
  });
});

describe('rhetorical questions and exclamations', () => {
  it.each<[string, Intent, SentimentLabel]>([
    ['这叫什么售后！', 'answer', 'negative'],
    ['这也叫五星酒店？', 'answer', 'negative'],
    ['还能再贵一点吗？', 'answer', 'negative'],
    ['有这样对待老顾客的吗', 'answer', 'negative'],
    ['凭什么让我等这么久', 'answer', 'negative'],
    ['你们是在开玩笑吗', 'answer', 'negative'],
    ['什么破地方', 'answer', 'negative'],
    ['哪有不好，挺好的', 'answer', 'positive'],
    ['怎么会这么舒服！', 'answer', 'positive'],
  ])('reason "%s" → %s, %s', (text, intent, label) => {
    const a = read('reason', text).analysis;
    expect(a.intent).toBe(intent);
    expect(a.sentiment?.label).toBe(label);
  });

  it('still takes a real question as one', () => {
    expect(read('nps', '你们几点关门？').analysis.intent).toBe('question');
    expect(read('reason', '这个卡能退吗？').analysis.intent).not.toBe('answer');
  });
});

describe('sarcasm', () => {
  it.each<[string, SentimentLabel]>([
    ['呵呵', 'negative'],
    ['呵呵，真棒', 'negative'],
    ['服务可真是"热情"', 'negative'],
    ['真是太专业了，同一个问题答错三次', 'negative'],
    ['好一个五星服务', 'negative'],
    ['谢谢你们让我白跑一趟', 'negative'],
    ['真是太满意了！', 'positive'],
    ['真是太感谢了，问题很快就解决了', 'positive'],
  ])('reason "%s" → %s', (text, label) => {
    expect(sentimentOf('reason', text)).toBe(label);
  });

  it('never settles a sarcastic reading', () => {
    const r = read('reason', '呵呵，服务可真周到');
    expect(r.doubts.has('sarcasm')).toBe(true);
    expect(r.settled.has('sentiment')).toBe(false);
  });
});

describe('homophone and input-method typos of numbers', () => {
  it.each<[string, number]>([
    ['久分', 9],
    ['打酒分', 9],
    ['给个巴分', 8],
    ['把分', 8],
    ['流分吧', 6],
    ['起分', 7],
    ['思分', 4],
    ['伞分', 3],
    ['8芬', 8],
  ])('nps "%s" → %s, unsettled', (text, score) => {
    const r = read('nps', text);
    expect(r.analysis.score).toBe(score);
    expect(r.settled.has('score')).toBe(false);
  });

  it('leaves words that only look like typos alone', () => {
    expect(read('reason', '巴适得很').analysis.sentiment?.label).toBe('positive');
    expect(read('nps', '把分打高点').analysis.score).toBeNull();
    expect(read('nps', '起来再说').analysis.score).toBeNull();
  });
});

describe('English and Chinglish', () => {
  it.each<[QuestionKind, string, number | null, SentimentLabel | null]>([
    ['reason', 'not bad', null, 'positive'],
    ['reason', 'not good', null, 'negative'],
    ['csat', 'so-so', 3, 'neutral'],
    ['csat', 'very good', 5, 'positive'],
    ['nps', '9 points', 9, 'positive'],
    ['nps', 'nice, 8', 8, 'positive'],
    ['reason', '服务very nice', null, 'positive'],
    ['reason', 'the staff were rude', null, 'negative'],
    ['repurchase', 'definitely', 5, null],
    ['repurchase', 'no way', 0, 'negative'],
    ['repurchase', 'probably not', 1, null],
  ])('%s "%s" → %s, %s', (question, text, score, label) => {
    const a = read(question, text).analysis;
    expect(a.score).toBe(score);
    if (label !== null) expect(a.sentiment?.label).toBe(label);
  });

  it.each<[string, string]>([
    ['next week', 'within_1_month'],
    ['maybe next month', 'within_1_month'],
    ['in 2 months', '1_3_months'],
    ['tomorrow', 'within_1_month'],
    ['not sure', 'undecided'],
    ['next year', '6_12_months'],
  ])('timing "%s" → %s', (text, bucket) => {
    expect(read('timing', text).analysis.timing?.bucket).toBe(bucket);
  });
});

describe('emoji on every question kind', () => {
  it.each<[QuestionKind, string, SentimentLabel, number | null]>([
    ['nps', '👍', 'positive', null],
    ['nps', '😡😡', 'negative', null],
    ['nps', '🤮', 'negative', null],
    ['nps', '❤️', 'positive', null],
    ['csat', '👍', 'positive', 4],
    ['csat', '🤮', 'negative', 1],
    ['rating', '🙂', 'positive', 4],
    ['repurchase', '👍', 'positive', 4],
    ['repurchase', '😡', 'negative', 0],
    ['reason', '👎', 'negative', null],
  ])('%s "%s" → %s, score %s', (question, text, label, score) => {
    const a = read(question, text).analysis;
    expect(a.intent).toBe('answer');
    expect(a.sentiment?.label).toBe(label);
    expect(a.score).toBe(score);
  });

  it('keeps a laughing emoji as filler', () => {
    expect(read('nps', '😂').analysis.intent).toBe('unclear');
  });
});

describe('voice-input fillers', () => {
  it.each<[QuestionKind, string, number | null, SentimentLabel | null]>([
    ['nps', '嗯那个就是，8分吧', 8, null],
    ['nps', '呃，这个，怎么说呢，七分', 7, null],
    ['nps', '那个那个十分', 10, null],
    ['reason', '就是那个，嗯，技师挺专业的', null, 'positive'],
    ['reason', '然后那个，就是，等得太久了', null, 'negative'],
  ])('%s "%s"', (question, text, score, label) => {
    const a = read(question, text).analysis;
    expect(a.intent).toBe('answer');
    expect(a.score).toBe(score);
    if (label) expect(a.sentiment?.label).toBe(label);
  });

  it('keeps 就是 as "but" inside a verdict', () => {
    expect(sentimentOf('reason', '东西挺好，就是有点贵')).not.toBe('negative');
  });
});

describe('implicit complaints and praise', () => {
  it.each<[string, SentimentLabel]>([
    ['做完又返工了一次', 'negative'],
    ['才买一周就坏了', 'negative'],
    ['投诉了也没人管', 'negative'],
    ['发票金额对不上', 'negative'],
    ['莫名其妙乱收费', 'negative'],
    ['买到的是假的', 'negative'],
    ['前台等了40分钟', 'negative'],
    ['一分钱一分货吧', 'negative'],
    ['以后再也不选这家了', 'negative'],
    ['客服电话一直打不通', 'negative'],
    ['说好的包邮，结果又收了运费', 'negative'],
    ['实物跟图片差太多', 'negative'],
    ['房间里有蟑螂', 'negative'],
    ['第二次来了', 'positive'],
    ['下次还约这个技师', 'positive'],
    ['一个电话就解决了', 'positive'],
    ['带着我妈一起来的', 'positive'],
    ['一口气看完了', 'positive'],
  ])('reason "%s" → %s', (text, label) => {
    expect(sentimentOf('reason', text)).toBe(label);
  });
});

describe('sentiment is read even when the reply escalates', () => {
  it('an escalation carries a negative sentiment, settled when it is a plain complaint', () => {
    const r = read('nps', '我要投诉，态度太差了');
    expect(r.analysis.intent).toBe('escalate');
    expect(r.analysis.sentiment?.label).toBe('negative');
    expect(r.settled.has('sentiment')).toBe(true);
  });
});

describe('settling stays conservative around questions, conditions, bounds and double negations', () => {
  it.each<[QuestionKind, string]>([
    ['nps', '不到六分'],
    ['nps', '八分以上吧'],
    ['nps', '要是便宜点就给10分'],
    ['nps', '8分？'],
    ['nps', '不是不给十分'],
  ])('%s "%s" leaves the score unsettled', (question, text) => {
    expect(read(question, text).settled.has('score')).toBe(false);
  });

  it('an escalation under a condition or in a question is not settled', () => {
    expect(read('repurchase', '除非换个店长').settled.has('intent')).toBe(false);
    expect(read('csat', '怎么投诉你们？').settled.has('intent')).toBe(false);
  });

  it.each<[string, number]>([
    ['没有不来的道理', 5],
    ['非买不可', 5],
    ['怎么能不来', 5],
    ['不来干嘛，卡都办了', 5],
    ['还来个屁', 1],
    ['不太会', 2],
    ['做梦吧', 0],
  ])('repurchase "%s" → %i', (text, level) => {
    expect(read('repurchase', text).analysis.score).toBe(level);
  });
});

describe('digit homophones and English scores, only before 分 or as a score', () => {
  it.each<[string, number]>([
    ['给个琪分', 7],
    ['玖分', 9],
    ['陆分吧', 6],
    ['给个伍分', 5],
    ['seven', 7],
    ['9 points', 9],
    ['6 out of 10', 6],
    ['💯', 10],
  ])('nps "%s" → %i, never settled when a typo was read', (text, score) => {
    const r = read('nps', text);
    expect(r.analysis.score).toBe(score);
    if (/[\u4e00-\u9fff]/.test(text) && !/^💯$/.test(text)) expect(r.settled.has('score')).toBe(false);
  });

  it('leaves 十分 ("very") and common words before 分 alone', () => {
    expect(read('csat', '十分满意').analysis.score).toBe(5);
    expect(read('reason', '期待已久，分量足').analysis.score).toBeNull();
  });
});
