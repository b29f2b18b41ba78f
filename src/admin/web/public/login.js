// /login: takes the token from the address fragment (#token=…, never sent to the server), keeps it
// where /admin, /dashboard and /console read it, removes it from the address bar, checks it with
// GET /api/me and goes on to ?next= (a path on this site) or /dashboard.

const ADMIN_KEY = 'hf-admin-token';
const CONSOLE_KEY = 'hf.console.token';

const status = document.getElementById('status');
const form = document.getElementById('form');

/** Only a path on this site: no scheme, no `//host`, so the link cannot send the token elsewhere. */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next') || '';
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/dashboard';
}

async function signIn(token) {
  status.textContent = '正在登录…';
  // Advisors' tokens open the console only: checked there, and kept only where the console reads them.
  const forConsole = nextPath().startsWith('/console');
  const res = await fetch(forConsole ? '/api/console/me' : '/api/me', { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  if (!res) return showForm('连不上服务，请确认它在运行后重试。');
  if (res.status === 401) {
    const body = await res.json().catch(() => ({}));
    const code = body && body.error && body.error.code;
    return showForm(code === 'AUTH_NOT_CONFIGURED' ? '还没有任何账号：请查看服务日志里的登录链接。' : '这个令牌无效或已被更换。请用最新的登录链接，或粘贴有效的令牌。');
  }
  if (!res.ok) return showForm(`登录失败（HTTP ${res.status}），请稍后重试。`);
  if (!forConsole) sessionStorage.setItem(ADMIN_KEY, token);
  sessionStorage.setItem(CONSOLE_KEY, token);
  status.textContent = '已登录，正在跳转…';
  location.replace(nextPath());
}

function showForm(message) {
  status.textContent = message;
  form.hidden = false;
  document.getElementById('token').focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = document.getElementById('token').value.trim();
  if (token) void signIn(token);
});

const fromLink = /^#token=([A-Za-z0-9_.~-]+)$/.exec(location.hash);
// The token leaves the address bar (and the history entry) before anything else happens.
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
if (fromLink) void signIn(fromLink[1]);
else showForm('请打开服务日志里的登录链接。');
