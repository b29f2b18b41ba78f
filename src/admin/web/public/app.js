// The admin web app: sign-in with an API token, the flow list, the editor, users and the audit
// log. Hash routes: #/ · #/flows/<id> · #/campaigns · #/campaigns/<id> · #/users · #/audit · #/deadletters · #/webhooks[/<id>] · #/privacy.
import { ApiError, del, flowPath, get, post, session, setUnauthorizedHandler } from './api.js';
import { formatTime, h, replace, select } from '/ui/dom.js';
import { renderCampaign, renderCampaigns } from './campaigns.js';
import { renderDeadLetters } from './deadLetters.js';
import { renderAdvisors } from './advisors.js';
import { renderFlowSettings } from './settings.js';
import { renderPrivacy } from './privacy.js';
import { renderDeliveries, renderWebhooks } from './webhooks.js';
import { renderAuditList, renderEditor } from './editor.js';
import { describeError, roleLabels } from './labels.js';
import { showLoginCard, signInErrorText } from '/ui/login.js';

const main = document.getElementById('main');
const flashBox = document.getElementById('flash');
let me = null;
let flashTimer;

/** A short message at the top of the page. */
function flash(text, kind) {
  flashBox.hidden = false;
  flashBox.className = `flash ${kind || ''}`;
  flashBox.textContent = text;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    flashBox.hidden = true;
  }, 8000);
}

setUnauthorizedHandler((error) => {
  session.clear();
  me = null;
  showLogin(signInErrorText(error));
});

function showLogin(message) {
  document.getElementById('nav').hidden = true;
  replace(document.getElementById('who'));
  showLoginCard(main, {
    title: '登录流程管理',
    message,
    onToken: async (token) => {
      session.set(token);
      try {
        me = await get('/api/me');
      } catch (err) {
        session.clear();
        throw err;
      }
      route();
    },
  });
}

function showMe() {
  document.getElementById('nav').hidden = false;
  document.getElementById('nav-users').hidden = me.role !== 'admin';
  document.getElementById('nav-deadletters').hidden = me.role !== 'admin';
  document.getElementById('nav-webhooks').hidden = me.role !== 'admin';
  document.getElementById('nav-privacy').hidden = me.role !== 'admin';
  document.getElementById('nav-advisors').hidden = me.role !== 'admin';
  replace(
    document.getElementById('who'),
    h('span', { text: whoText(me) }),
    h('button', {
      type: 'button',
      class: 'plain small',
      text: '退出',
      onClick: () => {
        session.clear();
        me = null;
        showLogin();
      },
    }),
  );
}

/** "李四（编辑）"; the ADMIN_TOKEN holder is just 管理员, not "admin（管理员）". */
function whoText(user) {
  const role = roleLabels[user.role] || user.role;
  return user.name === 'admin' || user.name === role ? role : `${user.name}（${role}）`;
}

async function route() {
  if (!session.token) return showLogin();
  try {
    if (!me) me = await get('/api/me');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) replace(main, h('p', { class: 'bad', text: error.message }));
    return;
  }
  showMe();
  const hash = location.hash.replace(/^#/, '') || '/';
  const flowMatch = /^\/flows\/([a-z0-9-]+)$/.exec(hash);
  const campaignMatch = /^\/campaigns\/([a-z0-9]+)$/.exec(hash);
  try {
    const settingsMatch = /^\/flows\/([a-z0-9-]+)\/settings$/.exec(hash);
    if (settingsMatch) await renderFlowSettings(main, { flowId: settingsMatch[1], me, flash });
    else if (flowMatch) await renderEditor(main, { flowId: flowMatch[1], me, flash });
    else if (campaignMatch) await renderCampaign(main, { id: campaignMatch[1], me, flash });
    else if (hash === '/campaigns') await renderCampaigns(main, { me, flash });
    else if (hash === '/users' && me.role === 'admin') await renderUsers();
    else if (hash === '/audit') await renderAudit();
    else if (hash === '/deadletters' && me.role === 'admin') await renderDeadLetters(main, { flash });
    else if (hash === '/webhooks' && me.role === 'admin') await renderWebhooks(main, { flash });
    else if (hash === '/privacy' && me.role === 'admin') await renderPrivacy(main, { flash });
    else if (hash === '/advisors' && me.role === 'admin') await renderAdvisors(main, { flash });
    else if (/^\/webhooks\/we_[0-9a-f]{24}$/.test(hash) && me.role === 'admin') await renderDeliveries(main, { endpointId: hash.slice('/webhooks/'.length), flash });
    else await renderFlows();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    replace(main, h('p', { class: 'bad', text: error instanceof ApiError ? describeError(error) : `出错了：${error.message}` }));
  }
}

