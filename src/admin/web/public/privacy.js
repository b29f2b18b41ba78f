// Privacy (#/privacy, admins only, issue 15): the retention policy with a dry run and a manual
// sweep, and a customer's data-subject requests: export everything held about them, or erase it.
// Erasure cannot be undone, so it asks in a confirm dialog naming the customer first.
import { api, del, get, post } from './api.js';
import { h, replace } from '/ui/dom.js';
import { describeError } from './labels.js';

const countLabels = {
  sessions: '会话',
  transcriptChunks: '聊天记录分块',
  analyticsRecords: '分析记录（已去除原文）',
  escalations: '转人工记录',
  tasks: '回访任务',
  followUpLogs: '跟进日志',
  invitations: '邀请',
  tags: '标签',
  customers: '顾客档案',
  redisKeys: 'Redis 键',
};

function countsList(counts) {
  const entries = Object.entries(counts || {});
  if (!entries.length) return h('p', { class: 'muted', text: '没有找到该顾客的数据。' });
  return h('ul', null, entries.map(([k, n]) => h('li', { text: `${countLabels[k] || k}：${n}` })));
}

function retentionCard(policy, { flash, main }) {
  const result = h('div');
  const days = h('input', { type: 'number', min: '1', max: '3650', name: 'days', value: policy.days });
  const escalationDays = h('input', { type: 'number', min: '1', max: '3650', name: 'escalationDays', value: policy.escalationDays });
  const save = async () => {
    const next = { days: Number(days.value), escalationDays: Number(escalationDays.value) };
    if (!Number.isInteger(next.days) || !Number.isInteger(next.escalationDays) || next.days < 1 || next.escalationDays < 1) {
      flash('请输入 1 到 3650 之间的天数。', 'bad');
      return;
    }
    if (!window.confirm(`将保留期改为：普通会话 ${next.days} 天，转人工会话 ${next.escalationDays} 天？缩短后，下一次清理会删除更多原文，且无法恢复。`)) return;
    try {
      await api('PUT', '/api/privacy/retention', next);
      flash('保留期已保存。', 'good');
      await renderPrivacy(main, { flash });
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  const dryRun = async () => {
    try {
      const { dryRun: report } = await get('/api/privacy/retention?dryRun=1');
      replace(result, h('p', { text: `试运行：现有 ${report.due} 个会话已超过保留期，清理时将删除其原文和顾客身份。` }));
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  const sweep = async () => {
    if (!window.confirm('立即清理超过保留期的会话原文和顾客身份？评分和统计数字会保留，原文删除后无法恢复。')) return;
    try {
      const report = await post('/api/privacy/retention/sweep', {});
      replace(result, h('p', { text: `已清理 ${report.redacted} 个会话。` }));
      flash('清理完成。', 'good');
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  return h(
    'section',
    { class: 'card privacy-retention' },
    h('h2', { text: '数据保留期' }),
    h('p', { text: `普通会话：${policy.days} 天；转人工会话：${policy.escalationDays} 天。` }),
    h('p', { class: 'muted', text: policy.source === 'admin' ? `由 ${policy.updatedBy} 于 ${new Date(policy.updatedAt).toLocaleString('zh-CN')} 设置（覆盖环境变量）。` : '来自环境变量 RETENTION_DAYS、ESCALATION_RETENTION_DAYS。' }),
    h('p', { class: 'muted', text: '超过保留期的会话会删除聊天记录和文字回答，去掉顾客身份；评分、分析结果和统计数字保留，看板数字不变。每小时自动清理一次。' }),
    h('label', null, '普通会话（天）', days),
    h('label', null, '转人工会话（天）', escalationDays),
    h('button', { type: 'button', class: 'plain', text: '保存保留期', onClick: save }),
    h('button', { type: 'button', class: 'plain', text: '试运行（只统计）', onClick: dryRun }),
    h('button', { type: 'button', class: 'plain danger', text: '立即清理', onClick: sweep }),
    result,
  );
}

function customerCard({ flash }) {
  const input = h('input', { type: 'text', name: 'externalUserId', placeholder: '外部联系人ID（external_userid），如 wmXXXX', autocomplete: 'off', spellcheck: 'false' });
  const result = h('div', { class: 'privacy-result' });
  const idOf = () => {
    const id = input.value.trim();
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
      flash('请输入有效的外部联系人ID（字母、数字、_ 或 -）。', 'bad');
      return null;
    }
    return id;
  };
  const exportData = async () => {
    const id = idOf();
    if (!id) return;
    try {
      const data = await get(`/api/customers/${encodeURIComponent(id)}/export`);
      const text = JSON.stringify(data, null, 2);
      const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/json' })), download: `customer-${id}.json`, text: '下载 JSON' });
      replace(result, h('p', { text: `会话 ${data.sessions.length} 个，转人工 ${data.escalations.length} 条，任务 ${data.tasks.length} 个，邀请 ${data.invitations.length} 个。` }), link, h('pre', { class: 'privacy-export', text }));
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  const erase = async () => {
    const id = idOf();
    if (!id) return;
    const sure = window.confirm(`确定要删除顾客 ${id} 的全部个人数据吗？\n\n将删除聊天记录、文字回答、转人工内容、回访任务、邀请、标签和缓存；评分只以匿名方式保留在统计中。顾客如曾要求“不再发送”，该退订会保留。\n\n此操作不可撤销。`);
    if (!sure) return;
    try {
      const done = await del(`/api/customers/${encodeURIComponent(id)}`);
      replace(result, h('p', { text: `已删除。审计记录编号：${done.subject}${done.optedOutKept ? '（已保留退订）' : ''}` }), countsList(done.counts));
      flash('顾客数据已删除。', 'good');
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  return h(
    'section',
    { class: 'card privacy-customer' },
    h('h2', { text: '顾客数据请求' }),
    h('p', { class: 'muted', text: '处理顾客的查阅或删除请求：导出我们保存的该顾客全部数据，或删除其个人数据。每次操作都会记入审计日志（只记录操作人、时间和数量）。' }),
    input,
    h('button', { type: 'button', class: 'plain', text: '导出数据', onClick: exportData }),
    h('button', { type: 'button', class: 'plain danger', text: '删除顾客数据', dataset: { action: 'erase' }, onClick: erase }),
    result,
  );
}

export async function renderPrivacy(main, { flash }) {
  const { policy } = await get('/api/privacy/retention');
  replace(main, h('h1', { text: '隐私与数据' }), retentionCard(policy, { flash, main }), customerCard({ flash }));
}
