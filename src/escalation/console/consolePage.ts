/**
 * The advisor console: one HTML document plus its stylesheet and script, served by
 * consoleRoutes.ts under a strict CSP (no inline script). Everything from the server is put on
 * the page with textContent, never innerHTML, because it holds customer text. The browser script
 * avoids template literals so this file can hold it in one.
 */

export const CONSOLE_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>回访 · 顾问控制台</title>
<link rel="stylesheet" href="/console/app.css">
<script src="/console/app.js" defer></script>
<script src="/console/tasks.js" defer></script>
</head>
<body>
<header class="top">
  <div class="brand">回访 · 顾问控制台 <a class="nav" href="/dashboard">数据看板</a> <a class="nav" href="/">首页</a></div>
  <div class="who"><span id="who-name"></span> <button id="logout" class="plain" hidden>退出</button></div>
</header>
<section id="login" class="login" hidden>
  <h1>顾问登录</h1>
  <p class="hint">请输入管理员发给您的顾问令牌（以 hfa. 开头）。令牌只保存在本标签页中，关闭后需重新输入。</p>
  <form id="login-form">
    <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="顾问令牌" aria-label="顾问令牌">
    <button id="login-btn" type="submit">登录</button>
  </form>
  <p id="login-error" class="error" role="alert"></p>
</section>
<main id="app" class="app" hidden>
  <aside class="side">
    <div class="tabs" role="tablist">
      <button id="tab-active" class="tab on" role="tab">待处理 <span id="count-active" class="count">0</span></button>
      <button id="tab-resolved" class="tab" role="tab">已解决</button>
      <button id="tab-tasks" class="tab" role="tab">回访任务 <span id="count-tasks" class="count">0</span></button>
    </div>
    <div id="task-views" class="subs" hidden>
      <button id="task-view-open" class="sub on">待跟进</button>
      <button id="task-view-closed" class="sub">已关闭</button>
    </div>
    <p id="task-empty" class="empty" hidden></p>
    <ul id="task-list" class="list" hidden></ul>
    <p id="list-empty" class="empty" hidden>没有待处理的转人工 🎉</p>
    <ul id="list" class="list"></ul>
    <p id="list-error" class="error" role="alert"></p>
  </aside>
  <section id="detail" class="detail">
    <p id="detail-empty" class="empty">在左侧选择一条转人工（最早的排在最上面）。</p>
    <div id="detail-body" hidden>
      <div class="d-head">
        <h2 id="d-title"></h2>
        <span id="d-trigger" class="badge"></span>
        <span id="d-status" class="badge"></span>
      </div>
      <dl class="facts">
        <dt>评分</dt><dd id="d-score"></dd>
        <dt>原因</dt><dd id="d-reason"></dd>
        <dt>客户原话</dt><dd id="d-words"></dd>
        <dt>摘要</dt><dd id="d-summary"></dd>
        <dt>企业微信</dt><dd id="d-wecom"></dd>
        <dt>接待</dt><dd id="d-assignee"></dd>
        <dt>等待</dt><dd id="d-waiting"></dd>
      </dl>
      <p id="d-masked" class="muted" hidden></p>
      <h3>对话记录</h3>
      <div id="d-transcript" class="transcript" aria-live="polite"></div>
      <div class="reply">
        <p id="reply-mode" class="mode"></p>
        <textarea id="reply-text" rows="3" maxlength="1000" placeholder="回复顾客…"></textarea>
        <div class="row">
          <button id="reply-send">发送</button>
          <span id="reply-status" class="status" role="status"></span>
        </div>
      </div>
      <div class="resolve">
        <button id="claim" class="plain">接手</button>
        <label>解决后 <select id="handback">
          <option value="none">不交回机器人（问卷按已答内容结束）</option>
          <option value="resume">交回机器人，继续问卷</option>
          <option value="finish">交回机器人，致谢并结束</option>
        </select></label>
        <input id="note" maxlength="200" placeholder="备注（可选）">
        <button id="resolve">标记已解决</button>
        <span id="resolve-status" class="status" role="status"></span>
      </div>
      <details class="history"><summary>操作记录</summary><ol id="d-actions"></ol></details>
    </div>
    <div id="task-body" hidden></div>
  </section>
