// Chinese labels and number formats for what the analytics API returns.
import { timingLabels } from '/dashboard/timing.js';

export const groupLabels = { promoter: '推荐者', passive: '中立者', detractor: '贬损者', none: '未打分' };
/** Where a session stands now (one each); 'escalated' is "with an advisor now". Ever handed over is counted apart. */
export const outcomeLabels = { completed: '已完成', opted_out: '退订', escalated: '顾问处理中', expired: '超时未完成', in_progress: '进行中' };
export const segmentLabels = { loyal: '忠诚', at_risk: '流失风险', potential: '潜力', other: '其他' };
export const sentimentLabels = { positive: '正面', neutral: '中性', negative: '负面' };
export { timingLabels };
/** The purchase window of a product's sessions; `none`: they named no time. */
export const windowLabels = { ...timingLabels, none: '未说时间' };
export const segmentOrNoneLabels = { ...segmentLabels, none: '未完成' };
export const factorLabels = { price: '价格优惠', effect: '效果', convenience: '便利时间', advisor: '顾问', range: '项目丰富' };
export const triggerLabels = { detractor: '贬损者', intent: '主动要求人工', unreadable: '多次无法识别', negative: '负面情绪', manual: '手动转接' };
export const statusLabels = { active: '进行中', paused: '暂停', escalated: '转人工中', completed: '已完成', opted_out: '已退订', expired: '已过期' };

/** "+23.4", "−5.0", "—" */
export function signed(n, digits = 1) {
  if (n === null || n === undefined) return '—';
  const text = Math.abs(n).toFixed(digits);
  return n > 0 ? `+${text}` : n < 0 ? `−${text}` : text;
}
export function fixed(n, digits = 1) {
  return n === null || n === undefined ? '—' : n.toFixed(digits);
}
export function pct(n, digits = 1) {
  return n === null || n === undefined ? '—' : `${n.toFixed(digits)}%`;
}
/** 75 → "1分15秒", 4000 → "1小时6分" */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}秒`;
  if (s < 3600) return `${Math.floor(s / 60)}分${s % 60 ? `${s % 60}秒` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}小时${m % 60 ? `${m % 60}分` : ''}`;
}
