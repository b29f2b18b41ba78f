import { purchaseFactorSchema } from '../core/analysis.ts';
import type { NpsGroup } from '../engine/index.ts';
import { maskPii } from '../core/maskPii.ts';
import { dimensions } from '../sessionFacts/dimensions.ts';
import { sessionInterest, TIMING_LABELS } from '../sessionFacts/interest.ts';
import type { CatalogStep, ProductName } from '../sessionFacts/stepCatalog.ts';
import type { AnswerFact, ResponseFacts } from '../sessionFacts/types.ts';

/** UTF-8 byte order mark: Excel reads a CSV as UTF-8 (Chinese intact) only with it. */
export const BOM = '\uFEFF';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. Text a customer
 * wrote that starts like a formula (= + - @) gets a leading apostrophe so spreadsheets show it
 * instead of running it.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: ReadonlyArray<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

const STATUS: Record<string, string> = { active: '进行中', paused: '暂停', escalated: '转人工中', completed: '已完成', opted_out: '已退订', expired: '已过期' };
const SEGMENT: Record<string, string> = { loyal: '忠诚', at_risk: '流失风险', potential: '潜力', other: '其他' };
const GROUP: Record<NpsGroup, string> = { promoter: '推荐者', passive: '中立者', detractor: '贬损者' };
const SENTIMENT: Record<string, string> = { positive: '正面', neutral: '中性', negative: '负面' };
const TIMING: Record<string, string> = TIMING_LABELS;
/** Purchase factors as the dashboard and the /admin preview name them. */
export const FACTOR_LABELS: Record<string, string> = { price: '价格优惠', effect: '效果', convenience: '便利时间', advisor: '顾问', range: '项目丰富' };

/**
 * The export's interest columns (after the answers): the session's purchase window, then one
 * column per catalogue item of the flow (1 when any answer of the session named it, else blank;
 * which answer did is in that answer's 解读 column), one for "都行", and one per purchase factor.
 */
function interestHeader(products: readonly ProductName[]): string[] {
  return ['购买时间窗口', ...products.map((p) => `意向项目：${p.name}`), '意向项目：都可以', ...purchaseFactorSchema.options.map((f) => `考虑因素：${FACTOR_LABELS[f]}`)];
}

function interestRow(facts: ResponseFacts, products: readonly ProductName[], timeZone: string): string[] {
  const interest = sessionInterest(facts.answers, timeZone);
  const named = new Set(interest.products.map((p) => p.id));
  const factors = new Set<string>(interest.factors.map((f) => f.id));
  const w = interest.window;
  return [
    w ? `${TIMING[w.bucket] ?? w.bucket}${w.startDay ? `（${w.startDay} 起）` : ''}` : '',
    ...products.map((p) => (named.has(p.id) ? '1' : '')),
    interest.openInterest ? '1' : '',
    ...purchaseFactorSchema.options.map((f) => (factors.has(f) ? '1' : '')),
  ];
}

/**
 * The export's header: session columns, one per dimension, raw text and reading per question
 * step, then the interest columns (purchase window, catalogue items, factors).
 */
export function exportHeader(catalog: readonly CatalogStep[], products: readonly ProductName[] = []): string[] {
  return [
    '会话ID',
    '客户ID',
    '昵称',
    '流程',
    '版本',
    '开始时间',
    '完成时间',
    '状态',
    '分群',
    ...dimensions.map((d) => d.label),
    ...catalog.flatMap((s) => [`${s.stepId}（${s.label}）原文`, `${s.stepId} 解读`]),
    ...interestHeader(products),
  ];
}

/**
 * One session as an export row, matching `exportHeader`; times in `timeZone`. The customer's
 * words (answers' text, nickname) have their personal numbers masked: an export is a file that
 * travels by mail and chat, far from the roles that guard the console.
 */
export function exportRow(facts: ResponseFacts, catalog: readonly CatalogStep[], timeZone: string, products: readonly ProductName[] = []): string[] {
  const byStep = new Map(facts.answers.map((a) => [a.stepId, a]));
  const names = new Map(products.map((p) => [p.id, p.name]));
  return [
    facts.sessionId,
    facts.customerId,
    maskPii(facts.nickname ?? ''),
    facts.flowId,
    String(facts.flowVersion),
    formatTime(facts.createdAt, timeZone),
    facts.completedAt ? formatTime(facts.completedAt, timeZone) : '',
    statusText(facts),
    facts.segment ? SEGMENT[facts.segment] ?? facts.segment : '',
    ...dimensions.map((d) => facts.dims[d.key] ?? ''),
    ...catalog.flatMap((s) => {
      const a = byStep.get(s.stepId);
      return a ? [maskPii(a.raw), reading(a, s, names)] : ['', ''];
    }),
    ...interestRow(facts, products, timeZone),
  ];
}

/** The session's status; a session that was handed to a person and then moved on says so (已完成（曾转人工）). */
function statusText(facts: ResponseFacts): string {
  const now = STATUS[facts.status] ?? facts.status;
  return facts.escalation && facts.status !== 'escalated' ? `${now}（曾转人工）` : now;
}

/** What the analyser made of an answer, in words: value (and group), sentiment, topics, timing, products (by name), factors. */
export function reading(a: AnswerFact, step?: CatalogStep, productNames: ReadonlyMap<string, string> = new Map()): string {
  if (a.missing) return '（未能识别，已跳过）';
  const parts: string[] = [];
  if (a.kind === 'nps' && typeof a.value === 'number') parts.push(`${a.value}分（${GROUP[a.value >= 9 ? 'promoter' : a.value >= 7 ? 'passive' : 'detractor']}）`);
  else if (a.kind === 'choice') {
    const ids = Array.isArray(a.value) ? a.value : typeof a.value === 'string' ? [a.value] : [];
    parts.push(ids.map((id) => step?.options?.find((o) => o.id === id)?.label ?? id).join('、'));
  } else if (typeof a.value === 'number') parts.push(`${a.value}分`);
  if (a.sentiment) parts.push(`情感：${SENTIMENT[a.sentiment.label] ?? a.sentiment.label}`);
  if (a.topics.length) parts.push(`话题：${a.topics.join('、')}`);
  if (a.timing) parts.push(`时间：${TIMING[a.timing] ?? a.timing}`);
  if (a.products.length) parts.push(`产品：${a.products.map((id) => productNames.get(id) ?? id).join('、')}`);
  if (a.openInterest) parts.push('产品：都可以');
  if (a.factors?.length) parts.push(`考虑因素：${a.factors.map((f) => FACTOR_LABELS[f] ?? f).join('、')}`);
  return parts.join('；');
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** `2026-11-23 10:05:09` in `timeZone`. */
export function formatTime(at: Date, timeZone: string): string {
  let f = timeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    timeFormats.set(timeZone, f);
  }
  return f.format(at);
}
