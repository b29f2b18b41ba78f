// The advisor console: escalations waiting for a person, their transcript, reply and resolve.
// Everything from the server is put on the page with textContent (dom.js), never innerHTML,
// because it holds customer text. The tasks tab lives in tasks.js.
import { $, clear, el } from '/ui/dom.js';
import { showLoginCard, signInErrorText } from '/ui/login.js';

(function () {
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
  var me_ = null;

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
        var error = (data && data.error) || {};
        if (res.status === 401) { signOut(signInErrorText({ status: 401, code: error.code })); throw new Error('401'); }
        if (!res.ok) { var e = new Error(error.message || ('请求失败（' + res.status + '）')); e.status = res.status; e.code = error.code; throw e; }
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
    showLoginCard($('login'), { title: '登录顾问控制台', message: message, onToken: tryToken });
  }

  function tryToken(value) {
    sessionStorage.setItem(KEY, value);
    return signIn().catch(function (err) {
      if (err.message === '401') throw { status: 401 };
      sessionStorage.removeItem(KEY);
      throw err;
    });
  }

  function signIn() {
    return api('GET', '/api/console/me').then(function (me) {
      me_ = me;
      // The ADMIN_TOKEN holder is already named 管理员; say the role only for other admins.
      $('who-name').textContent = me.name + (me.admin && me.name !== '管理员' ? '（管理员）' : '');
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

  // A resolved escalation's WeCom hand-over is over, whatever state it was last seen in.
  function handoverText(item) {
    if (item.status === 'resolved') return '已解决' + (item.resolvedBy ? '（' + item.resolvedBy + '）' : '');
    return (HANDOVER[item.handover] || item.handover) + (item.servicerId ? ' · ' + item.servicerId : '');
  }

  // Calm until half the reply target, amber until it, red after (the target: when advisors are reminded).
  function waitClass(item, waited) {
    var target = item.replyTargetSeconds || 900;
    return waited >= target ? 'late' : waited >= target / 2 ? 'soon' : '';
  }

  function renderList() {
    var list = $('list');
    clear(list);
    if (view === 'active') $('count-active').textContent = String(listItems.length);
    $('list-empty').hidden = listItems.length > 0;
    $('list-empty').textContent = view === 'active' ? '没有待处理的转人工，都处理完了。' : '还没有已解决的转人工';
    listItems.forEach(function (item) {
      var li = el('li');
      li.setAttribute('data-id', item.id);
      if (item.id === selected) li.className = 'on';
      var waited = waitingNow(item);
      var wait = el('span', 'wait ' + (item.firstReplyAt ? 'ok' : waitClass(item, waited)), item.firstReplyAt ? '首次回复 ' + duration(item.firstReplySeconds || 0) : '已等待 ' + duration(waited));
      li.appendChild(wait);
      li.appendChild(el('div', 'name', item.nickname || item.customerId));
      var meta = item.triggerLabel + (item.score !== null ? ' · ' + item.score + ' 分' : '') + ' · ' + (STATUS[item.status] || item.status);
      li.appendChild(el('div', 'meta', meta));
      li.appendChild(el('div', 'meta', handoverText(item) + ' · ' + time(item.createdAt)));
      li.addEventListener('click', function () { select(item.id); });
      list.appendChild(li);
    });
  }

  function select(id) {
    selected = id;
    if (location.hash !== '#/escalations/' + id) history.replaceState(null, '', '#/escalations/' + id);
    // What was chosen for the last escalation must not carry over to this one.
    $('reply-text').value = '';
    $('handback').value = 'none';
    $('note').value = '';
    $('reply-status').textContent = '';
    $('resolve-status').textContent = '';
    renderList();
    loadDetail(id, true);
  }

  function routeFromHash() {
    var m = /^#\/escalations\/([0-9a-f]{24})$/.exec(location.hash);
    if (m) select(m[1]);
    else if (location.hash === '#/tasks' && view !== 'tasks') switchTab('tasks');
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
    $('d-summary').textContent = (d.summary && d.summary.length ? d.summary.join('\n') : '生成中…') + (d.summarySource === 'llm' ? '\n（由大模型生成）' : '');
    $('d-wecom').textContent = d.wecom ? d.wecom.stateText + (d.wecom.servicerId ? '（' + d.wecom.servicerId + '）' : '') : handoverText(d);
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
    var mine = !!(me_ && d.assignedTo === me_.id);
    $('claim').disabled = !active || mine;
    $('claim').textContent = mine ? '已接手' : '接手';
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
      setStatus('reply-status', r.path === 'event_code' ? '已发送。企业微信只允许从这里发这 1 条，之后请在企业微信客户端回复。' : '已发送', 'good');
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
