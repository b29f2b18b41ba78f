// A flow's settings as a form (#/flows/<id>/settings): brand and store names, reminders and
// expiry, hand-over to a person, segment thresholds, follow-up rules, the review link.
// The form edits the latest version's YAML document in place (comments and everything else stay),
// saves it as a new version (validated by the flow schema on the server, audited), and an admin
// publishes it after seeing the diff.
import { parseDocument } from '/admin/vendor/yaml/index.js';
import { flowPath, get, post } from './api.js';
import { h, replace } from '/ui/dom.js';
import { useMerchantStyles } from './advisors.js';
import { describeError, describeProblem } from './labels.js';
import { confirmPublish } from './publishConfirm.js';

/**
 * The fields, by YAML path. `unset`: the path removed when the box is emptied (optional settings);
 * `placeholder`: what applies when nothing is written (the schema default).
 */
const SECTIONS = [
  {
    title: '品牌与门店',
    note: '消息里的 {{brand}} 和 {{store}} 会换成这里的名字。',
    fields: [
      { path: ['variables', 'brand'], label: '品牌名称', type: 'text', placeholder: '本店', max: 40 },
      { path: ['variables', 'store'], label: '门店名称（可留空）', type: 'text', placeholder: '', max: 40 },
    ],
  },
  {
    title: '提醒与结束',
    fields: [
      { path: ['settings', 'reminderAfterHours'], label: '顾客多久没回复时提醒一次（小时）', type: 'number', placeholder: '24', min: 0.1 },
      { path: ['settings', 'expireAfterHours'], label: '多久后结束没答完的回访（小时）', type: 'number', placeholder: '72', min: 0.1 },
      { path: ['settings', 'maxReasks'], label: '没看懂回答时最多追问几次', type: 'int', placeholder: '2', min: 0, max: 5 },
    ],
  },
  {
    title: '转人工',
    fields: [
      { path: ['settings', 'escalation', 'onDetractor'], label: '打 0–6 分（贬损者）时转人工', type: 'bool' },
      { path: ['settings', 'escalation', 'onNegativeSentiment', 'minConfidence'], unset: ['settings', 'escalation', 'onNegativeSentiment'], label: '回答明显负面时转人工：把握不低于（0–1，留空为不转）', type: 'number', placeholder: '不转', min: 0, max: 1 },
      { path: ['settings', 'escalation', 'onUnreadable'], label: '追问后仍看不懂时转人工', type: 'bool' },
      { path: ['settings', 'escalation', 'advisors'], label: '接收转人工的顾问（企业微信账号，用逗号分隔）', type: 'list', placeholder: '所有顾问' },
    ],
  },
  {
    title: '客户分群',
    note: '风险客户最先判断：贬损者、复购意向很低或原因为负面；其后是忠诚客户和潜力客户。复购意向 0–5 分。',
    fields: [
      { path: ['settings', 'segments', 'loyal', 'minIntent'], label: '忠诚客户：推荐者且复购意向至少', type: 'int', placeholder: '4', min: 0, max: 5 },
      { path: ['settings', 'segments', 'potential', 'minIntent'], label: '潜力客户：中立者且复购意向至少', type: 'int', placeholder: '3', min: 0, max: 5 },
      { path: ['settings', 'segments', 'atRisk', 'maxIntent'], label: '风险客户：复购意向至多', type: 'int', placeholder: '1', min: 0, max: 5 },
      { path: ['settings', 'segments', 'atRisk', 'negativeReason'], label: '原因读作负面也算风险客户', type: 'bool', absent: true },
    ],
  },
  {
    title: '评价',
    note: '推荐者选「写个评价」时收到这个评价链接；没填时只道谢。',
    fields: [
      { path: ['settings', 'reviewUrl'], unset: ['settings', 'reviewUrl'], label: '评价链接（如大众点评、美团的店铺页）', type: 'url', placeholder: 'https://…' },
    ],
  },
];

const isEmpty = (v) => v === undefined || v === null || v === '';

