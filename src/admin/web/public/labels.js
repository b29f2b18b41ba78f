// Chinese labels for what the API returns in English codes.
import { formatTime } from '/ui/dom.js';

export const kindLabels = {
  message: '消息',
  nps: 'NPS 推荐度（0-10）',
  csat: '满意度（1-5）',
  rating: '评分',
  repurchase: '复购意向（0-5）',
  choice: '选择题',
  text: '文字回答',
  end: '结束语',
};

export const roleLabels = { admin: '管理员', editor: '编辑', viewer: '只读' };

export const actionLabels = {
  'flow.imported': '从 flows/ 导入',
  'flow.version_saved': '保存版本',
  'flow.published': '发布',
  'flow.rolled_back': '回滚',
  'flow.archived': '归档',
  'flow.unarchived': '取消归档',
  'user.created': '创建用户',
  'user.revoked': '撤销用户',
  'user.token_replaced': '重发登录链接',
  'campaign.created': '创建活动',
  'campaign.changed': '修改活动',
  'campaign.audience_imported': '导入活动名单',
  'customer.erased': '删除顾客数据',
  'customer.exported': '导出顾客数据',
  'deadletter.dismissed': '忽略失败消息',
  'deadletter.requeued': '重新处理失败消息',
  'retention.changed': '修改保留期限',
  'retention.swept': '按保留期限清理',
  'task.created': '创建回访任务',
  'task.claimed': '接手回访任务',
  'task.closed': '关闭回访任务',
  'transcript.read': '查看对话记录',
  'webhook.registered': '添加推送地址',
  'webhook.replayed': '重放推送',
};

/** An audit note in words: the server writes a few in English for the log (e.g. "imported from x.yaml"). */
export function auditNoteText(note) {
  if (!note) return '';
  const imported = /^imported from (.+)$/.exec(note);
  return imported ? `从文件 ${imported[1]} 导入` : note;
}

const groupLabels = { promoter: '推荐者（9-10）', passive: '中立者（7-8）', detractor: '贬损者（0-6）' };

export const fieldLabels = {
  text: '文字',
  reask: '追问',
  ack: '确认语',
  touchpoint: '环节',
  options: '选项',
  labels: '分值标签',
  kind: '题型',
  routes: '去向',
  position: '位置',
  question: '理解方式',
  extract: '提取字段',
  maxReasks: '最多追问次数',
  min: '最小值',
  max: '最大值',
  multiple: '多选',
  title: '标题',
  variables: '变量',
  settings: '设置',
  faq: '常见问题',
  locale: '语言',
  catalog: '产品目录',
};

/** A branch condition in words: 若「nps」为推荐者（9-10）. */
export function describeCondition(when) {
  if (!when || typeof when !== 'object') return '条件';
  const parts = [];
  if (when.group !== undefined) parts.push(`为${groupLabels[when.group] || String(when.group)}`);
  if (when.gte !== undefined) parts.push(`≥ ${when.gte}`);
  if (when.lte !== undefined) parts.push(`≤ ${when.lte}`);
  if (Array.isArray(when.in)) parts.push(`属于 ${when.in.join('、')}`);
  return `若「${String(when.step)}」${parts.join(' 且 ')}`;
}

/** Routes from the diff: ["若「nps」为推荐者 → reason", "否则 → thanks"]. */
export function describeRoutes(routes) {
  if (!Array.isArray(routes) || routes.length === 0) return '（结束）';
  return routes
    .map((r) => (r.when ? `${describeCondition(r.when)} → ${r.goto}` : `${routes.length > 1 ? '否则' : r.implicit ? '按顺序' : '下一步'} → ${r.goto}`))
    .join('；');
}

/** A problem as one line: 第 12 行 · steps[1].next（步骤 nps）：message. */
export function describeProblem(p) {
  const where = [p.line ? `第 ${p.line} 行` : null, p.path || null].filter(Boolean).join(' · ');
  return `${where || '整个流程'}${p.stepId ? `（步骤 ${p.stepId}）` : ''}：${p.message}`;
}

/** An API error in Chinese, with the server's message kept for detail. */
export function describeError(error) {
  switch (error.code) {
    case 'UNAUTHORIZED':
      return '令牌无效或已被撤销，请重新登录。';
    case 'FORBIDDEN':
      return '您的角色无权执行此操作。';
    case 'FLOW_INVALID':
      return `流程有 ${error.problems ? error.problems.length : ''} 处错误，修正后才能发布或预览。`;
    case 'DRAFT_CONFLICT': {
      const c = error.conflict || {};
      return c.author
        ? `保存失败：此流程已被 ${c.author} 于 ${formatTime(c.at)} 修改（版本 v${c.latestVersion}，您基于 v${c.basedOn}）。请重新加载后再修改。`
        : '保存失败：此流程已被他人修改，请重新加载。';
    }
    case 'BODY_TOO_LARGE':
      return '内容过大：请求超过 256 KB。请缩短文字（每段不超过 1000 字）。';
    case 'VERSION_OLDER_THAN_PUBLISHED':
      return '该版本比当前发布的版本旧；请在“版本”中使用“回滚到此版本”。';
    case 'FLOW_ARCHIVED':
      return '流程已归档，请先取消归档。';
    case 'FLOW_IS_DEFAULT':
      return '这是默认流程（DEFAULT_FLOW_ID），归档后新客户将没有问卷，不能归档。';
    case 'PREVIEW_STALE':
      return '草稿结构已变化，预览已重新开始。';
    case 'USER_EXISTS':
      return '用户名已存在（或为保留名）。';
    default:
      return `请求失败（${error.status || ''} ${error.code || ''}）：${error.message}`;
  }
}
