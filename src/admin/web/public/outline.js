// The flow as a readable outline: one card per step with its text, kind and where it goes.
// Text and options are edited inline; steps can be added, moved and deleted.
import { h, replace, select } from '/ui/dom.js';
import { stepKinds } from './flowModel.js';
import { describeCondition, describeProblem, kindLabels } from './labels.js';

/**
 * Renders `model` into `container`. `onChange(structural)` is called after every edit; the
 * caller re-renders the outline when `structural` (steps added, moved, deleted, routes changed).
 */
export function renderOutline(container, model, { editable, problems, onChange }) {
  if (!model.ok) {
    replace(container, h('p', { class: 'notice bad', text: 'YAML 有语法错误，大纲暂不可用。请在“YAML”页按行修正。' }));
    return;
  }
  const steps = model.steps();
  const ids = steps.map((s) => s.id).filter((id) => typeof id === 'string');
  const edit = (fn, structural) => () => {
    fn();
    onChange(structural);
  };

  const titleInput = h('input', {
    class: 'flow-title',
    value: model.title(),
    readOnly: !editable,
    'aria-label': '流程标题',
    onInput: (e) => {
      model.setTitle(e.target.value);
      onChange(false);
    },
  });
  const cards = steps.map((step, i) => {
    const field = (name, label, multiline) => {
      const props = {
        class: `step-${name}`,
        value: step[name] === undefined ? '' : String(step[name]),
        readOnly: !editable,
        'aria-label': `${step.id} ${label}`,
        onInput: (e) => {
          model.setStepField(i, name, e.target.value);
          onChange(false);
        },
      };
      return h('label', { class: 'field' }, h('span', { text: label }), multiline ? h('textarea', { ...props, rows: 2 }) : h('input', props));
    };
    const body = [field('text', '文字', true)];
    if (step.kind === 'csat') body.push(field('touchpoint', '环节', false));
    if (step.kind === 'rating') body.push(h('p', { class: 'muted', text: `分值范围 ${step.min} – ${step.max}` }));
    if (step.ack !== undefined) body.push(field('ack', '确认语', false));
    if (step.reask !== undefined) body.push(field('reask', '追问', false));
    if (step.kind === 'choice' && Array.isArray(step.options)) {
      body.push(
        h(
          'div',
          { class: 'options' },
          h('span', { class: 'label', text: step.multiple ? '选项（可多选）' : '选项' }),
          step.options.map((option, j) =>
            h(
              'div',
              { class: 'option' },
              h('code', { text: option && option.id }),
              h('input', {
                value: option && option.label,
                readOnly: !editable,
                'aria-label': `${step.id} 选项 ${option && option.id}`,
                onInput: (e) => {
                  model.setOptionLabel(i, j, e.target.value);
                  onChange(false);
                },
              }),
              editable && h('button', { class: 'icon', type: 'button', title: '删除选项', text: '×', onClick: edit(() => model.removeOption(i, j), true) }),
            ),
          ),
          editable && h('button', { class: 'plain small', type: 'button', text: '＋ 选项', onClick: edit(() => model.addOption(i), true) }),
        ),
      );
    }
    body.push(renderRoutes(step, i, steps, ids, editable, model, onChange));

    return h(
      'section',
      { class: 'step', dataset: { step: String(step.id), index: String(i) } },
      h(
        'header',
        null,
        h('span', { class: 'num', text: String(i + 1) }),
        h('code', { class: 'sid', text: String(step.id) }),
        h('span', { class: `kind kind-${String(step.kind)}`, text: kindLabels[step.kind] || `未知题型 ${String(step.kind)}` }),
        h('span', { class: 'spacer' }),
        editable && [
          h('button', { class: 'icon', type: 'button', title: '上移', 'aria-label': `上移 ${step.id}`, text: '↑', disabled: i === 0, onClick: edit(() => model.moveStep(i, -1), true) }),
          h('button', { class: 'icon', type: 'button', title: '下移', 'aria-label': `下移 ${step.id}`, text: '↓', disabled: i === steps.length - 1, onClick: edit(() => model.moveStep(i, 1), true) }),
          h('button', { class: 'icon danger', type: 'button', title: '删除步骤', 'aria-label': `删除 ${step.id}`, text: '删除', onClick: edit(() => model.deleteStep(i), true) }),
        ],
      ),
      body,
      h('ul', { class: 'problems' }),
      editable && renderAdd(i, model, onChange),
    );
  });
  replace(
    container,
    h('label', { class: 'field' }, h('span', { text: '标题' }), titleInput),
    h('ul', { class: 'problems flow-problems' }),
    renderCatalog(model, editable, onChange),
    cards,
  );
  showOutlineProblems(container, problems);
}

/**
 * The merchant's products and services: id, name and synonyms per item. Answers to free-text and
 * repurchase questions are read for them. Problems (duplicate ids, a word two items claim) are
 * listed above with their line, like every flow-level problem.
 */
