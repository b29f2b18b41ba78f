import type { NpsGroup } from '../engine/index.ts';
import { dimensions } from './dimensions.ts';
import type { CatalogStep } from './stepCatalog.ts';
import type { AnswerFact, ResponseFacts } from './types.ts';

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
const TIMING: Record<string, string> = {
  within_1_month: '1个月内',
  '1_3_months': '1-3个月',
  '3_6_months': '3-6个月',
  '6_12_months': '6-12个月',
  over_12_months: '12个月以上',
  undecided: '未决定',
  never: '不会',
};

/** The export's header: session columns, one per dimension, then raw text and reading per question step. */
export function exportHeader(catalog: readonly CatalogStep[]): string[] {
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
  ];
}

/** One session as an export row, matching `exportHeader`; times in `timeZone`. */
export function exportRow(facts: ResponseFacts, catalog: readonly CatalogStep[], timeZone: string): string[] {
  const byStep = new Map(facts.answers.map((a) => [a.stepId, a]));
  return [
    facts.sessionId,
    facts.customerId,
    facts.nickname ?? '',
    facts.flowId,
    String(facts.flowVersion),
    formatTime(facts.createdAt, timeZone),
    facts.completedAt ? formatTime(facts.completedAt, timeZone) : '',
    STATUS[facts.status] ?? facts.status,
    facts.segment ? SEGMENT[facts.segment] ?? facts.segment : '',
    ...dimensions.map((d) => facts.dims[d.key] ?? ''),
    ...catalog.flatMap((s) => {
      const a = byStep.get(s.stepId);
      return a ? [a.raw, reading(a, s)] : ['', ''];
    }),
  ];
}

/** What the analyser made of an answer, in words: value (and group), sentiment, topics, timing, products. */
export function reading(a: AnswerFact, step?: CatalogStep): string {
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
  if (a.products.length) parts.push(`产品：${a.products.join('、')}`);
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
