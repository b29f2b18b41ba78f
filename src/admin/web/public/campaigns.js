// Campaigns (#/campaigns, #/campaigns/<id>): the list with each campaign's funnel (invited →
// opened → started → completed, response rate, skips), a form to create one, and one campaign's
// page: stats, skipped by reason, settings, status changes, audience upload (CSV, UTF-8 or GBK)
// with per-line problems, the invitations download and a QR code per invitation.
// Every value reaches the page through textContent; QR codes are shown as data: URLs.
import { ApiError, api, get, session } from './api.js';
import { formatTime, h, replace, select } from '/ui/dom.js';
import { describeError } from './labels.js';

export const statusLabels = { draft: '草稿', active: '进行中', paused: '已暂停', ended: '已结束' };
export const skipLabels = {
  duplicate: '重复（已邀请过）',
  opted_out: '已退订',
  fatigue: '30 天内已被邀请',
  sampled_out: '未抽中（抽样）',
  daily_cap: '超出每日上限',
};
/** Audience columns as the CSV names them in Chinese, and what a problem in each usually means. */
const columnLabels = {
  customerRef: ['客户编号', '必填，不能有空格'],
  name: ['姓名', '最多 32 个字'],
  phone: ['手机号', '只能是数字（6–20 位），可带 +'],
  externalUserId: ['外部联系人ID', '企业微信的 external_userid（字母、数字、_ 和 -）'],
  advisorUserId: ['顾问', '企业微信成员的 userid'],
  store: ['门店', '最多 64 个字'],
  orderId: ['订单号', '最多 64 个字'],
  products: ['项目', '最多 20 项，每项最多 64 个字'],
  touchpoint: ['服务类型', '最多 32 个字'],
  visitAt: ['到店时间', '写成 2026-11-28 14:30 这样的日期时间，且不能在未来'],
};
const statusChip = { draft: 'chip', active: 'chip green', paused: 'chip gray', ended: 'chip gray' };

const percent = (ratio) => `${(ratio * 100).toFixed(1)}%`;
const campaignPath = (id, rest = '') => `/api/campaigns/${encodeURIComponent(id)}${rest}`;

/** A raw call for what api.js does not send or read: CSV uploads, CSV and PNG downloads. */
async function raw(method, path, { body, contentType } = {}) {
  const headers = { authorization: `Bearer ${session.token}` };
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(path, { method, headers, body });
  if (!res.ok) {
    let json = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    throw new ApiError(res.status, json);
  }
  return res;
}

function campaignError(error) {
  switch (error.code) {
    case 'AUDIENCE_INVALID': {
      const lines = new Set((error.problems || []).map((p) => p.line ?? p.row)).size;
      return `名单有 ${lines} 行有问题，没有导入任何一行。请按下面的行号修正后，重新上传整个文件。`;
    }
    case 'AUDIENCE_EMPTY':
      return '名单是空的：第一行写列名（客户编号、姓名、门店、到店时间…），之后每行一位客户。';
    case 'CAMPAIGN_NOT_ACTIVE':
      return '活动不在进行中，先点“启用”再导入名单。';
    case 'FLOW_NOT_PUBLISHED':
      return '所选流程没有已发布的版本。';
    case 'CAMPAIGN_LINK_UNAVAILABLE':
      return '企业微信暂时没有返回客服链接，请稍后再试。';
    case 'BODY_TOO_LARGE':
      return '文件太大（超过 200 MB），请拆成几个文件上传。';
    default:
      return error instanceof ApiError ? describeError(error) : `出错了：${error.message}`;
  }
}

/** The campaigns list with a create form for admins. */
export async function renderCampaigns(main, { me, flash }) {
  const [{ items }, flows] = await Promise.all([get('/api/campaigns'), get('/api/flows')]);
  const stats = await Promise.all(items.map((c) => get(campaignPath(c.id, '/stats')).catch(() => null)));
  const rows = items.map((c, i) => {
    const s = stats[i] || { invited: 0, opened: 0, started: 0, completed: 0, responseRate: 0, skippedTotal: 0 };
    return h(
      'tr',
      { dataset: { campaign: c.id } },
      h('td', null, h('a', { href: `#/campaigns/${encodeURIComponent(c.id)}`, text: c.name })),
      h('td', null, h('span', { class: statusChip[c.status] || 'chip', text: statusLabels[c.status] || c.status })),
      h('td', null, h('code', { text: c.flowId })),
      ['invited', 'opened', 'started', 'completed'].map((k) => h('td', { class: 'num', text: String(s[k]) })),
      h('td', { class: 'num', text: percent(s.responseRate) }),
      h('td', { class: 'num', text: String(s.skippedTotal) }),
      h('td', { text: formatTime(c.createdAt) }),
    );
  });
  replace(
    main,
    h('h1', { text: '回访活动' }),
    h('p', { class: 'muted', text: '活动把购买或到店后的客户变成邀请：每位客户一个带签名的客服链接（可发短信、App 推送或由顾问群发）。同一客户 30 天内只邀请一次，退订的客户不会被邀请。' }),
    items.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'table campaigns-table' },
            h('thead', null, h('tr', null, ['活动', '状态', '流程', '已邀请', '已打开', '已开始', '已完成', '回复率', '跳过', '创建时间'].map((t) => h('th', { text: t })))),
            h('tbody', null, rows),
          ),
        )
      : h('p', { class: 'muted', text: '还没有活动。' }),
    me.role === 'admin' ? createForm(flows.items, flash) : null,
  );
}