function renderCatalog(model, editable, onChange) {
  const items = model.catalog();
  const input = (label, value, onInput, cls) =>
    h('input', {
      class: cls,
      value,
      readOnly: !editable,
      'aria-label': label,
      onInput: (e) => {
        onInput(e.target.value);
        onChange(false);
      },
    });
  const rows = items.map((item, j) => {
    const id = typeof item.id === 'string' ? item.id : '';
    const name = typeof item.name === 'string' ? item.name : '';
    const synonyms = Array.isArray(item.synonyms) ? item.synonyms.join('、') : '';
    return h(
      'div',
      { class: 'catalog-item', dataset: { item: id } },
      input(`产品 ${id} 编号`, id, (v) => model.setCatalogField(j, 'id', v), 'catalog-id'),
      input(`产品 ${id} 名称`, name, (v) => model.setCatalogField(j, 'name', v), 'catalog-name'),
      input(`产品 ${id} 同义词`, synonyms, (v) => model.setCatalogSynonyms(j, v), 'catalog-synonyms'),
      editable &&
        h('button', {
          class: 'icon',
          type: 'button',
          title: '删除产品',
          'aria-label': `删除产品 ${id}`,
          text: '×',
          onClick: () => {
            model.removeCatalogItem(j);
            onChange(true);
          },
        }),
    );
  });
  return h(
    'section',
    { class: 'catalog' },
    h('header', null, h('strong', { text: '产品目录' }), h('span', { class: 'muted', text: `${items.length} 项 · 编号、名称、同义词（用“、”分隔，可写英文名和常见错别字）` })),
    rows,
    editable &&
      h('button', {
        class: 'plain small',
        type: 'button',
        text: '＋ 产品',
        onClick: () => {
          model.addCatalogItem();
          onChange(true);
        },
      }),
  );
}

function renderRoutes(step, i, steps, ids, editable, model, onChange) {
  if (step.kind === 'end') return h('div', { class: 'routes' }, h('span', { class: 'label', text: '去向' }), h('span', { text: '问卷结束' }));
  const targets = (current) => {
    const options = ids.map((id) => [id, id]);
    if (current && !ids.includes(current)) options.unshift([current, `${current}（不存在）`]);
    return options;
  };
  const picker = (current, which, extra = []) =>
    select([...extra, ...targets(current)], current ?? '', {
      disabled: !editable,
      'aria-label': `${step.id} 去向`,
      onChange: (e) => {
        model.setRoute(i, which, e.target.value === '' ? null : e.target.value);
        onChange(true);
      },
    });
  const rows = [];
  if (Array.isArray(step.branch)) {
    step.branch.forEach((b, j) => rows.push(h('div', { class: 'route' }, h('span', { text: `${describeCondition(b && b.when)} →` }), picker(b && b.goto, j))));
    rows.push(h('div', { class: 'route' }, h('span', { text: '否则 →' }), picker(step.default, 'default', step.default === undefined ? [['', '（未设置）']] : [])));
  } else {
    const following = steps[i + 1] && steps[i + 1].id;
    const implicit = following ? `按顺序：${following}` : '（没有下一步）';
    rows.push(h('div', { class: 'route' }, h('span', { text: '下一步 →' }), picker(step.next, 'next', [['', implicit]])));
  }
  return h('div', { class: 'routes' }, h('span', { class: 'label', text: '去向' }), rows);
}

function renderAdd(i, model, onChange) {
  const kind = select(
    stepKinds.map((k) => [k, kindLabels[k]]),
    'text',
    { 'aria-label': '新步骤题型' },
  );
  return h(
    'footer',
    null,
    kind,
    h('button', {
      class: 'plain small',
      type: 'button',
      text: '＋ 在此后添加步骤',
      onClick: () => {
        model.addStep(i, kind.value);
        onChange(true);
      },
    }),
  );
}

/** Puts each problem under its step's card (or above the steps when it has no step). */
export function showOutlineProblems(container, problems) {
  const byStep = new Map();
  for (const p of problems || []) {
    const key = p.stepId || '';
    if (!byStep.has(key)) byStep.set(key, []);
    byStep.get(key).push(p);
  }
  const shown = new Set();
  for (const card of container.querySelectorAll('section.step')) {
    const list = card.querySelector('ul.problems');
    const mine = shown.has(card.dataset.step) ? [] : byStep.get(card.dataset.step) || [];
    shown.add(card.dataset.step);
    card.classList.toggle('has-problems', mine.length > 0);
    replace(list, mine.map((p) => h('li', { text: describeProblem(p) })));
  }
  // Problems of the whole flow, and of steps the outline has no card for, go above the steps.
  const rest = [...byStep].filter(([key]) => !shown.has(key)).flatMap(([, list]) => list);
  const flowList = container.querySelector('ul.flow-problems');
  if (flowList) replace(flowList, rest.map((p) => h('li', { text: describeProblem(p) })));
}
