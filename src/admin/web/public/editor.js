// The flow editor page: outline and YAML views of one draft, saving versions, publishing,
// versions with diff and rollback, the flow's audit log, and the preview chat.
import { ApiError, flowPath, get, post } from './api.js';
import { debounce, formatTime, h, replace, select } from '/ui/dom.js';
import { FlowModel } from './flowModel.js';
import { actionLabels, auditNoteText, describeError, describeProblem } from './labels.js';
import { renderOutline, showOutlineProblems } from './outline.js';
import { createPreview } from './preview.js';
import { renderDiff } from './flowDiff.js';
import { confirmPublish } from './publishConfirm.js';

export async function renderEditor(main, { flowId, me, flash }) {
  const canEdit = me.role === 'editor' || me.role === 'admin';
  const isAdmin = me.role === 'admin';
  const st = { flow: null, model: new FlowModel(''), loadedSource: '', loadedVersion: null, baseVersion: 0, problems: [], tab: 'outline', validateSeq: 0, busy: false };

  // ---- layout ------------------------------------------------------------------------------
  const head = h('div', { class: 'editor-head' });
  const banner = h('div', { class: 'banner', hidden: true, role: 'alert' });
  const status = h('div', { class: 'check-status', role: 'status' });
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const panes = {
    outline: h('div', { class: 'pane outline' }),
    yaml: h('div', { class: 'pane yaml' }),
    versions: h('div', { class: 'pane versions' }),
    audit: h('div', { class: 'pane audit' }),
  };
  const tabNames = { outline: '大纲', yaml: 'YAML', versions: '版本', audit: '审计' };
  for (const [key, label] of Object.entries(tabNames)) {
    tabs.append(h('button', { type: 'button', role: 'tab', class: 'tab', dataset: { tab: key }, text: label, onClick: () => showTab(key) }));
  }
  const previewBox = h('aside', { class: 'preview' });
  replace(
    main,
    h('div', { class: 'editor' }, head, banner, h('div', { class: 'editor-body' }, h('div', { class: 'left' }, tabs, status, Object.values(panes)), previewBox)),
  );

  // ---- YAML pane ---------------------------------------------------------------------------
  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const yamlText = h('textarea', { class: 'yaml-text', spellcheck: 'false', wrap: 'off', readOnly: !canEdit, 'aria-label': 'YAML 源文件' });
  const yamlProblems = h('ul', { class: 'problems yaml-problems' });
  yamlText.addEventListener('input', () => {
    st.model.load(yamlText.value);
    changed({ from: 'yaml' });
  });
  yamlText.addEventListener('scroll', () => {
    gutter.scrollTop = yamlText.scrollTop;
  });
  replace(panes.yaml, h('p', { class: 'muted', text: '高级：直接编辑 YAML（格式见 npm run flow -- schema）。错误会标在对应行。' }), h('div', { class: 'yaml-box' }, gutter, yamlText), yamlProblems);

  function renderGutter() {
    const count = yamlText.value.split('\n').length;
    const errors = new Map();
    for (const p of st.problems) if (p.line) errors.set(p.line, [...(errors.get(p.line) || []), p.message]);
    const lines = [];
    for (let n = 1; n <= count; n++) {
      const messages = errors.get(n);
      lines.push(h('div', { class: messages ? 'ln err' : 'ln', title: messages ? messages.join('\n') : null, text: String(n) }));
    }
    replace(gutter, lines);
    gutter.scrollTop = yamlText.scrollTop;
  }

  function jumpToLine(line) {
    showTab('yaml');
    const lines = yamlText.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    yamlText.focus();
    yamlText.setSelectionRange(start, start + (lines[line - 1] || '').length);
    const lineHeight = parseFloat(getComputedStyle(yamlText).lineHeight) || 18;
    yamlText.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }

  // ---- editing -----------------------------------------------------------------------------
  const validateSoon = debounce(() => void validate(), 350);

  /** After any edit: keep the other view in step, mark dirty, re-check. */
  function changed({ from, structural = false }) {
    if (from !== 'yaml') yamlText.value = st.model.source;
    if (structural || from === 'yaml') st.outlineStale = true;
    if (structural && st.tab === 'outline') renderOutlinePane();
    renderGutter();
    renderHead();
    validateSoon();
  }

  function renderOutlinePane() {
    st.outlineStale = false;
    renderOutline(panes.outline, st.model, {
      editable: canEdit,
      problems: st.problems,
      onChange: (structural) => changed({ from: 'outline', structural }),
    });
  }

  async function validate() {
    const seq = ++st.validateSeq;
    const source = st.model.source;
    try {
      const result = await post(flowPath(flowId, '/validate'), { source });
      if (seq !== st.validateSeq) return result;
      st.problems = result.problems;
    } catch (error) {
      if (seq !== st.validateSeq) return null;
      st.problems = error instanceof ApiError && error.problems ? error.problems : [];
      if (!(error instanceof ApiError && error.problems)) showBanner(describeError(error), 'bad');
    }
    showProblems();
    return { valid: st.problems.length === 0, problems: st.problems };
  }

  function showProblems() {
    showOutlineProblems(panes.outline, st.problems);
    replace(
      yamlProblems,
      st.problems.map((p) => h('li', null, p.line ? h('button', { type: 'button', class: 'link', text: `第 ${p.line} 行`, onClick: () => jumpToLine(p.line) }) : null, h('span', { text: ` ${describeProblem(p).replace(/^第 \d+ 行 · /, '')}` }))),
    );
    renderGutter();
    status.className = `check-status ${st.problems.length ? 'bad' : 'good'}`;
    status.textContent = st.problems.length ? `有 ${st.problems.length} 处错误：可以保存草稿，但不能发布。` : '✓ 校验通过，可以发布。';
  }

  function showBanner(text, kind, action) {
    banner.hidden = false;
    banner.className = `banner ${kind || ''}`;
    replace(banner, h('span', { text }), action || null);
  }
  function hideBanner() {
    banner.hidden = true;
    replace(banner);
  }

  // ---- head and actions ----------------------------------------------------------------------
  const note = h('input', { class: 'note', placeholder: '修改说明（可选，会记入版本和审计日志）', maxlength: '500', 'aria-label': '修改说明' });

  function dirty() {
    return st.model.source !== st.loadedSource;
  }

  function renderHead() {
    const flow = st.flow;
    if (!flow) return;
    const chips = [
      flow.archived ? h('span', { class: 'chip gray', text: '已归档' }) : null,
      flow.publishedVersion ? h('span', { class: 'chip green', text: `线上：v${flow.publishedVersion}`, title: flow.publishedAt ? `${flow.publishedBy || ''} 发布于 ${formatTime(flow.publishedAt)}` : null }) : h('span', { class: 'chip gray', text: '未发布' }),
      h('span', { class: 'chip', text: `正在编辑：v${st.loadedVersion ?? '—'}${st.loadedVersion === flow.latestVersion ? '（最新）' : `（最新为 v${flow.latestVersion}）`}` }),
      dirty() ? h('span', { class: 'chip orange', text: '有未保存的修改' }) : null,
    ];
    const buttons = [
      h('button', { type: 'button', class: 'plain', text: '设置', onClick: () => (location.hash = `#/flows/${encodeURIComponent(flowId)}/settings`) }),
      h('button', { type: 'button', class: 'plain', text: '校验', onClick: () => void validate() }),
      canEdit ? h('button', { type: 'button', class: 'plain', text: '保存版本', disabled: st.busy, onClick: () => void run(saveVersion) }) : null,
      isAdmin ? h('button', { type: 'button', text: '发布', disabled: st.busy, onClick: () => void run(publish) }) : null,
      isAdmin
        ? h('button', {
            type: 'button',
            class: 'plain',
            text: flow.archived ? '取消归档' : '归档',
            disabled: st.busy,
            onClick: () => void run(() => setArchived(!flow.archived)),
          })
        : null,
    ];
    replace(
      head,
      h('div', { class: 'title-row' }, h('a', { href: '#/', class: 'back', text: '← 全部流程' }), h('h1', { text: st.model.title() || flow.title || flowId }), h('code', { text: flowId }), chips),
      canEdit ? h('div', { class: 'action-row' }, note, buttons) : h('div', { class: 'action-row' }, h('span', { class: 'muted', text: '只读：您的角色不能修改流程。' }), buttons),
    );
  }

  async function run(action) {
    if (st.busy) return;
    st.busy = true;
    renderHead();
    try {
      await action();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'DRAFT_CONFLICT') {
        showBanner(describeError(error), 'bad', h('button', { type: 'button', text: '重新加载（放弃我的修改）', onClick: () => void reload('latest') }));
      } else if (error instanceof ApiError && error.problems) {
        st.problems = error.problems;
        showProblems();
        showBanner(describeError(error), 'bad');
      } else showBanner(error instanceof ApiError ? describeError(error) : `出错了：${error.message}`, 'bad');
    } finally {
      st.busy = false;
      renderHead();
    }
  }

  async function saveVersion() {
    const result = await post(flowPath(flowId, '/versions'), { source: st.model.source, baseVersion: st.baseVersion, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
    st.loadedSource = st.model.source;
    st.loadedVersion = result.version;
    st.problems = result.problems;
    await refreshFlow();
    hideBanner();
    showProblems();
    if (result.created) {
      note.value = '';
      flash(result.valid ? `已保存为 v${result.version}。` : `已保存为 v${result.version}（有 ${result.problems.length} 处错误，修正前不能发布）。`, result.valid ? 'good' : 'warn');
    } else flash('没有修改，未创建新版本。');
    return result;
  }

  async function publish() {
    const text = note.value.trim();
    let version = st.loadedVersion;
    if (dirty() || version === null) version = (await saveVersion()).version;
    if (!(await confirmPublish(flowId, st.flow.publishedVersion, version))) return;
    const result = await post(flowPath(flowId, '/publish'), { version, ...(text ? { note: text } : {}) });
    note.value = '';
    await refreshFlow();
    hideBanner();
    flash(result.changed ? `已发布 v${result.publishedVersion}：此后开始的会话使用新版本，进行中的会话保持原版本。` : `v${result.publishedVersion} 已经是线上版本。`, 'good');
  }

  async function setArchived(archived) {
    await post(flowPath(flowId, archived ? '/archive' : '/unarchive'), {});
    await refreshFlow();
    flash(archived ? '已归档：不会再用此流程开始新会话。' : '已取消归档。', 'good');
  }

  async function refreshFlow() {
    st.flow = await get(flowPath(flowId));
    st.baseVersion = st.flow.latestVersion;
    renderHead();
    if (st.tab === 'versions') await renderVersions();
    if (st.tab === 'audit') await renderAudit();
  }

  /** Loads a version into the editor (the next save still follows the newest version). */
  async function reload(ref) {
    st.flow = await get(flowPath(flowId));
    const version = await get(flowPath(flowId, `/versions/${ref}`));
    st.model = new FlowModel(version.source);
    st.loadedSource = version.source;
    st.loadedVersion = version.version;
    st.baseVersion = st.flow.latestVersion;
    st.problems = version.problems;
    yamlText.value = version.source;
    hideBanner();
    renderHead();
    renderOutlinePane();
    showProblems();
    if (st.tab === 'versions') await renderVersions();
  }

  // ---- versions, diff, rollback ----------------------------------------------------------------
  const diffOut = h('div', { class: 'diff' });

  async function renderVersions() {
    const flow = st.flow;
    const rows = flow.versions.map((v) => {
      const rollback = isAdmin && !v.published && v.valid ? confirmButton('回滚到此版本', `确认回滚到 v${v.version}？`, () => run(() => rollbackTo(v.version))) : null;
      return h(
        'tr',
        { dataset: { version: String(v.version) } },
        h('td', null, h('strong', { text: `v${v.version}` })),
        h('td', { text: formatTime(v.createdAt) }),
        h('td', { text: v.author }),
        h('td', { class: 'note-cell', text: v.note || '' }),
        h('td', null, v.published ? h('span', { class: 'chip green', text: '线上' }) : null, v.valid ? null : h('span', { class: 'chip red', text: '有错误' })),
        h('td', { class: 'num', text: String(v.sessions) }),
        h(
          'td',
          { class: 'row-actions' },
          h('button', { type: 'button', class: 'plain small', text: '载入编辑', onClick: () => void run(() => reload(v.version)) }),
          v.version > 1 ? h('button', { type: 'button', class: 'plain small', text: '与上一版对比', onClick: () => void showDiff(v.version - 1, v.version) }) : null,
          flow.publishedVersion && !v.published ? h('button', { type: 'button', class: 'plain small', text: '与线上版对比', onClick: () => void showDiff(flow.publishedVersion, v.version) }) : null,
          rollback,
        ),
      );
    });
    const numbers = flow.versions.map((v) => [String(v.version), `v${v.version}`]);
    const fromSel = select(numbers, String(flow.publishedVersion || flow.versions.at(-1)?.version || ''), { 'aria-label': '对比：旧版本' });
    const toSel = select(numbers, String(flow.latestVersion), { 'aria-label': '对比：新版本' });
    replace(
      panes.versions,
      h(
        'table',
        { class: 'table versions-table' },
        h('thead', null, h('tr', null, ['版本', '时间', '作者', '说明', '状态', '会话数', ''].map((t) => h('th', { text: t })))),
        h('tbody', null, rows),
      ),
      h('div', { class: 'diff-controls' }, h('span', { text: '对比' }), fromSel, h('span', { text: '→' }), toSel, h('button', { type: 'button', class: 'plain small', text: '对比', onClick: () => void showDiff(fromSel.value, toSel.value) })),
      diffOut,
    );
  }

  async function rollbackTo(version) {
    const text = note.value.trim();
    const result = await post(flowPath(flowId, '/rollback'), { version, ...(text ? { note: text } : {}) });
    note.value = '';
    await refreshFlow();
    flash(`已回滚：v${version} 的内容已发布为新版本 v${result.publishedVersion}。`, 'good');
  }

  async function showDiff(from, to) {
    try {
      const diff = await get(flowPath(flowId, `/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`));
      replace(diffOut, renderDiff(diff));
    } catch (error) {
      replace(diffOut, h('p', { class: 'bad', text: describeError(error) }));
    }
  }

  // ---- audit -------------------------------------------------------------------------------
  async function renderAudit() {
    const page = await get(`/api/audit?flowId=${encodeURIComponent(flowId)}&limit=100`);
    replace(panes.audit, renderAuditList(page.items));
  }

  function showTab(key) {
    st.tab = key;
    for (const button of tabs.children) button.setAttribute('aria-selected', String(button.dataset.tab === key));
    for (const [name, pane] of Object.entries(panes)) pane.hidden = name !== key;
    if (key === 'outline' && st.outlineStale) renderOutlinePane();
    if (key === 'versions') void renderVersions();
    if (key === 'audit') void renderAudit().catch((error) => replace(panes.audit, h('p', { class: 'bad', text: describeError(error) })));
  }

  // ---- start -------------------------------------------------------------------------------
  await reload('latest');
  showTab('outline');
  const preview = createPreview(previewBox, { flowId, getSource: () => st.model.source, enabled: canEdit });
  if (canEdit) void preview.restart();
}

/** A button that asks "are you sure" inline (no dialogs): the second click runs `action`. */
function confirmButton(label, question, action) {
  const button = h('button', { type: 'button', class: 'plain small danger', text: label });
  let armed = false;
  button.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      button.textContent = question;
      setTimeout(() => {
        armed = false;
        button.textContent = label;
      }, 5000);
      return;
    }
    armed = false;
    button.textContent = label;
    void action();
  });
  return button;
}

/** Audit entries as a table (shared with the global audit page). */
export function renderAuditList(items) {
  if (items.length === 0) return h('p', { class: 'muted', text: '还没有记录。' });
  return h(
    'table',
    { class: 'table audit-table' },
    h('thead', null, h('tr', null, ['时间', '操作人', '操作', '流程', '版本', '说明'].map((t) => h('th', { text: t })))),
    h(
      'tbody',
      null,
      items.map((e) =>
        h(
          'tr',
          null,
          h('td', { text: formatTime(e.at) }),
          h('td', { text: `${e.actor}${e.actorRole === 'system' ? '（系统）' : ''}` }),
          h('td', { text: actionLabels[e.action] || e.action }),
          h('td', { text: e.flowId || (e.details && e.details.name ? `用户 ${e.details.name}` : '') }),
          h('td', { text: e.version ? `v${e.version}` : '' }),
          h('td', { text: [auditNoteText(e.note), e.details && e.details.rolledBackTo ? `回滚到 v${e.details.rolledBackTo}` : null].filter(Boolean).join('；') }),
        ),
      ),
    ),
  );
}
