// Advisors (#/advisors, admins): who may sign in to the advisor console. Create one, send them a
// new sign-in link, remove one. A sign-in link holds the token, so it is shown once, as text to copy
// and as a QR code to scan with the advisor's phone; only its hash stays on the server.
import { del, get, post } from './api.js';
import { formatTime, h, replace } from '/ui/dom.js';
import { describeError } from './labels.js';

/** Loads this page's stylesheet once (the shared one belongs to every page). */
export function useMerchantStyles() {
  if (document.querySelector('link[data-merchant-css]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/admin/static/merchant.css', dataset: { merchantCss: '1' } }));
}

/** The link an advisor opens: /login keeps the token in the tab and goes on to the console. */
export function consoleSignInLink(token) {
  return `${location.origin}/login?next=%2Fconsole#token=${token}`;
}

/** The sign-in link as text and QR code, with what to do with it. */
async function showLink(box, advisorName, token) {
  const link = consoleSignInLink(token);
  const input = h('input', { class: 'token', readOnly: true, value: link, 'aria-label': `${advisorName} 的登录链接`, onFocus: (e) => e.target.select() });
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = h('button', {
    type: 'button',
    class: 'plain small',
    text: '复制链接',
    onClick: async () => {
      input.select();
      const ok = await navigator.clipboard?.writeText(link).then(() => true, () => false);
      copied.textContent = ok ? '已复制' : '请手动复制上面的链接';
    },
  });
  const qr = h('div', { class: 'advisor-qr' });
  replace(
    box,
    h('div', { class: 'card advisor-link' },
      h('p', null, h('strong', { text: `${advisorName} 的登录链接` }), '（只显示这一次；发给本人，或让 TA 用手机扫码。再次生成后旧链接失效）'),
      input,
      h('p', null, copy, ' ', copied),
      qr,
    ),
  );
  try {
    const { svg } = await post('/api/qr', { text: link });
    replace(qr, h('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, alt: `${advisorName} 的登录二维码`, width: 200, height: 200 }));
  } catch (error) {
    replace(qr, h('p', { class: 'bad', text: `二维码生成失败：${describeError(error)}` }));
  }
}

function advisorRow(a, { onLink, onRemove }) {
  return h(
    'tr',
    { dataset: { advisor: a.id } },
    h('td', { text: a.name }),
    h('td', null, h('code', { text: a.id })),
    h('td', { text: a.wecomUserId || '—' }),
    h('td', { text: formatTime(a.createdAt) }),
    h('td', { text: a.lastSeenAt ? formatTime(a.lastSeenAt) : '从未登录' }),
    h('td', null,
      h('button', { type: 'button', class: 'plain small', text: '生成新登录链接', onClick: () => onLink(a) }),
      ' ',
      h('button', { type: 'button', class: 'plain small danger', text: '停用', onClick: () => onRemove(a) }),
    ),
  );
}

/** The advisors page: list, create form, and the box where a new sign-in link appears. */
export async function renderAdvisors(main, { flash }) {
  useMerchantStyles();
  const { items } = await get('/api/advisors');
  const linkBox = h('div', { id: 'advisor-link' });
  const rerender = async () => {
    const kept = [...linkBox.childNodes];
    await renderAdvisors(main, { flash });
    // The link just shown must survive the list refresh: it cannot be shown again.
    document.getElementById('advisor-link')?.replaceChildren(...kept);
  };
  const onLink = async (a) => {
    if (!window.confirm(`为 ${a.name} 生成新的登录链接？旧链接会立即失效。`)) return;
    try {
      const { token } = await post(`/api/advisors/${encodeURIComponent(a.id)}/token`);
      await showLink(linkBox, a.name, token);
      flash(`已为 ${a.name} 生成新的登录链接。`, 'good');
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  const onRemove = async (a) => {
    if (!window.confirm(`停用顾问 ${a.name}？TA 将无法再登录顾问控制台（已处理的记录会保留）。`)) return;
    try {
      await del(`/api/advisors/${encodeURIComponent(a.id)}`);
      flash(`已停用 ${a.name}。`, 'good');
      await rerender();
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };

  const id = h('input', { placeholder: '登录名，如 wang-li', pattern: '[a-z0-9][a-z0-9_-]{1,31}', required: true, 'aria-label': '顾问登录名' });
  const name = h('input', { placeholder: '姓名，如 王丽', maxlength: 32, required: true, 'aria-label': '顾问姓名' });
  const wecom = h('input', { placeholder: '企业微信账号（可选）', 'aria-label': '企业微信账号（可选）' });
  const form = h(
    'form',
    {
      class: 'inline-form advisor-form',
      onSubmit: async (e) => {
        e.preventDefault();
        if (!/^[a-z0-9][a-z0-9_-]{1,31}$/.test(id.value.trim())) return flash('登录名用 2–32 个小写字母、数字、_ 或 -，以字母或数字开头。', 'bad');
        try {
          const body = { id: id.value.trim(), name: name.value.trim(), ...(wecom.value.trim() ? { wecomUserId: wecom.value.trim() } : {}) };
          const created = await post('/api/advisors', body);
          await showLink(linkBox, created.advisor.name, created.token);
          await rerender();
          flash(`已添加顾问 ${created.advisor.name}。`, 'good');
        } catch (error) {
          flash(describeError(error), 'bad');
        }
      },
    },
    id,
    name,
    wecom,
    h('button', { type: 'submit', text: '添加顾问' }),
  );

  replace(
    main,
    h('h1', { text: '顾问' }),
    h('p', { class: 'muted', text: '顾问在顾问控制台处理转人工的顾客。添加后把登录链接或二维码发给本人；链接只显示一次。后台账号与角色在「用户」页管理。' }),
    items.length
      ? h('div', { class: 'table-scroll' },
          h('table', { class: 'table advisors-table' },
            h('thead', null, h('tr', null, ['姓名', '登录名', '企业微信账号', '添加时间', '最近登录', ''].map((t) => h('th', { text: t })))),
            h('tbody', null, items.map((a) => advisorRow(a, { onLink, onRemove }))),
          ),
        )
      : h('p', { class: 'empty', text: '还没有顾问。在下面添加第一位。' }),
    h('h2', { text: '添加顾问' }),
    form,
    linkBox,
  );
}
