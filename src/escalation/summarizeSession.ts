import type { SessionRecord, TranscriptEntry } from '../core/sessions.ts';

/** Chinese labels of escalation triggers, for notifications and the console. */
export const triggerLabels: Readonly<Record<string, string>> = {
  detractor: '贬损者（NPS 0–6）',
  negative: '负面反馈',
  intent: '客户要求人工',
  unreadable: '多次无法识别回复',
  manual: '转人工',
};

/** What the advisor needs to know about a session, read from its answers and transcript. */
export interface SessionFacts {
  /** The NPS answer, if given. */
  score?: number;
  /** The customer's latest words (up to two messages), clipped. */
  customerWords?: string;
  /** Answers so far, e.g. "NPS 3 分", "预约流程 2/5", "已答 2 题". */
  scores: string[];
  /** How the customer feels and what they talk about, e.g. "情绪负面", "关注：等待时间". */
  mood: string[];
  /** `scores` and `mood` together, for an LLM. */
  facts: string[];
  /** The transcript as "顾客：…" / "机器人：…" lines, for an LLM. */
  lines: string[];
}

interface StoredAnswer {
  kind?: string;
  value?: unknown;
  raw?: string;
  missing?: boolean;
  touchpoint?: string;
}

interface StoredAnalysis {
  sentiment?: { label?: string } | null;
  topics?: string[];
}

const AUTHOR_LABEL: Record<string, string> = { customer: '顾客', bot: '机器人', advisor: '顾问', system: '系统' };

/**
 * Reads the facts an advisor notification and the console show. Pure: everything comes from the
 * session record and its transcript (without it, only the answers are read).
 *
 * @example
 * const facts = readSessionFacts(session, transcript); // { score: 3, customerWords: '3 / 等了两个小时', facts: [...] }
 */
export function readSessionFacts(session: SessionRecord, transcript: TranscriptEntry[] = []): SessionFacts {
  const answers = Object.values(session.answers) as StoredAnswer[];
  const nps = answers.find((a) => a.kind === 'nps' && typeof a.value === 'number');
  const scores: string[] = [];
  if (nps) scores.push(`NPS ${String(nps.value)} 分`);
  for (const a of answers) {
    if (a.kind === 'csat' && typeof a.value === 'number') scores.push(`${a.touchpoint ?? '满意度'} ${a.value}/5`);
  }
  const answered = answers.filter((a) => !a.missing).length;
  scores.push(answered ? `已答 ${answered} 题` : '尚未答题');
  const analyses = Object.values(session.analysis) as StoredAnalysis[];
  const mood: string[] = [];
  if (analyses.some((a) => a.sentiment?.label === 'negative')) mood.push('情绪负面');
  const topics = [...new Set(analyses.flatMap((a) => a.topics ?? []))].slice(0, 4);
  if (topics.length) mood.push(`关注：${topics.join('、')}`);

  const said = transcript.filter((t) => t.author === 'customer' && t.direction === 'in').map((t) => t.text.trim()).filter(Boolean);
  const customerWords = said.length ? clip(said.slice(-2).join(' / '), 200) : undefined;
  const lines = transcript
    .filter((t) => t.author !== 'system')
    .map((t) => `${AUTHOR_LABEL[t.author] ?? t.author}：${t.text.replace(/\s+/g, ' ')}`);
  return { ...(nps ? { score: nps.value as number } : {}), ...(customerWords ? { customerWords } : {}), scores, mood, facts: [...scores, ...mood], lines };
}

/**
 * The rule-based two-line summary: line one the answers so far, line two mood, topics and how
 * much the customer wrote (their words themselves are shown separately).
 */
export function ruleSummary(transcript: TranscriptEntry[], facts: SessionFacts): string[] {
  const count = transcript.filter((t) => t.author === 'customer').length;
  return [facts.scores.join('；'), [...facts.mood, `顾客共发 ${count} 条消息`].join('；')];
}

/** Shortens `text` to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}
