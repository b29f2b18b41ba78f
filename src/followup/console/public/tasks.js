// The console's 回访任务 tab: follow-up tasks for advisors (overdue ones highlighted), with claim,
// notes and close-with-outcome. Loaded by the console page beside its own script; every text
// from the server is set with textContent (dom.js). The console tells it which tab is shown
// through `console:tab` events.
import { $, clear, el } from '/ui/dom.js';

(function () {
  var KEY = 'hf.console.token';
  var STATUS = { open: '待跟进', claimed: '跟进中', closed: '已关闭' };
  var OUTCOME = { called_back: '已回电', resolved: '已解决', refund: '已退款', no_answer: '无人接听', declined: '顾客拒绝', other: '其他' };
  var SEGMENT = { at_risk: '风险客户', loyal: '忠诚客户', potential: '潜力客户', other: '一般客户' };
  var GROUP = { promoter: '推荐者', passive: '中立者', detractor: '贬损者' };
  var AUTHOR = { customer: '顾客', bot: '机器人', advisor: '顾问', system: '系统' };
  var ACTION = { completed: '问卷完成', escalated: '转人工', opted_out: '退订', rules_fired: '规则触发', task_created: '创建任务', tags_set: '打标签', tags_wecom_set: '企业微信标签', tags_wecom_skipped: '未同步企业微信标签', webhook_queued: '等待推送到贵司系统', webhook_delivered: '已推送到贵司系统', webhook_failed: '推送到贵司系统失败', task_claimed: '接手', task_noted: '备注', task_closed: '关闭任务' };
  var shown = false;
  var view = 'open';
  var items = [];
  var selected = null;
  var timer = null;

  function two(n) { return n < 10 ? '0' + n : String(n); }
  function time(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return (d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + two(d.getHours()) + ':' + two(d.getMinutes());
  }
  function hours(ms) {
    var h = Math.abs(ms) / 3600000;
    if (h < 1) return Math.max(1, Math.round(h * 60)) + ' 分钟';
    if (h < 48) return Math.round(h) + ' 小时';
    return Math.round(h / 24) + ' 天';
  }
  function dueText(t) {
    if (t.status === 'closed') return (OUTCOME[t.outcome] || t.outcome || '') + ' · ' + time(t.closedAt);
    var left = Date.parse(t.dueAt) - Date.now();
    return left < 0 ? '已逾期 ' + hours(left) : '剩余 ' + hours(left);
  }
  function isOverdue(t) { return t.status !== 'closed' && Date.parse(t.dueAt) < Date.now(); }

  function api(method, path, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + (sessionStorage.getItem(KEY) || '') } };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) { var e = new Error((data && data.error && data.error.message) || ('请求失败（' + res.status + '）')); e.status = res.status; throw e; }
        return data;
      });
    });
  }

  function setStatus(text, kind) {
    var s = $('task-status');
    if (!s) return;
    s.textContent = text;
    s.className = 'status' + (kind ? ' ' + kind : '');
  }

  function loadCount() {
    if (!sessionStorage.getItem(KEY) || $('app').hidden) return;
    api('GET', '/api/console/tasks?status=open&limit=200').then(function (data) {
      var overdue = (data.items || []).filter(isOverdue).length;
      $('count-tasks').textContent = String(data.open);
      $('count-tasks').title = overdue ? overdue + ' 条已逾期' : '';
      if (shown && view === 'open') { items = data.items || []; renderList(); }
    }, function () {});
  }

  function loadList() {
    return api('GET', '/api/console/tasks?status=' + view + '&limit=200').then(function (data) {
      items = data.items || [];
      if (view === 'open') $('count-tasks').textContent = String(data.open);
      renderList();
    }, function (err) { $('task-empty').hidden = false; $('task-empty').textContent = err.message; });
  }

  function renderList() {
    var list = $('task-list');
    clear(list);
    $('task-empty').hidden = items.length > 0;
    $('task-empty').textContent = view === 'open' ? '没有待跟进的回访任务' : '还没有已关闭的任务';
    items.forEach(function (t) {
      var li = el('li', (t.id === selected ? 'on ' : '') + (isOverdue(t) ? 'overdue' : ''));
      li.setAttribute('data-id', t.id);
      li.appendChild(el('span', 'wait due' + (isOverdue(t) ? ' overdue' : ' ok'), dueText(t)));
      li.appendChild(el('div', 'name', t.customer.nickname || t.customer.id));
      li.appendChild(el('div', 'meta', t.reason));
      li.appendChild(el('div', 'meta', (STATUS[t.status] || t.status) + (t.claimedBy ? ' · ' + t.claimedBy : '') + ' · 创建于 ' + time(t.createdAt)));
      li.addEventListener('click', function () { select(t.id); });
      list.appendChild(li);
    });
  }

  function select(id) {
    selected = id;
    if (location.hash !== '#/tasks/' + id) history.replaceState(null, '', '#/tasks/' + id);
    renderList();
    loadDetail(id);
  }

  function fact(dl, label, value) {
    dl.appendChild(el('dt', '', label));
    var dd = el('dd');
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value === undefined || value === null || value === '' ? '—' : String(value);
    dl.appendChild(dd);
  }

  function loadDetail(id) {
    return api('GET', '/api/console/tasks/' + id).then(function (d) {
      if (selected === id) renderDetail(d);
    }, function (err) {
      var body = $('task-body');
      clear(body);
      body.appendChild(el('p', 'empty', err.message));
    });
  }

  function renderDetail(d) {
    var body = $('task-body');
    clear(body);
    body.hidden = !shown;
    $('detail-empty').hidden = true;
    var head = el('div', 'd-head');
    head.appendChild(el('h2', '', d.customer.nickname || d.customer.id));
    head.appendChild(el('span', 'badge ' + d.status, STATUS[d.status] || d.status));
    if (d.overdue) head.appendChild(el('span', 'badge overdue', '已逾期'));
    body.appendChild(head);

    var dl = el('dl', 'facts');
    fact(dl, '原因', d.reason);
    fact(dl, '规则', d.ruleId);
    var c = d.context || {};
    fact(dl, '评分', (c.npsScore !== undefined ? c.npsScore + ' 分' : '未评分') + (c.group ? '（' + (GROUP[c.group] || c.group) + '）' : '') + (c.segment ? ' · ' + (SEGMENT[c.segment] || c.segment) : ''));
    fact(dl, '到期', time(d.dueAt) + '（' + dueText(d) + '）');
    fact(dl, '接手', d.claimedBy ? d.claimedBy + '，' + time(d.claimedAt) : '尚未接手');
    var answers = el('ul', 'answers');
    (c.answers || []).forEach(function (a) { answers.appendChild(el('li', '', (a.label || a.stepId) + '：' + a.text)); });
    fact(dl, '顾客回答', answers);
    var notes = el('ul', 'answers');
    (d.notes || []).forEach(function (n) { notes.appendChild(el('li', '', time(n.at) + ' ' + n.by + '：' + n.text)); });
    fact(dl, '备注', d.notes && d.notes.length ? notes : '');
    if (d.status === 'closed') fact(dl, '结果', (OUTCOME[d.outcome] || d.outcome) + '（' + d.closedBy + '，' + time(d.closedAt) + '）');
    body.appendChild(dl);
    if (d.masked) body.appendChild(el('p', 'muted', d.maskedBecause === 'audit_unavailable' ? '暂时无法记录查阅日志：手机号、证件号、银行卡号和邮箱已隐藏，请稍后刷新。' : '这条任务尚未接手：手机号、证件号、银行卡号和邮箱已隐藏，接手后可见完整内容。'));

    body.appendChild(el('h3', '', '对话记录'));
    var box = el('div', 'transcript');
    box.id = 'task-transcript';
    (d.transcript || []).forEach(function (t) {
      var side = t.author === 'system' ? 'system' : (t.direction === 'in' ? 'in' : 'out');
      var m = el('div', 'msg ' + side + ' ' + t.author);
      m.appendChild(el('span', 'who', (AUTHOR[t.author] || t.author) + (t.advisorId ? '·' + t.advisorId : '') + ' ' + time(t.at)));
      m.appendChild(el('div', 'bubble', t.text));
      box.appendChild(m);
    });
    body.appendChild(box);

    var open = d.status !== 'closed';
    var act = el('div', 'resolve task-actions');
    var claim = el('button', 'plain', d.claimedBy ? '已接手' : '接手');
    claim.id = 'task-claim';
    claim.disabled = !open || !!d.claimedBy;
    claim.addEventListener('click', function () { run(api('POST', '/api/console/tasks/' + d.id + '/claim', {}), '已接手'); });
    act.appendChild(claim);
    var note = el('input');
    note.id = 'task-note';
    note.maxLength = 1000;
    note.placeholder = '备注（回电情况、约定事项…）';
    note.setAttribute('aria-label', '备注');
    act.appendChild(note);
    var addNote = el('button', 'plain', '添加备注');
    addNote.id = 'task-add-note';
    addNote.addEventListener('click', function () {
      var text = note.value.trim();
      if (!text) return;
      run(api('POST', '/api/console/tasks/' + d.id + '/note', { text: text }), '已添加备注');
    });
    act.appendChild(addNote);
    var outcome = el('select');
    outcome.id = 'task-outcome';
    outcome.setAttribute('aria-label', '结果');
    Object.keys(OUTCOME).forEach(function (k) { var o = el('option', '', OUTCOME[k]); o.value = k; outcome.appendChild(o); });
    act.appendChild(outcome);
    var close = el('button', '', '关闭任务');
    close.id = 'task-close';
    close.addEventListener('click', function () {
      var body = { outcome: outcome.value };
      var text = note.value.trim();
      if (text) body.note = text;
      close.disabled = true;
      run(api('POST', '/api/console/tasks/' + d.id + '/close', body), '已关闭');
    });
    act.appendChild(close);
    [note, addNote, outcome, close].forEach(function (x) { x.disabled = !open; });
    act.appendChild(el('span', 'status', ''));
    act.lastChild.id = 'task-status';
    act.lastChild.setAttribute('role', 'status');
    body.appendChild(act);

    var history = el('details', 'history');
    history.appendChild(el('summary', '', '跟进记录'));
    var ol = el('ol');
    (d.log || []).forEach(function (e) { ol.appendChild(el('li', '', time(e.at) + ' ' + e.by + ' ' + (ACTION[e.action] || e.action) + (e.detail ? '：' + e.detail : ''))); });
    history.appendChild(ol);
    body.appendChild(history);
  }

  function run(promise, done) {
    setStatus('处理中…');
    promise.then(function () {
      loadDetail(selected).then(function () { setStatus(done, 'good'); });
      loadList();
    }, function (err) { setStatus(err.message, 'bad'); });
  }

  function show(on) {
    shown = on;
    $('task-list').hidden = !on;
    $('task-views').hidden = !on;
    $('task-body').hidden = !on || !selected;
    if (!on) { $('task-empty').hidden = true; return; }
    $('detail-empty').hidden = !!selected;
    $('detail-empty').textContent = '在左侧选择一条回访任务（最早到期的排在最上面）。';
    loadList();
    if (selected) loadDetail(selected);
  }

  function switchView(next) {
    view = next;
    $('task-view-open').className = 'sub' + (next === 'open' ? ' on' : '');
    $('task-view-closed').className = 'sub' + (next === 'closed' ? ' on' : '');
    loadList();
  }

  function routeFromHash() {
    var m = /^#\/tasks\/([0-9a-f]{24})$/.exec(location.hash);
    if (!m) return;
    selected = m[1];
    document.dispatchEvent(new CustomEvent('console:open-tab', { detail: 'tasks' }));
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('task-view-open').addEventListener('click', function () { switchView('open'); });
    $('task-view-closed').addEventListener('click', function () { switchView('closed'); });
    window.addEventListener('hashchange', function () { routeFromHash(); if (shown && selected) select(selected); });
    document.addEventListener('console:tab', function (ev) { show(ev.detail === 'tasks'); });
    document.addEventListener('console:signed-in', function () { loadCount(); routeFromHash(); });
    timer = setInterval(function () { if (shown) { loadList(); } else { loadCount(); } }, 10000);
    setInterval(function () { if (shown && items.length) renderList(); }, 30000);
  });
})();