function createForm(flows, flash) {
  const published = flows.filter((f) => f.publishedVersion && !f.archived);
  const name = h('input', { placeholder: '活动名称，例如 双十二护理回访', maxlength: '100', 'aria-label': '活动名称', required: true });
  const preferred = published.some((f) => f.flowId === 'nps-default') ? 'nps-default' : published[0] ? published[0].flowId : '';
  const flow = select(published.map((f) => [f.flowId, `${f.title || f.flowId}（${f.flowId}）`]), preferred, { 'aria-label': '问卷流程' });
  const delay = h('input', { type: 'number', min: '0', value: '120', class: 'short', 'aria-label': '延迟（分钟）' });
  const sampling = h('input', { type: 'number', min: '0', max: '100', value: '100', class: 'short', 'aria-label': '抽样比例（%）' });
  const cap = h('input', { type: 'number', min: '1', placeholder: '不限', class: 'short', 'aria-label': '每日上限' });
  const quiet = h('input', { type: 'checkbox', checked: true, id: 'quiet' });
  const start = h('input', { type: 'checkbox', checked: true, id: 'start-now' });
  return h(
    'form',
    {
      class: 'card campaign-form',
      onSubmit: async (e) => {
        e.preventDefault();
        const body = {
          name: name.value.trim(),
          flowId: flow.value,
          status: start.checked ? 'active' : 'draft',
          delayMinutes: Number(delay.value || 0),
          samplingRate: Math.min(100, Math.max(0, Number(sampling.value || 100))) / 100,
          dailyCap: cap.value ? Number(cap.value) : null,
          ...(quiet.checked ? {} : { quietHours: null }),
        };
        try {
          const created = await api('POST', '/api/campaigns', body);
          flash(`已创建活动「${created.name}」。`, 'good');
          location.hash = `#/campaigns/${encodeURIComponent(created.id)}`;
        } catch (error) {
          flash(campaignError(error), 'bad');
        }
      },
    },
    h('h3', { text: '新建活动' }),
    h('div', { class: 'form-grid' },
      h('label', { text: '名称' }), name,
      h('label', { text: '问卷流程' }), flow,
      h('label', { text: '事件后延迟（分钟）' }), delay,
      h('label', { text: '抽样比例（%）' }), sampling,
      h('label', { text: '每日上限' }), cap,
      h('label', { for: 'quiet', text: '夜间免打扰' }), h('span', null, quiet, h('span', { class: 'muted small', text: ' 21:00–09:00 不发邀请和提醒' })),
      h('label', { for: 'start-now', text: '立即启用' }), h('span', null, start, h('span', { class: 'muted small', text: ' 创建后即可导入名单' })),
    ),
    h('button', { type: 'submit', text: '创建活动' }),
  );
}

