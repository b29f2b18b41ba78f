// Two versions of a flow compared step by step, as readable Chinese lines (the editor's 版本对比
// and the confirmation before publishing both show it).
import { h } from '/ui/dom.js';
import { describeRoutes, fieldLabels, kindLabels } from './labels.js';

/** A diff from the API as readable Chinese lines. */
export function renderDiff(diff) {
  const title = h('h3', { text: `v${diff.from} → v${diff.to}` });
  if (diff.identical) return [title, h('p', { class: 'muted', text: '两个版本内容相同。' })];
  const items = [];
  if (!diff.comparable) items.push(h('p', { class: 'bad', text: '至少一个版本的 YAML 无法解析，只能比较流程设置。' }));
  for (const c of diff.flow) items.push(h('div', { class: 'change other' }, h('strong', { text: `流程${fieldLabels[c.field] || c.field}已修改` }), beforeAfter(c.before, c.after)));
  for (const s of diff.steps) {
    if (s.change === 'added') {
      items.push(
        h(
          'div',
          { class: 'change added', dataset: { step: String(s.stepId) } },
          h('strong', { text: `＋ 新增步骤 ${s.stepId}（${kindLabels[s.kind] || s.kind}）` }),
          h('div', { class: 'after', text: String(s.text ?? '') }),
          h('div', { class: 'muted', text: `去向：${describeRoutes(s.routes)}` }),
        ),
      );
    } else if (s.change === 'removed') {
      items.push(h('div', { class: 'change removed', dataset: { step: String(s.stepId) } }, h('strong', { text: `－ 删除步骤 ${s.stepId}（${kindLabels[s.kind] || s.kind}）` }), h('div', { class: 'before', text: String(s.text ?? '') })));
    } else {
      items.push(
        h(
          'div',
          { class: 'change changed', dataset: { step: String(s.stepId) } },
          h('strong', { text: `～ 修改步骤 ${s.stepId}` }),
          s.changes.map((c) => {
            const label = fieldLabels[c.field] || c.field;
            if (c.group === 'branching') return h('div', { class: 'field-change' }, h('span', { class: 'label', text: `${label}：` }), beforeAfter(describeRoutes(c.before), describeRoutes(c.after)));
            if (c.group === 'position') return h('div', { class: 'field-change' }, h('span', { class: 'label', text: `${label}：` }), h('span', { text: `第 ${c.before + 1} 步 → 第 ${c.after + 1} 步` }));
            if (c.group === 'kind') return h('div', { class: 'field-change' }, h('span', { class: 'label', text: `${label}：` }), beforeAfter(kindLabels[c.before] || c.before, kindLabels[c.after] || c.after));
            return h('div', { class: 'field-change' }, h('span', { class: 'label', text: `${label}：` }), beforeAfter(c.before, c.after));
          }),
        ),
      );
    }
  }
  return [title, items];
}

function beforeAfter(before, after) {
  const show = (v) => (v === null || v === undefined ? '（无）' : typeof v === 'string' ? v : JSON.stringify(v));
  return h('span', { class: 'ba' }, h('del', { class: 'before', text: show(before) }), h('span', { text: ' → ' }), h('ins', { class: 'after', text: show(after) }));
}
