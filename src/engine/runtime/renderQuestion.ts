import type { MenuItem, OutboundMessage } from '../../core/messages.ts';
import { describeQuestion } from '../definition/describeQuestion.ts';
import type { QuestionStep } from '../definition/flowSchema.ts';
import { menuItemId } from './readAnswer.ts';
import { renderTemplate } from './renderTemplate.ts';
import type { TemplateScope } from './renderTemplate.ts';

/** A WeCom menu (msgmenu) holds at most 10 items. */
const maxMenuItems = 10;

export const defaultLabels: Partial<Record<QuestionStep['kind'], Record<number, string>>> = {
  csat: { 5: '5 非常满意', 4: '4 满意', 3: '3 一般', 2: '2 不满意', 1: '1 非常不满意' },
  repurchase: { 5: '5 一定会', 4: '4 很可能会', 3: '3 可能会', 2: '2 不太会', 1: '1 几乎不会', 0: '0 肯定不会' },
};

/**
 * The question as one message. CSAT (1–5), repurchase (0–5), choices and ratings of up to 10
 * values are menus, so one tap answers them exactly. NPS needs 11 items (0–10), more than a
 * menu holds, so it (like free text and wider ratings) is plain text and the NLU reads the
 * typed number. `head` replaces the question text (re-asks, reminders keep the items).
 */
export function renderQuestion(step: QuestionStep, scope: TemplateScope, head?: string): OutboundMessage {
  const text = head ?? renderTemplate(step.text, scope);
  const items = menuItems(step);
  return items === undefined ? { kind: 'text', text } : { kind: 'menu', head: text, items };
}

/** The re-ask after an unreadable reply: the step's `reask` hint, or a default per kind. */
export function renderReask(step: QuestionStep, scope: TemplateScope): OutboundMessage {
  return renderQuestion(step, scope, step.reask === undefined ? defaultHint(step) : renderTemplate(step.reask, scope));
}

/** What to say when a reply to `step` could not be read. */
export function defaultHint(step: QuestionStep): string {
  const sorry = '抱歉，没太看明白。';
  switch (step.kind) {
    case 'nps':
      return `${sorry}请回复0-10之间的数字，10分表示非常愿意推荐。`;
    case 'csat':
      return `${sorry}请点击下方选项为「${step.touchpoint}」打分，或回复1-5的数字（5分最满意）。`;
    case 'repurchase':
      return `${sorry}请点击下方选项，或回复0-5的数字（5表示一定会再选择我们）。`;
    case 'rating':
      return menuItems(step) === undefined
        ? `${sorry}请回复${step.min}-${step.max}之间的数字。`
        : `${sorry}请点击下方选项，或回复${step.min}-${step.max}之间的数字。`;
    case 'choice':
      return step.multiple ? `${sorry}请点击下方选项，或直接回复选项内容，可以选多项。` : `${sorry}请点击下方选项，或直接回复选项内容。`;
    case 'text':
      return `${sorry}方便的话，用一两句话说说就好～`;
  }
}

function menuItems(step: QuestionStep): MenuItem[] | undefined {
  if (step.kind === 'text' || step.kind === 'nps') return undefined;
  if (step.kind === 'choice') return step.options.map((o) => ({ id: menuItemId(step.id, o.id), label: o.label }));
  const { range } = describeQuestion(step);
  if (range === undefined || range.max - range.min + 1 > maxMenuItems) return undefined;
  const items: MenuItem[] = [];
  // Best first, the way Chinese satisfaction scales are usually read.
  for (let value = range.max; value >= range.min; value--) {
    const label = step.labels?.[String(value)] ?? defaultLabels[step.kind]?.[value] ?? `${value}分`;
    items.push({ id: menuItemId(step.id, value), label });
  }
  return items;
}