async function renderFlows() {
  const { items } = await get('/api/flows');
  const rows = items.map((f) =>
    h(
      'tr',
      { dataset: { flow: f.flowId } },
      h('td', null, h('a', { href: `#/flows/${encodeURIComponent(f.flowId)}`, text: f.title || f.flowId })),
      h('td', null, h('code', { text: f.flowId })),
      h('td', { text: f.publishedVersion ? `v${f.publishedVersion}` : '未发布' }),
      h('td', { text: `v${f.latestVersion}` }),
      h('td', null, f.archived ? h('span', { class: 'chip gray', text: '已归档' }) : f.publishedVersion ? h('span', { class: 'chip green', text: '使用中' }) : h('span', { class: 'chip', text: '草稿' })),
      h('td', { text: formatTime(f.updatedAt) }),
    ),
  );
  const canCreate = me.role !== 'viewer';
  const newId = h('input', { placeholder: '新流程 ID，例如 nps-store-b', pattern: '[a-z0-9][a-z0-9-]{0,63}', 'aria-label': '新流程 ID' });
  const createForm = h(
    'form',
    {
      class: 'inline-form',
      onSubmit: async (e) => {
        e.preventDefault();
        const id = newId.value.trim();
        if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(id)) return flash('流程 ID 只能用小写字母、数字和 -。', 'bad');
        try {
          await post(flowPath(id, '/versions'), { source: newFlowTemplate(id), baseVersion: 0, note: '新建流程' });
          location.hash = `#/flows/${id}`;
        } catch (error) {
          flash(describeError(error), 'bad');
        }
      },
    },
    newId,
    h('button', { type: 'submit', text: '新建流程' }),
  );
  replace(
    main,
    h('h1', { text: '问卷流程' }),
    h('p', { class: 'muted', text: '每次保存都会生成一个不可更改的新版本；发布后，新开始的会话使用新版本，进行中的会话保持原版本。' }),
    h('table', { class: 'table flows-table' }, h('thead', null, h('tr', null, ['标题', 'ID', '线上版本', '最新版本', '状态', '更新时间'].map((t) => h('th', { text: t })))), h('tbody', null, rows)),
    canCreate ? createForm : null,
  );
}

function newFlowTemplate(id) {
  return [
    'schemaVersion: 1',
    `id: ${id}`,
    'version: 1',
    'title: 新问卷',
    'steps:',
    '  - id: greeting',
    '    kind: message',
    "    text: '{{customer.nickname|您}}好！想占用您一分钟做个回访。'",
    '  - id: nps',
    '    kind: nps',
    '    text: 如果满分10分，您有多大可能把我们推荐给亲友？',
    '  - id: thanks',
    '    kind: end',
    '    text: 感谢您的反馈！',
    '',
  ].join('\n');
}

async function renderAudit(before) {
  const page = await get(`/api/audit?limit=100${before ? `&before=${encodeURIComponent(before)}` : ''}`);
  replace(
    main,
    h('h1', { text: '审计日志' }),
    h('p', { class: 'muted', text: '所有流程修改、发布、回滚、归档和用户管理操作。' }),
    renderAuditList(page.items),
    page.next ? h('button', { type: 'button', class: 'plain', text: '更早的记录', onClick: () => void renderAudit(page.next) }) : null,
  );
}

async function renderUsers() {
  const { items } = await get('/api/users');
  const name = h('input', { placeholder: '用户名', 'aria-label': '用户名' });
  const role = select(Object.entries(roleLabels).reverse(), 'editor', { 'aria-label': '角色' });
  const tokenBox = h('div');
  const form = h(
    'form',
    {
      class: 'inline-form',
      onSubmit: async (e) => {
        e.preventDefault();
        try {
          const user = await post('/api/users', { name: name.value.trim(), role: role.value });
          await renderUsers();
          flash(`已创建用户 ${user.name}。`, 'good');
          const box = document.getElementById('new-token');
          if (box) replace(box, h('p', { text: `${user.name} 的令牌（只显示这一次，请立即复制交给本人）：` }), h('input', { class: 'token', readOnly: true, value: user.token, 'aria-label': '新令牌' }));
        } catch (error) {
          flash(describeError(error), 'bad');
        }
      },
    },
    name,
    role,
    h('button', { type: 'submit', text: '创建用户' }),
  );
  tokenBox.id = 'new-token';
  replace(
    main,
    h('h1', { text: '用户' }),
    h('p', { class: 'muted', text: '只读：查看与校验；编辑：保存版本与预览；管理员：另外可以发布、回滚、归档和管理用户。' }),
    h(
      'table',
      { class: 'table users-table' },
      h('thead', null, h('tr', null, ['用户', '角色', '创建人', '创建时间', '状态', ''].map((t) => h('th', { text: t })))),
      h(
        'tbody',
        null,
        items.map((u) =>
          h(
            'tr',
            null,
            h('td', { text: u.name }),
            h('td', { text: roleLabels[u.role] || u.role }),
            h('td', { text: u.createdBy }),
            h('td', { text: formatTime(u.createdAt) }),
            h('td', { text: u.revokedAt ? `已撤销（${formatTime(u.revokedAt)}）` : '有效' }),
            h(
              'td',
              null,
              u.revokedAt
                ? null
                : h('button', {
                    type: 'button',
                    class: 'plain small danger',
                    text: '撤销令牌',
                    onClick: async () => {
                      try {
                        await del(`/api/users/${encodeURIComponent(u.name)}`);
                        flash(`已撤销 ${u.name} 的令牌。`, 'good');
                        await renderUsers();
                      } catch (error) {
                        flash(describeError(error), 'bad');
                      }
                    },
                  }),
            ),
          ),
        ),
      ),
    ),
    form,
    tokenBox,
  );
}

window.addEventListener('hashchange', () => void route());
void route();