function inputFor(field, current) {
  const props = { 'aria-label': field.label, name: field.path.join('.') };
  if (field.type === 'bool') return h('input', { ...props, type: 'checkbox', checked: isEmpty(current) ? Boolean(field.absent) : Boolean(current) });
  const value = field.type === 'list' ? (Array.isArray(current) ? current.join(', ') : '') : isEmpty(current) ? '' : String(current);
  const type = field.type === 'int' || field.type === 'number' ? 'number' : field.type === 'url' ? 'url' : 'text';
  return h('input', {
    ...props,
    type,
    value,
    placeholder: field.placeholder || '',
    ...(field.type === 'int' ? { step: 1 } : field.type === 'number' ? { step: 'any' } : {}),
    ...(field.min !== undefined ? { min: field.min } : {}),
    ...(field.max !== undefined && type === 'number' ? { max: field.max } : {}),
    ...(field.max !== undefined && type === 'text' ? { maxlength: field.max } : {}),
  });
}

/** The value a form control holds, as YAML should get it; undefined = remove. */
function valueOf(field, input) {
  if (field.type === 'bool') return input.checked;
  const raw = input.value.trim();
  if (raw === '') return undefined;
  if (field.type === 'int' || field.type === 'number') return Number(raw);
  if (field.type === 'list') return raw.split(/[,，\s]+/).filter(Boolean);
  return raw;
}

