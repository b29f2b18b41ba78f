// Webhooks (#/webhooks, admins only): register an endpoint (its whsec_ secret is shown once),
// enable or disable it, and look at its deliveries (#/webhooks/<id>): the list shows each answer
// as status and length; 详情 opens one delivery (every attempt with the start of the receiver's
// answer, the exact payload), and a replay for delivered or dead-lettered ones.
import { get, post } from './api.js';
import { formatTime, h, replace } from '/ui/dom.js';
import { describeError } from './labels.js';

const EVENTS = [
  ['survey.completed', '问卷完成'],
  ['survey.escalated', '转人工'],
  ['task.closed', '回访任务关闭'],
  ['customer.opted_out', '顾客退订'],
];
const eventLabel = Object.fromEntries(EVENTS);
const statusLabels = { pending: '投递中（重试）', delivered: '已送达', failed: '失败（已停止重试，可重放）' };
const statusChip = { pending: 'chip', delivered: 'chip green', failed: 'chip red' };

export async function renderWebhooks(main, { flash }) {
  const { items } = await get('/api/webhooks');
  const url = h('input', { type: 'url', placeholder: 'https://crm.example.com/hooks/huifang', 'aria-label': '接收地址', class: 'wide' });
  const boxes = EVENTS.map(([value, label]) => {
    const box = h('input', { type: 'checkbox', value, checked: true });
    return { box, node: h('label', { class: 'check' }, box, label) };
  });
  const secretBox = h('div', { id: 'new-secret' });
  const form = h(
    'form',
    {
      class: 'inline-form webhook-form',
      onSubmit: async (e) => {
        e.preventDefault();
        const events = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
        try {
          const created = await post('/api/webhooks', { url: url.value.trim(), events });
          await renderWebhooks(main, { flash });
          flash('已添加推送地址。', 'good');
          replace(
            document.getElementById('new-secret'),
            h('p', { text: '签名密钥（只显示这一次，请立即复制到接收方，用它按 Standard Webhooks 校验 webhook-signature）：' }),
            h('input', { class: 'token', readOnly: true, value: created.secret, 'aria-label': '签名密钥' }),
          );
        } catch (error) {
          flash(describeError(error), 'bad');
        }
      },
    },
    url,
    boxes.map((b) => b.node),
    h('button', { type: 'submit', text: '注册' }),
  );
  const toggle = (endpoint) => async () => {
    try {
      await post(`/api/webhooks/${endpoint.id}/${endpoint.active ? 'disable' : 'enable'}`, {});
      flash(endpoint.active ? '已停用。' : '已启用。', 'good');
      await renderWebhooks(main, { flash });
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  const rows = items.map((endpoint) =>
    h(
      'tr',
      { dataset: { endpoint: endpoint.id } },
      h('td', null, h('a', { href: `#/webhooks/${endpoint.id}`, text: endpoint.url })),
      h('td', { text: endpoint.events.map((e) => eventLabel[e] || e).join('、') }),
      h('td', null, h('span', { class: endpoint.active ? 'chip green' : 'chip gray', text: endpoint.active ? '启用' : '已停用' })),
      h('td', { text: `${formatTime(endpoint.createdAt)} · ${endpoint.createdBy}` }),
      h(
        'td',
        null,
        h('a', { class: 'small', href: `#/webhooks/${endpoint.id}`, text: '投递记录' }),
        ' ',
        h('button', { type: 'button', class: `plain small${endpoint.active ? ' danger' : ''}`, text: endpoint.active ? '停用' : '启用', onClick: toggle(endpoint) }),
      ),
    ),
  );
  replace(
    main,
    h('h1', { text: '数据推送（Webhook）' }),
    h('p', { class: 'muted', text: '数据推送（Webhook）：问卷完成、转人工、回访任务关闭和顾客退订时，回访系统把答案和分析结果签名后发送到贵司系统（如 CRM）的这些地址。发送失败会自动重试 24 小时，仍失败就停止重试并记为失败，可在推送记录中一键重放。' }),
    items.length
      ? h('div', { class: 'table-scroll' }, h('table', { class: 'table webhooks-table' }, h('thead', null, h('tr', null, ['接收地址', '事件', '状态', '注册', ''].map((t) => h('th', { text: t })))), h('tbody', null, rows)))
      : h('p', { class: 'muted', text: '还没有推送地址：添加一个地址，回访结果就会自动发到贵司系统。' }),
    h('h2', { text: '注册新地址' }),
    form,
    secretBox,
  );
}

export async function renderDeliveries(main, { endpointId, flash }) {
  const endpoint = (await get('/api/webhooks')).items.find((e) => e.id === endpointId);
  const { items } = await get(`/api/webhooks/${encodeURIComponent(endpointId)}/deliveries?limit=100`);
  const replay = (d) => async () => {
    try {
      await post(`/api/webhooks/deliveries/${d.id}/replay`, {});
      flash('已重新投递，稍后刷新查看结果。', 'good');
      await renderDeliveries(main, { endpointId, flash });
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  const answer = (a) => (a ? (a.status !== null ? `HTTP ${a.status}` : a.error || '无应答') : '—');
  const withLength = (a) => (a && a.status !== null ? `${answer(a)} · ${a.bodyBytes} 字节` : answer(a));
  const rows = items.flatMap((d) => {
    const details = h('tr', { class: 'delivery-details', hidden: true }, h('td', { colspan: '6', text: '加载中…' }));
    // The receiver's answers are fetched only when an admin opens the delivery.
    const open = async () => {
      details.hidden = !details.hidden;
      if (details.hidden) return;
      try {
        const full = await get(`/api/webhooks/deliveries/${encodeURIComponent(d.id)}`);
        replace(
          details,
          h(
            'td',
            { colspan: '6' },
            h('p', { class: 'muted small', text: `webhook-id：${full.id} · 事件：${full.eventKey}` }),
            h(
              'ol',
              { class: 'attempts' },
              full.attempts.map((a) => h('li', { text: `${formatTime(a.at)}  ${withLength(a)}  ${a.durationMs} ms${a.replay ? '（重放）' : ''}${a.body ? `  应答开头：${a.body}` : ''}` })),
            ),
            h('pre', { class: 'payload', text: JSON.stringify(JSON.parse(full.payload), null, 2) }),
          ),
        );
      } catch (error) {
        flash(describeError(error), 'bad');
      }
    };
    const row = h(
      'tr',
      { dataset: { delivery: d.id } },
      h('td', { text: formatTime(d.createdAt) }),
      h('td', { text: eventLabel[d.type] || d.type }),
      h('td', null, h('span', { class: statusChip[d.status], text: statusLabels[d.status] || d.status })),
      h('td', { text: String(d.attemptCount) + (d.replays ? `（重放 ${d.replays} 次）` : '') }),
      h('td', { text: withLength(d.lastAttempt) }),
      h(
        'td',
        null,
        h('button', { type: 'button', class: 'plain small', text: '详情', onClick: open }),
        ' ',
        d.status === 'pending' ? null : h('button', { type: 'button', class: 'plain small', text: '重放', onClick: replay(d) }),
      ),
    );
    return [row, details];
  });
  replace(
    main,
    h('p', null, h('a', { href: '#/webhooks', text: '← 全部推送地址' })),
    h('h1', { text: '投递记录' }),
    h('p', { class: 'muted', text: endpoint ? endpoint.url : endpointId }),
    h('button', { type: 'button', class: 'plain small', text: '刷新', onClick: () => renderDeliveries(main, { endpointId, flash }) }),
    items.length
      ? h('div', { class: 'table-scroll' }, h('table', { class: 'table deliveries-table' }, h('thead', null, h('tr', null, ['时间', '事件', '状态', '尝试次数', '最近应答', ''].map((t) => h('th', { text: t })))), h('tbody', null, rows)))
      : h('p', { class: 'muted', text: '还没有投递。' }),
  );
}