</main>
</body>
</html>
`;

export const CONSOLE_STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%;font:14px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329;background:#f2f3f5}
[hidden]{display:none!important}
button{border:0;border-radius:4px;padding:6px 14px;background:#1d6fe0;color:#fff;font-size:14px;cursor:pointer}
button.plain{background:#fff;color:#1f2329;border:1px solid #c9cdd4}
button:disabled{opacity:.5;cursor:default}
input,select,textarea{font:inherit;padding:6px 8px;border:1px solid #c9cdd4;border-radius:4px;background:#fff}
.top{display:flex;justify-content:space-between;align-items:center;padding:10px 18px;background:#fff;border-bottom:1px solid #e5e6eb}
.brand{font-weight:600}
.brand .nav{font-weight:400;font-size:13px;margin-left:10px}
.login{max-width:420px;margin:60px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 2px 12px rgba(0,0,0,.06)}
.login h1{font-size:20px;margin:0 0 8px}
.login form{display:flex;gap:8px}.login input{flex:1}
.hint{color:#646a73;font-size:13px}
.error{color:#d93026;min-height:1em}
.app{display:flex;height:calc(100% - 49px)}
.side{width:340px;flex:none;background:#fff;border-right:1px solid #e5e6eb;overflow-y:auto}
.tabs{display:flex;border-bottom:1px solid #e5e6eb}
.tab{flex:1;border-radius:0;background:#fff;color:#646a73;padding:10px}
.tab.on{color:#1d6fe0;box-shadow:inset 0 -2px 0 #1d6fe0}
.count{display:inline-block;min-width:18px;padding:0 5px;border-radius:9px;background:#f54a45;color:#fff;font-size:12px}
.list{list-style:none;margin:0;padding:0}
.list li{padding:10px 14px;border-bottom:1px solid #f2f3f5;cursor:pointer}
.list li:hover{background:#f5f8ff}.list li.on{background:#e8f0fe}
.list .name{font-weight:600}.list .meta{font-size:12px;color:#646a73}
.list .wait{float:right;font-size:12px;color:#d93026}.list .wait.ok{color:#00a870}
.empty{color:#8f959e;padding:16px}
.detail{flex:1;overflow-y:auto;padding:16px 22px}
.d-head{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.d-head h2{margin:0;font-size:18px}
.badge{font-size:12px;padding:2px 8px;border-radius:10px;background:#eef0f3;color:#4e5969}
.badge.open{background:#fff1e8;color:#d25f00}.badge.assigned{background:#e8f0fe;color:#1d6fe0}.badge.resolved{background:#e8f7ef;color:#00a870}
.facts{display:grid;grid-template-columns:80px 1fr;gap:4px 12px;background:#fff;padding:12px;border-radius:6px}
.facts dt{color:#8f959e}.facts dd{margin:0;white-space:pre-wrap;word-break:break-word}
.transcript{background:#fff;border-radius:6px;padding:10px;max-height:46vh;overflow-y:auto}
.msg{display:flex;flex-direction:column;margin:8px 0;align-items:flex-start}
.msg.out{align-items:flex-end}
.msg .who{font-size:11px;color:#8f959e}
.msg .bubble{max-width:75%;padding:7px 10px;border-radius:6px;background:#f2f3f5;white-space:pre-wrap;word-break:break-word}
.msg.bot .bubble{background:#e8f7ef}.msg.advisor .bubble{background:#dbe9ff}
.msg .media{margin-top:4px;font-size:13px}.msg .media img{display:block;max-width:180px;max-height:180px;border-radius:4px;border:1px solid #e5e6eb}
.msg.system{align-items:center}.msg.system .bubble{background:none;color:#8f959e;font-size:12px}
.msg .note{font-size:11px;color:#d93026}
.reply,.resolve{background:#fff;border-radius:6px;padding:12px;margin-top:12px}
.reply textarea{width:100%;resize:vertical}
.row{display:flex;gap:8px;align-items:center;margin-top:6px}
.mode{margin:0 0 6px;color:#646a73;font-size:13px}.mode.blocked{color:#d25f00}
.status{font-size:13px;color:#646a73}.status.bad{color:#d93026}.status.good{color:#00a870}
.resolve{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.resolve input{flex:1;min-width:160px}
.history{margin-top:12px;background:#fff;border-radius:6px;padding:10px 12px}
.history ol{margin:6px 0 0;padding-left:18px;font-size:13px;color:#4e5969}
.subs{display:flex;gap:6px;padding:8px 14px;border-bottom:1px solid #f2f3f5}
.sub{background:#fff;color:#646a73;border:1px solid #e5e6eb;padding:3px 10px;font-size:13px}
.sub.on{color:#1d6fe0;border-color:#1d6fe0}
.list li.overdue{box-shadow:inset 3px 0 0 #f54a45;background:#fff7f5}
.list .due.overdue{color:#d93026;font-weight:600}
.badge.claimed{background:#e8f0fe;color:#1d6fe0}.badge.closed{background:#e8f7ef;color:#00a870}.badge.overdue{background:#ffece8;color:#d93026}
.answers{margin:0;padding-left:18px}
.task-actions select{min-width:110px}
@media (max-width:760px){
  .app{flex-direction:column;height:auto}
  .side{width:auto;max-height:48vh;border-right:0;border-bottom:1px solid #e5e6eb}
  .detail{padding:12px}
  .facts{grid-template-columns:68px 1fr}
  .transcript{max-height:40vh}
  .msg .bubble{max-width:90%}
  .top{flex-wrap:wrap;gap:4px}
}
`;

