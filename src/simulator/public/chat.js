// The simulator's chat page: a person plays a WeChat customer. All text from the server is put on
// the page with textContent (dom.js), never parsed as markup.
import { $, el } from './dom.js';

(function () {
  var BASE = document.body.dataset.base || '';
  var STATE_LABEL = { 0: '新会话 · 机器人可回复', 1: '智能助手接待中', 2: '排队等待人工', 3: '人工接待中', 4: '会话已结束' };
  var customer = '';
  var seen = 0;
  var polling = false;
  function randomId() {
    var chars = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
    var s = 'wmSIM';
    for (var i = 0; i < 16; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
    return s;
  }
  function store(key, value) { try { localStorage.setItem('huifangSim.' + key, value); } catch (e) { /* private mode */ } }
  function load(key) { try { return localStorage.getItem('huifangSim.' + key); } catch (e) { return null; } }
  function api(method, path, body) {
    var init = { method: method, headers: {} };
    if (body) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(BASE + path, init).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j && j.error ? j.error : 'HTTP ' + r.status);
        return j;
      });
    });
  }
  function status(text, bad) {
    var s = $('status');
    s.textContent = text || '';
    s.className = bad ? 'status bad' : 'status';
  }
  function reportCallback(r) {
    if (r.callbackStatus === 200) status('已投递回调（HTTP 200）');
    else if (r.callbackStatus === 0) status('回调未送达：未设置回调地址或连接失败/超时，企业微信会重试', true);
    else status('回调返回 HTTP ' + r.callbackStatus + '，企业微信会重试', true);
  }
  function scrollDown() { var log = $('log'); log.scrollTop = log.scrollHeight; }
  function note(text) {
    var n = el('div', 'note');
    n.appendChild(el('span', null, text));
    $('log').appendChild(n);
  }
  function bubbleRow(kind, avatarText, who) {
    var row = el('div', 'msg ' + kind);
    row.appendChild(el('div', 'avatar', avatarText));
    var col = el('div', 'col');
    if (who) col.appendChild(el('div', 'who', who));
    row.appendChild(col);
    $('log').appendChild(row);
    return col;
  }
  function payloadText(m) {
    var b = m.body || {};
    if (m.msgtype === 'text') return b.content;
    if (m.msgtype === 'image') return '[图片]';
    if (m.msgtype === 'voice') return '[语音]';
    if (m.msgtype === 'video') return '[视频]';
    if (m.msgtype === 'file') return '[文件]';
    if (m.msgtype === 'link') return '[链接] ' + (b.title || '');
    if (m.msgtype === 'miniprogram') return '[小程序] ' + (b.title || '');
    if (m.msgtype === 'location') return '[位置] ' + (b.name || '');
    return '[' + m.msgtype + ']';
  }
  function renderMenu(col, menu) {
    var box = el('div', 'bubble menu');
    if (menu.head_content) box.appendChild(el('div', 'head', menu.head_content));
    (menu.list || []).forEach(function (item) {
      if (item.type === 'click' && item.click) {
        var b = el('button', 'opt', item.click.content);
        b.type = 'button';
        b.addEventListener('click', function () { say(item.click.content, item.click.id); });
        box.appendChild(b);
      } else if (item.type === 'view' && item.view) {
        var a = el('a', 'link', item.view.content);
        if (/^https?:\/\//.test(item.view.url)) { a.href = item.view.url; a.target = '_blank'; a.rel = 'noopener noreferrer'; }
        box.appendChild(a);
      } else if (item.type === 'miniprogram' && item.miniprogram) {
        box.appendChild(el('div', 'link', '[小程序] ' + item.miniprogram.content));
      } else if (item.type === 'text' && item.text) {
        box.appendChild(el('div', null, item.text.content));
      }
    });
    if (menu.tail_content) box.appendChild(el('div', 'tail', menu.tail_content));
    col.appendChild(box);
  }
  function renderEvent(e) {
    if (e.event_type === 'enter_session') {
      note('进入会话' + (e.scene_param ? '（' + e.scene_param + '）' : '') + (e.welcome_code ? ' · 可发送欢迎语' : ''));
    } else if (e.event_type === 'session_status_change') {
      if (e.change_type === 3) note('会话已结束');
      else note('顾问 ' + (e.new_servicer_userid || '') + ' 已接入');
    } else if (e.event_type === 'msg_send_fail') {
      note('消息发送失败（fail_type ' + e.fail_type + '）');
    } else {
      note('事件：' + e.event_type);
    }
  }
  function render(m) {
    if (m.msgtype === 'event') { renderEvent(m.body || {}); return; }
    var col;
    if (m.direction === 'in' && m.origin === 3) {
      col = bubbleRow('me', '我', null);
      var b = el('div', 'bubble', payloadText(m));
      if (m.body && m.body.menu_id) b.appendChild(el('span', 'tag', '菜单'));
      col.appendChild(b);
    } else if (m.origin === 5) {
      col = bubbleRow('svc', '顾', '顾问 ' + (m.servicerId || ''));
      col.appendChild(el('div', 'bubble', payloadText(m)));
    } else {
      col = bubbleRow('bot', '回', '回访助手');
      if (m.msgtype === 'msgmenu') renderMenu(col, m.body || {});
      else col.appendChild(el('div', 'bubble', payloadText(m)));
    }
  }
  function showState(state, servicerId) {
    var badge = $('state');
    badge.textContent = (STATE_LABEL[state] || ('状态 ' + state)) + (state === 3 && servicerId ? '（' + servicerId + '）' : '');
    badge.className = 'badge s' + state;
  }
  function poll() {
    if (polling || !customer) return;
    polling = true;
    var asked = customer;
    api('GET', '/api/transcript?customer=' + encodeURIComponent(asked) + '&after=' + seen)
      .then(function (r) {
        if (asked !== customer) return;
        r.messages.forEach(render);
        seen = r.total;
        showState(r.state, r.servicerId);
        if (r.messages.length) scrollDown();
      })
      .catch(function (err) { status('刷新失败：' + err.message, true); })
      .then(function () { polling = false; });
  }
  function setCustomer(id) {
    customer = id;
    seen = 0;
    $('cid').value = id;
    store('customer', id);
    $('log').replaceChildren();
    poll();
  }
  function nickname() { var n = $('nick').value.trim(); store('nick', n); return n || undefined; }
  function say(text, menuId) {
    if (!text) return;
    var body = { customer: customer, text: text, nickname: nickname() };
    if (menuId) body.menuId = menuId;
    api('POST', '/api/say', body).then(function (r) { reportCallback(r); poll(); }).catch(function (err) { status('发送失败：' + err.message, true); });
  }
  // WeChat sends nothing for an empty message; say so instead of doing nothing silently.
  var EMPTY_HINT = '消息内容为空，没有发送：请先输入文字（只有空格也算空）';
  function sendTyped() {
    var t = $('txt');
    var text = t.value.trim();
    if (!text) { status(EMPTY_HINT, true); t.focus(); return; }
    t.value = '';
    say(text);
  }
  $('send').addEventListener('click', sendTyped);
  $('txt').addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendTyped(); }
  });
  function sendMedia(path, extra) {
    var body = { customer: customer, nickname: nickname() };
    if (extra) { body.dataBase64 = extra.dataBase64; body.contentType = extra.contentType; }
    api('POST', path, body).then(function (r) { reportCallback(r); poll(); }).catch(function (err) { status('发送失败：' + err.message, true); });
  }
  $('img').addEventListener('click', function () { sendMedia('/api/image'); });
  $('voice').addEventListener('click', function () { sendMedia('/api/voice'); });
  // WeChat's built-in faces travel as bracketed text such as [强]; saved stickers arrive as pictures.
  $('facesbtn').addEventListener('click', function () { $('faces').hidden = !$('faces').hidden; });
  ['微笑', '强', '玫瑰', 'OK', '抱拳', '耶', '发怒', '流泪', '弱', '捂脸', '衰', '撇嘴'].forEach(function (face) {
    var b = el('button', null, '[' + face + ']');
    b.type = 'button';
    b.addEventListener('click', function () { say('[' + face + ']'); $('faces').hidden = true; });
    $('faces').appendChild(b);
  });
  $('file').addEventListener('change', function () {
    var f = $('file').files && $('file').files[0];
    $('file').value = '';
    if (!f) return;
    if (f.size > 1000000) { status('文件太大：模拟器只收 1 MB 以内的图片或语音', true); return; }
    var reader = new FileReader();
    reader.onload = function () {
      var data = String(reader.result).split(',')[1] || '';
      var isVoice = f.type.indexOf('audio/') === 0 || /[.]amr$/i.test(f.name);
      sendMedia(isVoice ? '/api/voice' : '/api/image', { dataBase64: data, contentType: f.type || (isVoice ? 'audio/amr' : 'image/png') });
    };
    reader.readAsDataURL(f);
  });
  $('enter').addEventListener('click', function () {
    var id = $('cid').value.trim();
    if (id !== customer) setCustomer(id);
    var sp = $('sp').value.trim();
    store('sceneParam', sp);
    var body = { customer: customer, nickname: nickname() };
    if (/^https?:\/\//.test(sp)) body.link = sp;
    else if (sp) { body.scene = 'survey'; body.sceneParam = sp; }
    api('POST', '/api/enter', body).then(function (r) { reportCallback(r); poll(); }).catch(function (err) { status('进入会话失败：' + err.message, true); });
  });
  $('newc').addEventListener('click', function () { setCustomer(randomId()); status('已切换到新客户 ' + customer); });
  $('cid').addEventListener('change', function () { var id = $('cid').value.trim(); if (id) setCustomer(id); });
  function setState(state) {
    var body = { customer: customer, state: state };
    if (state === 3) body.servicerId = $('svc').value;
    api('POST', '/api/state', body).then(function () { poll(); }).catch(function (err) { status('操作失败：' + err.message, true); });
  }
  $('take').addEventListener('click', function () { setState(3); });
  $('queue').addEventListener('click', function () { setState(2); });
  $('endbtn').addEventListener('click', function () { setState(4); });
  $('svcsend').addEventListener('click', function () {
    var text = $('svctxt').value.trim();
    if (!text) { status('顾问回复为空，没有发送：请先输入文字', true); $('svctxt').focus(); return; }
    api('POST', '/api/servicer', { customer: customer, servicerId: $('svc').value, text: text })
      .then(function (r) { $('svctxt').value = ''; reportCallback(r); poll(); })
      .catch(function (err) { status('顾问发送失败：' + err.message, true); });
  });
  api('GET', '/api/info').then(function (info) {
    (info.servicers || []).forEach(function (s) { var o = el('option', null, s); o.value = s; $('svc').appendChild(o); });
    $('kf').textContent = info.openKfId || '';
    if (!info.callbackUrl) status('尚未设置回调地址：消息会进入 sync_msg，但机器人收不到通知', true);
  }).catch(function () { /* page still works without info */ });
  $('nick').value = load('nick') || '测试客户';
  var savedSp = load('sceneParam');
  $('sp').value = savedSp === null ? 'nps-default' : savedSp;
  setCustomer(load('customer') || randomId());
  setInterval(poll, 1000);
})();
