/**
 * The simulator's chat page: one self-contained HTML document (inline CSS and JS, no external
 * assets) where a person plays a WeChat customer. All text from the server is rendered with
 * textContent, never innerHTML. The browser script avoids template literals so this file can
 * hold it in one.
 */

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%;background:#d9d9d9;font:15px/1.45 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif;color:#191919}
.phone{max-width:430px;height:100%;margin:0 auto;display:flex;flex-direction:column;background:#ededed;box-shadow:0 0 24px rgba(0,0,0,.15)}
header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#f7f7f7;border-bottom:1px solid #dcdcdc}
header .title{font-weight:600}
.badge{font-size:12px;padding:2px 8px;border-radius:10px;background:#e7f6ec;color:#07c160;white-space:nowrap}
.badge.s2{background:#fff4e0;color:#c27c00}.badge.s3{background:#e6f0ff;color:#1d6fe0}.badge.s4{background:#eee;color:#888}
.setup{padding:8px 12px;background:#f7f7f7;border-bottom:1px solid #dcdcdc;display:grid;grid-template-columns:auto 1fr;gap:6px 8px;align-items:center;font-size:13px}
.setup input{width:100%;padding:5px 7px;border:1px solid #ccc;border-radius:4px;font-size:13px}
.setup .row{grid-column:1/3;display:flex;gap:8px}
button{border:0;border-radius:4px;padding:6px 12px;background:#07c160;color:#fff;font-size:14px;cursor:pointer}
button.plain{background:#fff;color:#333;border:1px solid #ccc}
button:disabled{opacity:.5;cursor:default}
#log{flex:1;overflow-y:auto;padding:12px 10px}
.msg{display:flex;margin:10px 0;align-items:flex-start}
.msg.me{flex-direction:row-reverse}
.avatar{flex:none;width:36px;height:36px;border-radius:4px;display:flex;align-items:center;justify-content:center;font-size:13px;color:#fff;background:#5b8def}
.msg.me .avatar{background:#9aa5b1}.msg.svc .avatar{background:#1d6fe0}
.col{max-width:74%;margin:0 8px;display:flex;flex-direction:column}
.msg.me .col{align-items:flex-end}
.who{font-size:11px;color:#888;margin-bottom:2px}
.bubble{background:#fff;border-radius:6px;padding:8px 10px;white-space:pre-wrap;word-break:break-word}
.msg.me .bubble{background:#95ec69}
.msg.svc .bubble{background:#dbe9ff;border:1px solid #b5cffa}
.menu .head,.menu .tail{white-space:pre-wrap}
.menu .opt{display:block;width:100%;margin:6px 0;padding:6px 8px;text-align:left;background:#fff;color:#576b95;border:1px solid #d6dbe6}
.menu .opt:hover{background:#f3f6fb}
.menu .link{display:block;margin:6px 0;color:#576b95}
.tag{font-size:11px;color:#07c160;margin-left:4px}
.note{text-align:center;margin:8px 0}
.note span{display:inline-block;font-size:12px;color:#fff;background:rgba(0,0,0,.22);border-radius:4px;padding:2px 8px;max-width:90%}
footer{display:flex;gap:6px;padding:8px;background:#f7f7f7;border-top:1px solid #dcdcdc;align-items:flex-end}
footer textarea{flex:1;resize:none;height:38px;max-height:120px;padding:8px;border:1px solid #ddd;border-radius:4px;font:inherit}
.advisor{background:#f7f7f7;border-top:1px solid #dcdcdc;padding:6px 10px;font-size:13px}
.advisor .row{display:flex;gap:6px;margin-top:6px;flex-wrap:wrap}
.advisor input{flex:1;min-width:120px;padding:5px 7px;border:1px solid #ccc;border-radius:4px}
.tools{display:flex;gap:6px;padding:6px 8px 0;background:#f7f7f7;border-top:1px solid #dcdcdc;flex-wrap:wrap}
.tools button,.tools label{font-size:13px;padding:4px 10px}
.tools label{border-radius:4px;background:#fff;color:#333;border:1px solid #ccc;cursor:pointer}
.faces{display:flex;flex-wrap:wrap;gap:4px;padding:6px 8px 0;background:#f7f7f7}
.faces[hidden]{display:none}
.faces button{background:#fff;color:#333;border:1px solid #ddd;font-size:13px;padding:3px 6px}
.status{font-size:12px;color:#888;padding:4px 10px 8px;background:#f7f7f7;min-height:22px}
.status.bad{color:#d93026}
`;

const SCRIPT = `
(function () {
  'use strict';
  var BASE = JSON.parse(document.getElementById('sim-config').textContent).base;
  var STATE_LABEL = { 0: '新会话 · 机器人可回复', 1: '智能助手接待中', 2: '排队等待人工', 3: '人工接待中', 4: '会话已结束' };
  var customer = '';
  var seen = 0;
  var polling = false;
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
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
        if (/^https?:\\/\\//.test(item.view.url)) { a.href = item.view.url; a.target = '_blank'; a.rel = 'noopener noreferrer'; }
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
    if (/^https?:\\/\\//.test(sp)) body.link = sp;
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
`;

/** The chat page HTML for a simulator mounted at `pathPrefix` ('' or '/simulator'). */
export function renderChatPage(pathPrefix: string): string {
  // JSON in a non-executable script tag; '<' escaped so no value can close the tag.
  const config = JSON.stringify({ base: pathPrefix }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>回访 · 微信客服模拟器</title>
<style>${STYLE}</style>
</head>
<body>
<div class="phone">
  <header><div class="title">回访客服 <small id="kf" style="color:#999;font-weight:400"></small></div><span id="state" class="badge">…</span></header>
  <section class="setup">
    <label for="cid">客户 ID</label><input id="cid" autocomplete="off" spellcheck="false">
    <label for="nick">昵称</label><input id="nick" maxlength="32">
    <label for="sp">场景参数</label><input id="sp" maxlength="2048" placeholder="scene_param（如 nps-default）或邀请链接">
    <div class="row"><button id="enter" type="button">进入会话</button><button id="newc" type="button" class="plain">换个新客户</button></div>
  </section>
  <main id="log" aria-live="polite"></main>
  <div class="tools">
    <button id="img" type="button" class="plain" title="发送一张图片（1×1 样图）">图片</button>
    <button id="voice" type="button" class="plain" title="发送一条语音（内置 1 秒 AMR 样例）">语音</button>
    <button id="facesbtn" type="button" class="plain" title="微信表情（以 [强] 这样的文字发送）">表情</button>
    <label title="上传图片或 AMR 语音（1 MB 以内）">上传文件<input id="file" type="file" accept="image/*,audio/*,.amr" hidden></label>
  </div>
  <div id="faces" class="faces" hidden></div>
  <footer>
    <textarea id="txt" placeholder="输入消息，回车发送"></textarea>
    <button id="send" type="button">发送</button>
  </footer>
  <details class="advisor">
    <summary>顾问操作（模拟企业微信客户端）</summary>
    <div class="row"><select id="svc"></select><button id="take" type="button" class="plain">接入会话</button><button id="queue" type="button" class="plain">转入排队</button><button id="endbtn" type="button" class="plain">结束会话</button></div>
    <div class="row"><input id="svctxt" placeholder="以顾问身份回复（需先接入）"><button id="svcsend" type="button">顾问发送</button></div>
  </details>
  <div id="status" class="status"></div>
</div>
<script type="application/json" id="sim-config">${config}</script>
<script>${SCRIPT}</script>
</body>
</html>`;
}
