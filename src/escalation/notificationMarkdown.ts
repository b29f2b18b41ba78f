import type { EscalationRecord } from '../core/escalations.ts';
import { maskPii } from '../core/maskPii.ts';
import { clip, triggerLabels } from './summarizeSession.ts';

/** WeCom limits in UTF-8 bytes: robot markdown 4096, app markdown 2048 (kept under, for safety). */
export const ROBOT_MARKDOWN_BYTES = 4_000;
export const APP_MARKDOWN_BYTES = 2_000;

/**
 * Makes customer text inert inside WeCom markdown: link, emphasis, heading, quote and tag
 * characters become their full-width forms (a customer must not be able to put a link or an
 * @mention into an internal alert), and line breaks become spaces.
 */
export function inertMarkdown(text: string): string {
  const map: Record<string, string> = { '[': '［', ']': '］', '(': '（', ')': '）', '<': '＜', '>': '＞', '*': '＊', '`': '｀', '#': '＃' };
  return text.replace(/[[\]()<>*`#]/g, (c) => map[c] ?? c).replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * Customer text as an alert shows it: personal numbers masked (alerts go to a whole group, and
 * the console shows the full text to those allowed), cut to `max`, then made inert. Masked before
 * cutting so a cut never leaves part of a number unmasked.
 */
export function alertText(text: string, max: number): string {
  return inertMarkdown(clip(maskPii(text), max));
}

/** Facts for one notification round. */
export interface NotificationInput {
  escalation: EscalationRecord;
  consoleUrl: string;
  /** 1 = first notice; 2+ = "still waiting" reminders. */
  round: number;
  now: Date;
}

/**
 * One escalation as a markdown section for the robot (and, shorter, for the app message):
 * nickname, score, reason in the customer's words, the two-line summary, who has it, waiting time
 * on reminders, and the console link.
 */
export function renderEscalationSection(input: NotificationInput, options: { mention: boolean } = { mention: true }): string {
  const e = input.escalation;
  const who = alertText(e.nickname ?? e.conversation.customerId, 20);
  const label = triggerLabels[e.trigger] ?? e.trigger;
  const head =
    input.round > 1
      ? `### ⏰ 转人工仍未回复（已等待 ${waitingMinutes(e, input.now)} 分钟）`
      : `### 转人工：${label}`;
  const lines = [
    head,
    `> 客户：**${who}**`,
    `> 评分：${e.score === undefined ? '未评分' : `<font color="${e.score <= 6 ? 'warning' : 'info'}">${e.score} 分</font>`}`,
    `> 原因：${alertText(e.reason, 60)}`,
  ];
  if (e.customerWords) lines.push(`> 客户原话：「${alertText(e.customerWords, 120)}」`);
  for (const line of e.summary.slice(0, 2)) lines.push(`> 摘要：${alertText(line, 80)}`);
  lines.push(`> 接待：${assigneeText(e, options.mention)}`);
  lines.push(`[打开顾问控制台](${input.consoleUrl})`);
  return lines.join('\n');
}

/**
 * Merges queued sections into one robot message under `maxBytes`: as many whole sections as fit
 * (at least one, cut if it alone is too long). Returns the content and how many it used.
 */
export function mergeSections(sections: string[], maxBytes = ROBOT_MARKDOWN_BYTES): { content: string; used: number } {
  const parts: string[] = [];
  let size = 0;
  for (const section of sections) {
    const extra = Buffer.byteLength(section) + (parts.length ? 2 : 0);
    if (parts.length && size + extra > maxBytes - 64) break;
    parts.push(section);
    size += extra;
  }
  const used = Math.max(parts.length, 1);
  const body = parts.length > 1 ? `**${parts.length} 条转人工待处理**\n\n${parts.join('\n\n')}` : (parts[0] ?? sections[0] ?? '');
  return { content: cutBytes(body, maxBytes), used };
}

/** Cuts text to at most `maxBytes` of UTF-8 on a character boundary. */
export function cutBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let size = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (size + n > maxBytes - 3) break;
    out += ch;
    size += n;
  }
  return `${out}…`;
}

function assigneeText(e: EscalationRecord, mention: boolean): string {
  if (e.handover === 'person' && e.servicerId) return mention ? `<@${e.servicerId}>（已转接）` : `${e.servicerId}（已转接）`;
  if (e.handover === 'queue') return '企业微信排队中，请尽快接入';
  if (e.handover === 'ended') return '企业微信会话已结束，请在控制台跟进';
  return '请在控制台跟进';
}

function waitingMinutes(e: EscalationRecord, now: Date): number {
  const start = e.handedOverAt ?? e.createdAt;
  return Math.max(0, Math.round((now.getTime() - start.getTime()) / 60_000));
}