/** One campaign: stats, skips, settings, status, upload, download, invitation links. */
export async function renderCampaign(main, { id, me, flash }) {
  const [campaign, stats] = await Promise.all([get(campaignPath(id)), get(campaignPath(id, '/stats'))]);
  const isAdmin = me.role === 'admin';
  const resultBox = h('div', { class: 'upload-result' });
  const refresh = () => renderCampaign(main, { id, me, flash });

  const setStatus = (status, done) => async () => {
    try {
      await api('PATCH', campaignPath(id), { status });
      flash(done, 'good');
      await refresh();
    } catch (error) {
      flash(campaignError(error), 'bad');
    }
  };
  const actions = isAdmin
    ? h(
        'div',
        { class: 'actions' },
        campaign.status !== 'active' && campaign.status !== 'ended' ? h('button', { type: 'button', text: '启用', onClick: setStatus('active', '活动已启用。') }) : null,
        campaign.status === 'active' ? h('button', { type: 'button', class: 'plain', text: '暂停', onClick: setStatus('paused', '活动已暂停：不再创建邀请和群发，已发出的链接仍可进入。') }) : null,
        campaign.status !== 'ended' ? h('button', { type: 'button', class: 'plain danger', text: '结束', onClick: setStatus('ended', '活动已结束：链接不再归属此活动。') }) : null,
        h('button', { type: 'button', class: 'plain', text: '刷新', onClick: () => void refresh() }),
      )
    : h('div', { class: 'actions' }, h('button', { type: 'button', class: 'plain', text: '刷新', onClick: () => void refresh() }));

  const funnel = [
    ['已邀请', stats.invited],
    ['已打开', stats.opened],
    ['已开始', stats.started],
    ['已完成', stats.completed],
    ['回复率', percent(stats.responseRate)],
    ['打开率', percent(stats.openRate)],
  ];
  const skipRows = Object.entries(stats.skipped).map(([reason, n]) => h('tr', null, h('td', { text: skipLabels[reason] || reason }), h('td', { class: 'num', text: String(n) })));

  replace(
    main,
    h('p', null, h('a', { href: '#/campaigns', text: '← 全部活动' })),
    h('div', { class: 'campaign-head' }, h('h1', { text: campaign.name }), h('span', { class: statusChip[campaign.status] || 'chip', text: statusLabels[campaign.status] || campaign.status }), actions),
    h('div', { class: 'stat-cards' }, funnel.map(([label, value]) => h('div', { class: 'stat-card' }, h('div', { class: 'stat-value', text: String(value) }), h('div', { class: 'muted small', text: label })))),
    h(
      'div',
      { class: 'campaign-grid' },
      h(
        'section',
        { class: 'card' },
        h('h3', { text: '跳过的客户' }),
        h('table', { class: 'table compact' }, h('tbody', null, skipRows, h('tr', null, h('th', { text: '合计' }), h('th', { class: 'num', text: String(stats.skippedTotal) })))),
        h('p', { class: 'muted small', text: `今天（${stats.today.day}）已计入 ${stats.today.invited} 个邀请${stats.today.cap ? `，每日上限 ${stats.today.cap}` : ''}。` }),
      ),
      h('section', { class: 'card' }, h('h3', { text: '设置' }), settingsList(campaign)),
    ),
    isAdmin ? uploadCard(campaign, resultBox, flash, refresh) : null,
    resultBox,
  );
}