export const CONSOLE_SCRIPT = `
(function () {
  'use strict';
  var KEY = 'hf.console.token';
  var STATUS = { open: '待接入', assigned: '处理中', resolved: '已解决' };
  var AUTHOR = { customer: '顾客', bot: '机器人', advisor: '顾问', system: '系统' };
  var HANDOVER = { waiting_reason: '等待顾客说明原因', pending: '转接中', person: '人工接待', queue: '企业微信排队中', ended: '企业微信会话已结束', skipped: '无需转接' };
  var ACTIONS = { opened: '创建', trigger: '再次触发', handed_over: '转接', handover_skipped: '未转接', servicer_refused: '顾问无法接待', notice: '告知顾客', notified: '通知顾问', renotified: '再次提醒', robot: '群机器人', app_message: '应用消息', assigned: '接入', wecom_assigned: '企业微信接入', wecom_ended: '企业微信结束', claimed: '接手', replied: '回复', first_reply: '首次回复', resolved: '解决' };
  var view = 'active';
  var selected = null;
  var listFetchedAt = 0;
  var listItems = [];
  var timer = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function token() { return sessionStorage.getItem(KEY) || ''; }
  function two(n) { return n < 10 ? '0' + n : String(n); }
  function time(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return (d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + two(d.getHours()) + ':' + two(d.getMinutes());
  }
  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + ' 秒';
    var m = Math.floor(seconds / 60);
    if (m < 60) return m + ' 分钟';
    return Math.floor(m / 60) + ' 小时 ' + (m % 60) + ' 分';
  }
  function randomId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += ('0' + bytes[i].toString(16)).slice(-2);
    return s;
  }

  // Voice notes and pictures need the sign-in header, so they are fetched as blobs (once each).
  var mediaUrls = {};
  function withMedia(escalationId, fileId, done) {
    if (mediaUrls[fileId]) { done(mediaUrls[fileId]); return; }
    fetch('/api/console/escalations/' + encodeURIComponent(escalationId) + '/media/' + encodeURIComponent(fileId), { headers: { authorization: 'Bearer ' + token() } })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.blob(); })
      .then(function (blob) { mediaUrls[fileId] = URL.createObjectURL(blob); done(mediaUrls[fileId]); })
      .catch(function () { /* the entry still says [图片] / [语音] */ });
  }
  function mediaBox(escalationId, media) {
    var box = el('div', 'media');
    if (!media.fileId) { box.textContent = media.type === 'voice' ? '（语音未能取回）' : '（图片未能取回）'; return box; }
    withMedia(escalationId, media.fileId, function (url) {
      if (media.type === 'image') {
        var a = el('a', '', '');
        a.href = url; a.target = '_blank'; a.rel = 'noopener';
        var img = el('img', '', '');
        img.src = url; img.alt = '顾客发送的图片';
        a.appendChild(img);
        box.appendChild(a);
      } else {
        // Browsers do not play AMR: offer the file (and the transcript above says what was heard).
        var link = el('a', '', '下载语音原件（AMR）');
        link.href = url; link.download = 'voice-' + media.fileId + '.amr';
        box.appendChild(link);
      }
    });
    return box;
  }

  function api(method, path, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + token() } };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      if (res.status === 204) return null;
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 401) { signOut('令牌无效或已被更换，请重新登录'); throw new Error('401'); }
        if (!res.ok) { var e = new Error((data && data.error && data.error.message) || ('请求失败（' + res.status + '）')); e.status = res.status; throw e; }
        return data;
      });
    });
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    if (timer) { clearInterval(timer); timer = null; }
    $('app').hidden = true;
    $('logout').hidden = true;
    $('who-name').textContent = '';
    $('login').hidden = false;
    $('login-error').textContent = message || '';
  }

  function signIn() {
    return api('GET', '/api/console/me').then(function (me) {
      $('who-name').textContent = me.name + (me.admin ? '（管理员）' : '');
      $('logout').hidden = false;
      $('login').hidden = true;
      $('app').hidden = false;
      routeFromHash();
      refresh();
      if (!timer) timer = setInterval(refresh, 4000);
      document.dispatchEvent(new CustomEvent('console:signed-in'));
    });
  }

  function refresh() {
    // The tasks tab (/console/tasks.js) refreshes itself.
    if (view === 'tasks') return;
    loadList();
    if (selected) loadDetail(selected, false);
  }

  function loadList() {
    return api('GET', '/api/console/escalations?view=' + view).then(function (data) {
      listItems = data.items || [];
      listFetchedAt = Date.now();
      $('list-error').textContent = '';
      renderList();
    }, function (err) { if (err.message !== '401') $('list-error').textContent = err.message; });
  }

  function waitingNow(item) {
    var ticking = view === 'active' && !item.firstReplyAt;
    return item.waitingSeconds + (ticking ? (Date.now() - listFetchedAt) / 1000 : 0);
  }

  function renderList() {
    var list = $('list');
    clear(list);
    if (view === 'active') $('count-active').textContent = String(listItems.length);
    $('list-empty').hidden = listItems.length > 0;
    $('list-empty').textContent = view === 'active' ? '没有待处理的转人工 🎉' : '还没有已解决的转人工';
    listItems.forEach(function (item) {
      var li = el('li');
      li.setAttribute('data-id', item.id);
      if (item.id === selected) li.className = 'on';
      var wait = el('span', 'wait' + (item.firstReplyAt ? ' ok' : ''), item.firstReplyAt ? '首次回复 ' + duration(item.firstReplySeconds || 0) : '已等待 ' + duration(waitingNow(item)));
      li.appendChild(wait);
      li.appendChild(el('div', 'name', item.nickname || item.customerId));
      var meta = item.triggerLabel + (item.score !== null ? ' · ' + item.score + ' 分' : '') + ' · ' + (STATUS[item.status] || item.status);
      li.appendChild(el('div', 'meta', meta));
      li.appendChild(el('div', 'meta', (HANDOVER[item.handover] || item.handover) + (item.servicerId ? ' · ' + item.servicerId : '') + ' · ' + time(item.createdAt)));
      li.addEventListener('click', function () { select(item.id); });
      list.appendChild(li);
    });
  }

  function select(id) {
    selected = id;
    if (location.hash !== '#/escalations/' + id) history.replaceState(null, '', '#/escalations/' + id);
    $('reply-text').value = '';
    $('reply-status').textContent = '';
    $('resolve-status').textContent = '';
    renderList();
    loadDetail(id, true);
  }

  function routeFromHash() {
    var m = /^#\\/escalations\\/([0-9a-f]{24})$/.exec(location.hash);
    if (m) select(m[1]);
  }

  function loadDetail(id, scroll) {
    return api('GET', '/api/console/escalations/' + id).then(function (d) {
      if (selected !== id || view === 'tasks') return;
      renderDetail(d, scroll);
    }, function (err) {
      if (err.message === '401') return;
      $('detail-body').hidden = true;
      $('detail-empty').hidden = false;
      $('detail-empty').textContent = err.message;
    });
  }

  function renderDetail(d, scroll) {
    $('detail-empty').hidden = true;
    $('detail-body').hidden = false;
    $('d-title').textContent = d.nickname || d.customerId;
    $('d-trigger').textContent = d.triggerLabel;
    $('d-status').textContent = STATUS[d.status] || d.status;
    $('d-status').className = 'badge ' + d.status;
    $('d-score').textContent = d.score === null ? '未评分' : d.score + ' 分';
    $('d-reason').textContent = d.reason;
    $('d-words').textContent = d.customerWords || '—';
    $('d-masked').hidden = !d.masked;
    $('d-masked').textContent = d.maskedBecause === 'audit_unavailable'
      ? '暂时无法记录查阅日志：手机号、证件号、银行卡号和邮箱已隐藏，请稍后刷新。'
      : '这条转人工尚未由您接手：手机号、证件号、银行卡号和邮箱已隐藏，接手后可见完整内容。';
    $('d-summary').textContent = (d.summary && d.summary.length ? d.summary.join('\\n') : '生成中…') + (d.summarySource === 'llm' ? '\\n（由大模型生成）' : '');
    $('d-wecom').textContent = d.wecom ? d.wecom.stateText + (d.wecom.servicerId ? '（' + d.wecom.servicerId + '）' : '') : (HANDOVER[d.handover] || d.handover);
    $('d-assignee').textContent = d.assignedTo ? d.assignedTo + (d.assignedAt ? '，' + time(d.assignedAt) : '') : '尚未接入';
    $('d-waiting').textContent = d.firstReplyAt
      ? '首次回复用时 ' + duration(d.firstReplySeconds || 0) + '（' + (d.firstReplyBy || '') + '）'
      : (d.status === 'resolved' ? '未回复即解决' : '已等待 ' + duration(d.waitingSeconds));

    var box = $('d-transcript');
    var atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    clear(box);
    var transcript = d.session ? d.session.transcript : [];
    transcript.forEach(function (t) {
      var side = t.author === 'system' ? 'system' : (t.direction === 'in' ? 'in' : 'out');
      var m = el('div', 'msg ' + side + ' ' + t.author);
      m.appendChild(el('span', 'who', (AUTHOR[t.author] || t.author) + (t.advisorId ? '·' + t.advisorId : '') + ' ' + time(t.at)));
      m.appendChild(el('div', 'bubble', t.text));
      if (t.media) m.appendChild(mediaBox(d.id, t.media));
      if (t.delivery && t.delivery !== 'sent') m.appendChild(el('span', 'note', t.delivery === 'blocked' ? '未送达（企业微信拒收）' : '发送失败'));
      box.appendChild(m);
    });
    if (scroll || atBottom) box.scrollTop = box.scrollHeight;

    var mode = d.reply || { canReply: false, text: '' };
    $('reply-mode').textContent = mode.text;
    $('reply-mode').className = 'mode' + (mode.canReply ? '' : ' blocked');
    var active = d.status !== 'resolved';
    $('reply-text').disabled = !active || !mode.canReply;
    $('reply-send').disabled = !active || !mode.canReply;
    $('claim').disabled = !active;
    $('resolve').disabled = !active;
    $('handback').disabled = !active;
    $('note').disabled = !active;

    var actions = $('d-actions');
    clear(actions);
    (d.actions || []).forEach(function (a) {
      actions.appendChild(el('li', '', time(a.at) + ' ' + a.by + ' ' + (ACTIONS[a.action] || a.action) + (a.detail ? '：' + a.detail : '')));
    });
  }

  function setStatus(id, text, kind) {
    $(id).textContent = text;
    $(id).className = 'status' + (kind ? ' ' + kind : '');
  }

  function sendReply() {
    var text = $('reply-text').value.trim();
    if (!text || !selected) return;
    var id = selected;
    $('reply-send').disabled = true;
    setStatus('reply-status', '发送中…');
    api('POST', '/api/console/escalations/' + id + '/reply', { text: text, clientId: randomId() }).then(function (r) {
      $('reply-text').value = '';
      setStatus('reply-status', r.path === 'event_code' ? '已发送（借转接消息码，后续请在企业微信回复）' : '已发送', 'good');
      loadDetail(id, true);
      loadList();
    }, function (err) {
      setStatus('reply-status', err.message, 'bad');
      $('reply-send').disabled = false;
      loadDetail(id, false);
    });
  }

  function claim() {
    if (!selected) return;
    var id = selected;
    api('POST', '/api/console/escalations/' + id + '/claim', {}).then(function () {
      setStatus('resolve-status', '已接手', 'good');
      loadDetail(id, false);
      loadList();
    }, function (err) { setStatus('resolve-status', err.message, 'bad'); });
  }

  function resolve() {
    if (!selected) return;
    var id = selected;
    var body = { handBack: $('handback').value };
    var note = $('note').value.trim();
    if (note) body.note = note;
    $('resolve').disabled = true;
    setStatus('resolve-status', '处理中…');
    api('POST', '/api/console/escalations/' + id + '/resolve', body).then(function () {
      setStatus('resolve-status', '已解决', 'good');
      $('note').value = '';
      loadDetail(id, false);
      loadList();
    }, function (err) {
      setStatus('resolve-status', err.message, 'bad');
      $('resolve').disabled = false;
    });
  }

  function switchTab(next) {
    view = next;
    $('tab-active').className = 'tab' + (next === 'active' ? ' on' : '');
    $('tab-resolved').className = 'tab' + (next === 'resolved' ? ' on' : '');
    $('tab-tasks').className = 'tab' + (next === 'tasks' ? ' on' : '');
    var tasks = next === 'tasks';
    $('list').hidden = tasks;
    $('list-empty').hidden = true;
    $('detail-body').hidden = tasks || !selected;
    $('detail-empty').hidden = !tasks && !!selected;
    if (!tasks) $('detail-empty').textContent = '在左侧选择一条转人工（最早的排在最上面）。';
    // The tasks tab lives in /console/tasks.js; it shows itself on this event.
    document.dispatchEvent(new CustomEvent('console:tab', { detail: next }));
    if (!tasks) loadList();
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var value = $('token').value.trim();
      if (!value) return;
      sessionStorage.setItem(KEY, value);
      $('token').value = '';
      signIn().catch(function (err) { if (err.message !== '401') signOut(err.message); });
    });
    $('logout').addEventListener('click', function () { signOut(''); });
    $('reply-send').addEventListener('click', sendReply);
    $('reply-text').addEventListener('keydown', function (ev) { if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) sendReply(); });
    $('claim').addEventListener('click', claim);
    $('resolve').addEventListener('click', resolve);
    $('tab-active').addEventListener('click', function () { switchTab('active'); });
    $('tab-resolved').addEventListener('click', function () { switchTab('resolved'); });
    $('tab-tasks').addEventListener('click', function () { switchTab('tasks'); });
    document.addEventListener('console:open-tab', function (ev) { switchTab(ev.detail); });
    window.addEventListener('hashchange', routeFromHash);
    setInterval(function () { if (listItems.length) renderList(); }, 30000);
    if (token()) signIn().catch(function (err) { if (err.message !== '401') signOut(err.message); });
    else signOut('');
  });
})();
`;