function sameValue(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Nothing to write: the same value, an empty list for an absent one, or a box left at the default that applies. */
function unchanged(field, before, after) {
  const empty = (v) => isEmpty(v) || (Array.isArray(v) && v.length === 0);
  if (empty(before) && empty(after)) return true;
  if (field.type === 'bool' && isEmpty(before)) return after === Boolean(field.absent);
  return sameValue(before, after);
}

/** Follow-up rules with a task: what the advisor is asked to do and by when. */
function ruleRows(doc) {
  const rules = doc.getIn(['followUp', 'rules'])?.toJSON?.() ?? [];
  return rules.map((rule, index) => {
    if (!rule || !rule.then || !rule.then.task) return null;
    const reason = h('input', { type: 'text', value: rule.then.task.reason ?? '', maxlength: 200, 'aria-label': `规则 ${rule.id} 的任务内容` });
    const due = h('input', { type: 'number', min: 1, max: 720, step: 'any', value: rule.then.task.dueHours ?? '', placeholder: '24', 'aria-label': `规则 ${rule.id} 的完成时限（小时）` });
    return {
      index,
      rule,
      reason,
      due,
      row: h('tr', null, h('td', { text: rule.description || rule.id }), h('td', null, reason), h('td', null, due)),
    };
  }).filter(Boolean);
}

export async function renderFlowSettings(main, { flowId, me, flash }) {
  useMerchantStyles();
  const canEdit = me.role === 'editor' || me.role === 'admin';
  const flow = await get(flowPath(flowId));
  const latest = await get(flowPath(flowId, `/versions/${flow.latestVersion}`));
  const doc = parseDocument(latest.source);
  if (doc.errors.length) {
    replace(main, h('h1', { text: '流程设置' }), h('p', { class: 'bad', text: `v${latest.version} 的 YAML 无法解析，请先在编辑器里修正。` }));
    return;
  }
  const controls = [];
  const sections = SECTIONS.map((section) =>
    h(
      'fieldset',
      { class: 'card settings-section' },
      h('legend', { text: section.title }),
      section.note ? h('p', { class: 'muted', text: section.note }) : null,
      section.fields.map((field) => {
        const input = inputFor(field, doc.getIn(field.path, false)?.toJSON?.() ?? doc.getIn(field.path));
        input.disabled = !canEdit;
        controls.push({ field, input });
        return h('label', { class: field.type === 'bool' ? 'setting bool' : 'setting' }, h('span', { text: field.label }), input);
      }),
    ),
  );
  const rules = ruleRows(doc);
  for (const r of rules) r.reason.disabled = r.due.disabled = !canEdit;
  const problems = h('ul', { class: 'problems' });
  const note = h('input', { type: 'text', placeholder: '这次修改的说明（可选）', 'aria-label': '修改说明', maxlength: 200 });

  async function save() {
    const changed = [];
    for (const { field, input } of controls) {
      const before = doc.getIn(field.path, false)?.toJSON?.() ?? doc.getIn(field.path);
      const after = valueOf(field, input);
      if (unchanged(field, before, after)) continue;
      // Removing an optional setting removes its whole block, so no half-written object stays.
      if (after === undefined) doc.deleteIn(field.unset ?? field.path);
      else doc.setIn(field.path, after);
      changed.push(field.label.replace(/（.*$/, ''));
    }
    for (const r of rules) {
      const reason = r.reason.value.trim();
      const due = r.due.value.trim() === '' ? undefined : Number(r.due.value);
      const path = ['followUp', 'rules', r.index, 'then', 'task'];
      if (reason && reason !== r.rule.then.task.reason) doc.setIn([...path, 'reason'], reason);
      if (!sameValue(due, r.rule.then.task.dueHours)) due === undefined ? doc.deleteIn([...path, 'dueHours']) : doc.setIn([...path, 'dueHours'], due);
      if ((reason && reason !== r.rule.then.task.reason) || !sameValue(due, r.rule.then.task.dueHours)) changed.push(`规则 ${r.rule.id}`);
    }
    if (!changed.length) return flash('没有修改。');
    const result = await post(flowPath(flowId, '/versions'), {
      source: doc.toString(),
      baseVersion: flow.latestVersion,
      note: note.value.trim() || `设置页：${changed.join('、')}`.slice(0, 200),
    });
    if (!result.valid) {
      replace(problems, result.problems.map((p) => h('li', { text: describeProblem(p) })));
      flash(`已保存为 v${result.version}，但有 ${result.problems.length} 处错误，修正前不能发布。`, 'warn');
      return;
    }
    flash(`已保存为 v${result.version}（${changed.join('、')}）。${me.role === 'admin' ? '发布后新开始的回访才会使用。' : '请管理员发布。'}`, 'good');
    if (me.role === 'admin' && (await confirmPublish(flowId, flow.publishedVersion, result.version))) {
      await post(flowPath(flowId, '/publish'), { version: result.version, note: note.value.trim() || `设置页：${changed.join('、')}`.slice(0, 200) });
      flash(`已发布 v${result.version}：此后开始的回访使用新设置。`, 'good');
    }
    await renderFlowSettings(main, { flowId, me, flash });
  }

  replace(
    main,
    h('p', null, h('a', { href: `#/flows/${encodeURIComponent(flowId)}`, text: `← 返回流程编辑：${flow.title || flowId}` })),
    h('h1', { text: `流程设置：${flow.title || flowId}` }),
    h('p', { class: 'muted', text: `正在编辑 v${latest.version}${flow.publishedVersion ? `，线上版本 v${flow.publishedVersion}` : '，尚未发布'}。保存会生成新版本（有审计记录），发布前会显示改动并请您确认。` }),
    h(
      'form',
      {
        class: 'settings-form',
        onSubmit: async (e) => {
          e.preventDefault();
          try {
            await save();
          } catch (error) {
            flash(describeError(error), 'bad');
          }
        },
      },
      sections,
      rules.length
        ? h(
            'fieldset',
            { class: 'card settings-section' },
            h('legend', { text: '回访规则' }),
            h('p', { class: 'muted', text: '每条规则满足条件时给顾问建一个回访任务。新增或删除规则请在编辑器的 YAML 中进行。' }),
            h('div', { class: 'table-scroll' }, h('table', { class: 'table compact rules-table' }, h('thead', null, h('tr', null, ['规则', '任务内容', '时限（小时）'].map((t) => h('th', { text: t })))), h('tbody', null, rules.map((r) => r.row)))),
          )
        : null,
      problems,
      canEdit ? h('div', { class: 'settings-actions' }, note, h('button', { type: 'submit', text: me.role === 'admin' ? '保存并发布…' : '保存为新版本' })) : h('p', { class: 'muted', text: '只读账号不能修改设置。' }),
    ),
  );
}