function settingsList(c) {
  const rows = [
    ['活动 ID', c.id],
    ['问卷流程', c.flowId],
    ['客服账号', c.openKfId || ''],
    ['名单来源', { upload: '上传名单', events: '系统事件', both: '上传名单和系统事件' }[c.audience.source] + (c.audience.eventTypes.length ? `（${c.audience.eventTypes.join('、')}）` : '')],
    ['事件后延迟', `${c.delayMinutes} 分钟`],
    ['抽样比例', percent(c.samplingRate)],
    ['每日上限', c.dailyCap === null ? '不限' : String(c.dailyCap)],
    ['夜间免打扰', c.quietHours ? `${c.quietHours.start}–${c.quietHours.end}` : '关闭'],
    ['链接有效期', `${c.expiresAfterHours} 小时`],
    ['提醒', c.reminder ? `未打开的邀请 ${c.reminder.afterHours} 小时后提醒一次` : '关闭'],
    ['顾问群发', c.massSend.enabled ? '开启' : '关闭'],
    ['客服链接', c.contactWay ? c.contactWay.url : '导入名单时生成'],
  ];
  return h('dl', { class: 'settings' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

function uploadCard(campaign, resultBox, flash, refresh) {
  const file = h('input', { type: 'file', accept: '.csv,text/csv', 'aria-label': '名单文件（CSV）' });
  const encoding = select([['', '自动识别编码'], ['utf-8', 'UTF-8'], ['gbk', 'GBK（Excel 中文版）']], '', { 'aria-label': '文件编码' });
  const button = h('button', { type: 'submit', text: '导入名单' });
  const download = h('button', {
    type: 'button',
    class: 'plain',
    text: '下载全部邀请（CSV）',
    onClick: async () => {
      try {
        const res = await raw('GET', campaignPath(campaign.id, '/invitations.csv'));
        saveBlob(await res.blob(), `invitations-${campaign.id}.csv`);
      } catch (error) {
        flash(campaignError(error), 'bad');
      }
    },
  });
  return h(
    'form',
    {
      class: 'card upload-card',
      onSubmit: async (e) => {
        e.preventDefault();
        const chosen = file.files && file.files[0];
        if (!chosen) return flash('请先选择 CSV 文件。', 'bad');
        button.disabled = true;
        replace(resultBox, h('p', { class: 'muted', text: `正在导入 ${chosen.name}…` }));
        try {
          const query = encoding.value ? `?encoding=${encodeURIComponent(encoding.value)}` : '';
          const res = await raw('POST', campaignPath(campaign.id, `/audience${query}`), { body: chosen, contentType: 'text/csv' });
          const result = await res.json();
          flash(`导入完成：邀请 ${result.invited} 位，跳过 ${result.skippedCount} 位。`, 'good');
          await refresh();
          const box = document.querySelector('.upload-result');
          if (box) showResult(box, campaign.id, result);
        } catch (error) {
          flash(campaignError(error), 'bad');
          replace(resultBox, error instanceof ApiError && error.problems ? problemList(error.problems) : null);
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h3', { text: '导入名单' }),
    h('p', { class: 'muted small', text: '第一行为列名：客户编号（必填）、姓名、手机号、外部联系人ID、顾问、门店、订单号、项目、服务类型、到店时间（如 2026-11-28 14:30）。任何一行有误都不会导入，请按行号修正后重新上传整个文件。' }),
    h('div', { class: 'inline-form' }, file, encoding, button, download),
  );
}

function problemList(problems) {
  return h(
    'section',
    { class: 'card' },
    h('h3', { class: 'bad', text: `${problems.length} 处问题（未导入任何一行）` }),
    problems.length > 500 ? h('p', { class: 'muted small', text: '只显示前 500 处。' }) : null,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table problems-table' },
        h('thead', null, h('tr', null, ['行号', '列', '问题'].map((t) => h('th', { text: t })))),
        h(
          'tbody',
          null,
          problems.slice(0, 500).map((p) => {
            const [label, hint] = columnLabels[p.field] || [p.field || '', p.message];
            return h('tr', null, h('td', { text: String(p.line ?? p.row ?? '') }), h('td', { text: label }), h('td', null, h('span', { text: p.field ? hint : p.message }), p.field ? h('div', { class: 'muted small', text: p.message }) : null));
          }),
        ),
      ),
    ),
  );
}

function showResult(box, campaignId, result) {
  const shown = (result.invitations || []).slice(0, 20);
  const qr = h('div', { class: 'qr' });
  const showQr = (invitation) => async () => {
    try {
      const res = await raw('GET', campaignPath(campaignId, `/invitations/${encodeURIComponent(invitation.invitationId)}/qr.png`));
      const url = await blobToDataUrl(await res.blob());
      replace(qr, h('img', { src: url, alt: `${invitation.customerRef} 的邀请二维码`, width: '180', height: '180' }), h('div', { class: 'muted small', text: invitation.customerRef }));
    } catch (error) {
      replace(qr, h('p', { class: 'bad', text: campaignError(error) }));
    }
  };
  replace(
    box,
    h(
      'section',
      { class: 'card' },
      h('h3', { text: `本次导入：邀请 ${result.invited} 位，跳过 ${result.skippedCount} 位` }),
      Object.keys(result.skippedByReason).length
        ? h('p', { class: 'muted', text: Object.entries(result.skippedByReason).map(([r, n]) => `${skipLabels[r] || r} ${n}`).join('，') })
        : null,
      shown.length
        ? h(
            'div',
            { class: 'result-grid' },
            h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'table invitations-table' },
                h('thead', null, h('tr', null, ['客户', '发送时间', '链接', ''].map((t) => h('th', { text: t })))),
                h(
                  'tbody',
                  null,
                  shown.map((i) =>
                    h(
                      'tr',
                      null,
                      h('td', { text: i.customerRef }),
                      h('td', { text: formatTime(i.sendAt) }),
                      h('td', null, h('input', { class: 'link-text', readOnly: true, value: i.url, 'aria-label': `${i.customerRef} 的邀请链接` })),
                      h('td', null, h('button', { type: 'button', class: 'plain small', text: '二维码', onClick: showQr(i) })),
                    ),
                  ),
                ),
              ),
            ),
            qr,
          )
        : null,
      result.invited > shown.length ? h('p', { class: 'muted small', text: `只显示前 ${shown.length} 个；全部邀请请用“下载全部邀请（CSV）”。` }) : null,
    ),
  );
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function blobToDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
