// The analytics dashboard: sign in with an admin token (viewer and up, shared with /admin in this
// tab), filters kept in the URL (?flowId=…&from=…) so a view can be shared, refreshed every 10 s.
// Every text from the server is set with textContent (dom.js); charts render on canvas.
import { ApiError, get, session, setUnauthorizedHandler } from '/admin/static/api.js';
import { formatTime, h, replace } from '/ui/dom.js';
import { showLoginCard, signInErrorText } from '/ui/login.js';
import { csatOption, factorsOption, funnelOption, intentOption, outcomesOption, productsOption, segmentsOption, timingOption, trendOption } from './charts.js';
import { buildInsight } from './insight.js';
import { duration, fixed, groupLabels, outcomeLabels, pct, segmentLabels, segmentOrNoneLabels, sentimentLabels, signed, statusLabels, triggerLabels } from './labels.js';

const REFRESH_MS = 10_000;
const main = document.getElementById('main');
const charts = new Map();
let timer = null;
let view = null;
// Transcripts and the CSV export hold customers' full words: admins only (the API says 403 to
// anyone else, so the page does not offer them). Quotes come masked below admin.
let canSeeFullText = false;
// Questions by their label (never their id), from the latest summary's funnel.
let stepLabels = new Map();

setUnauthorizedHandler((error) => {
  session.clear();
  stop();
  showLogin(signInErrorText(error));
});
window.addEventListener('hashchange', route);
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

function stop() {
  clearInterval(timer);
  timer = null;
  charts.forEach((c) => c.dispose());
  charts.clear();
  view = null;
}

function showLogin(message) {
  replace(document.getElementById('who'));
  showLoginCard(main, {
    title: '登录数据看板',
    message,
    onToken: async (token) => {
      session.set(token);
      try {
        await get('/api/me');
      } catch (err) {
        session.clear();
        throw err;
      }
      route();
    },
  });
}

async function route() {
  stop();
  if (!session.token) return showLogin();
  let me;
  try {
    me = await get('/api/me');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) replace(main, h('p', { class: 'bad', text: error.message }));
    return;
  }
  replace(
    document.getElementById('who'),
    h('span', { text: me.name }),
    h('button', { type: 'button', class: 'plain small', text: '退出', onClick: () => { session.clear(); stop(); showLogin(); } }),
  );
  canSeeFullText = me.role === 'admin';
  const match = /^#\/sessions\/([0-9a-f]{24})$/.exec(location.hash);
  if (match) return renderSession(match[1]);
  return renderDashboard();
}

// ------------------------------------------------------------------ filters in the URL

// "Today" is the survey time zone's (the server says which day it is): answers are counted by
// that calendar, and a browser elsewhere (or in UTC at night) must not cut today's answers off.
let serverToday = null;

function today(offsetDays = 0) {
  const base = serverToday ? new Date(`${serverToday}T12:00:00Z`) : new Date();
  const d = new Date(base.getTime() + offsetDays * 86_400_000);
  const p = (n) => String(n).padStart(2, '0');
  return serverToday ? `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}` : `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function readFilters() {
  const q = new URLSearchParams(location.search);
  const f = Object.fromEntries([...q.entries()].filter(([, v]) => v !== ''));
  f.from ??= today(-29);
  f.to ??= today();
  f.interval ??= 'day';
  return f;
}

function writeFilters(f) {
  const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== '' && v !== undefined && v !== null));
  history.replaceState(null, '', `${location.pathname}?${q.toString()}${location.hash}`);
}

function query(f, extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v !== '' && v !== undefined && v !== null && k !== 'interval') q.set(k, v);
  return q.toString();
}

// ------------------------------------------------------------------ the dashboard

async function renderDashboard() {
  const { items: flows, today: day } = await get('/api/analytics/flows');
  serverToday = day || null;
  const filters = readFilters();
  if (!flows.length) return replace(main, h('p', { class: 'muted', text: '还没有问卷流程。' }));
  if (!flows.some((f) => f.flowId === filters.flowId)) filters.flowId = (flows.find((f) => f.flowId === 'nps-default') || flows[0]).flowId;
  const values = await get(`/api/analytics/filters?flowId=${encodeURIComponent(filters.flowId)}`);
  writeFilters(filters);
  view = buildView(filters, flows, values);
  replace(main, view.root);
  await refresh();
  timer = setInterval(refresh, REFRESH_MS);
}

function field(label, control) {
  return h('label', null, label, control);
}

function selectOf(name, current, options) {
  return h('select', { name, 'aria-label': name }, options.map(([value, label]) => h('option', { value, selected: String(value) === String(current ?? ''), text: label })));
}

function buildView(filters, flows, values) {
  const form = h('form', { class: 'filters card', onSubmit: (e) => e.preventDefault() });
  const controls = {
    flowId: selectOf('flowId', filters.flowId, flows.map((f) => [f.flowId, f.title ? `${f.title}（${f.flowId}）` : f.flowId])),
    from: h('input', { type: 'date', name: 'from', value: filters.from }),
    to: h('input', { type: 'date', name: 'to', value: filters.to }),
    interval: selectOf('interval', filters.interval, [['day', '按天'], ['week', '按周']]),
    version: selectOf('version', filters.version, [['', '全部版本'], ...values.versions.map((v) => [v, `v${v}`])]),
    segment: selectOf('segment', filters.segment, [['', '全部分群'], ...Object.entries(segmentLabels)]),
  };
  for (const d of values.dimensions) controls[d.key] = selectOf(d.key, filters[d.key], [['', `全部${d.label}`], ...d.values.map((v) => [v, v])]);
  const labels = { flowId: '问卷', from: '开始日期', to: '结束日期', interval: '趋势粒度', version: '版本', segment: '分群', ...Object.fromEntries(values.dimensions.map((d) => [d.key, d.label])) };
  for (const [key, control] of Object.entries(controls)) {
    form.append(field(labels[key], control));
    control.addEventListener('change', () => {
      const next = { ...readFilters(), [key]: control.value };
      writeFilters(next);
      if (key === 'flowId') return route();
      refresh();
    });
  }
  const exportButton = h('button', { type: 'button', class: 'plain', text: '导出 CSV', onClick: () => exportCsv(exportButton) });
  if (canSeeFullText) form.append(h('div', { class: 'actions' }, exportButton));

  const status = h('p', { class: 'status', role: 'status' });
  const el = (cls, ...children) => h('div', { class: cls }, ...children);
  const kpi = (label) => {
    const value = h('div', { class: 'value' });
    const sub = h('div', { class: 'sub' });
    return { box: el('card kpi', h('div', { class: 'label', text: label }), value, sub), value, sub };
  };
  const k = { nps: kpi('NPS（净推荐值）'), responses: kpi('NPS 回复数'), completion: kpi('完成率'), escalations: kpi('转人工') };
  const split = h('div', { class: 'split', 'aria-label': '推荐者、中立者、贬损者占比' });
  const legend = h('div', { class: 'legend' });
  k.nps.box.append(split, legend);

  const chartBox = (id, cls = 'chart') => h('div', { class: cls, id, role: 'img' });
  const card = (title, ...children) => h('section', { class: 'card' }, h('h2', { text: title }), ...children);
  const csatTable = h('div', { class: 'scroll', tabindex: '0' });
  const productList = h('p', { class: 'sub muted' });
  const funnelTable = h('div', { class: 'scroll', tabindex: '0' });
  const productsChart = chartBox('chart-products', 'chart products');
  const productsNote = h('p', { class: 'sub muted' });
  const productsTable = h('div', { class: 'scroll', tabindex: '0' });
  const escalationBox = h('div');
  const groups = h('div', { class: 'groups' });
  const sessionsNote = h('p', { class: 'muted' });
  const insight = buildInsight(values.dimensions.find((d) => d.key === 'store')?.values ?? []);

  const root = h(
    'div',
    null,
    form,
    status,
    h('div', { class: 'kpis' }, k.nps.box, k.responses.box, k.completion.box, k.escalations.box),
    h(
      'div',
      { class: 'grid' },
      h('section', { class: 'card wide' }, h('h2', { text: 'NPS 趋势（阴影为 95% 置信区间）' }), chartBox('chart-trend', 'chart tall')),
      card('各环节满意度（CSAT，1-5 分）', chartBox('chart-csat'), csatTable),
      ...insight.sections,
      card('复购意向（0-5 分）与时间', chartBox('chart-intent'), chartBox('chart-timing'), productList),
      h(
        'section',
        { class: 'card wide interest' },
        h('h2', { text: '意向项目与购买时间（谁想要什么、什么时候）' }),
        h(
          'div',
          { class: 'cols' },
          h('div', null, h('h3', { text: '各项目的意向人数（按预计购买时间）' }), productsChart, productsNote),
          h('div', null, h('h3', { text: '各项目的客户分群' }), productsTable),
          h('div', null, h('h3', { text: '购买决策因素（提到的顾客数）' }), chartBox('chart-factors', 'chart factors')),
        ),
      ),
      h('section', { class: 'card wide' }, h('h2', { text: '原因与话题（按 NPS 分组，点话题看原话）' }), groups),
      card('完成漏斗（各题到达与作答）', chartBox('chart-funnel'), funnelTable),
      card('会话结果与客户分群', sessionsNote, chartBox('chart-outcomes'), chartBox('chart-segments'), escalationBox),
    ),
  );
  // Charts draw on canvas: each says what it shows by its card's title.
  root.querySelectorAll('[role="img"]').forEach((box) => box.setAttribute('aria-label', box.closest('section')?.querySelector('h2')?.textContent || '图表'));
  return { root, filters, status, k, split, legend, csatTable, productList, productsChart, productsNote, productsTable, funnelTable, escalationBox, groups, sessionsNote, insight, topics: {}, busy: false };
}

function chart(id, option) {
  const node = document.getElementById(id);
  if (!node || !window.echarts) return;
  let c = charts.get(id);
  if (!c) charts.set(id, (c = window.echarts.init(node, null, { renderer: 'canvas' })));
  c.setOption(option, true);
}

async function refresh() {
  if (!view) return;
  if (view.busy) {
    // A filter changed while numbers were loading: load again for the new filter right after.
    view.again = true;
    return;
  }
  view.busy = true;
  view.again = false;
  const f = readFilters();
  const qs = query(f);
  try {
    const [summary, trend] = await Promise.all([get(`/api/analytics/summary?${qs}`), get(`/api/analytics/trend?${qs}&interval=${f.interval}`)]);
    const quotes = await Promise.all(['detractor', 'passive', 'promoter'].map((g) => get(`/api/analytics/verbatims?${query(f, { group: g, topic: view.topics[g] || '', limit: 4 })}`)));
    renderSummary(summary, trend, quotes);
    if (view) await view.insight.refresh(f, query);
    replace(view.status, `每 10 秒自动刷新 · 更新于 ${formatTime(summary.generatedAt)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    replace(view.status, h('span', { class: 'bad', text: `刷新失败：${error.message}` }), '（稍后自动重试）');
  } finally {
    if (view) {
      view.busy = false;
      if (view.again) refresh();
    }
  }
}

function renderSummary(s, trend, quotes) {
  const { k } = view;
  const nps = s.nps;
  if (nps.responses === 0) {
    replace(k.nps.value, '—');
    replace(k.nps.sub, '暂无回复');
  } else if (!nps.enough) {
    replace(k.nps.value, h('span', { class: 'warn', text: '样本不足' }));
    replace(k.nps.sub, `仅 ${nps.responses} 份回复，至少需要 ${s.minResponses} 份才显示得分（当前 ${signed(nps.score)} ±${fixed(nps.marginOfError)}）`);
  } else {
    replace(k.nps.value, signed(nps.score), ' ', h('small', { text: `±${fixed(nps.marginOfError)}` }));
    replace(k.nps.sub, `95% 置信区间 ${signed(nps.score - nps.marginOfError)} ~ ${signed(nps.score + nps.marginOfError)}`);
  }
  replace(view.split, ...['promoter', 'passive', 'detractor'].map((g) => h('span', { class: g, title: groupLabels[g], 'data-pct': nps[`${g}Pct`] ?? 0 })));
  view.split.querySelectorAll('span').forEach((span) => span.style.setProperty('width', `${span.dataset.pct}%`));
  replace(view.legend, ...['promoter', 'passive', 'detractor'].map((g) => h('span', null, h('i', { class: `dot ${g}` }), `${groupLabels[g]} ${nps[`${g}s`]}（${pct(nps[`${g}Pct`], 0)}）`)));
  replace(k.responses.value, String(nps.responses));
  stepLabels = new Map(s.funnel.map((r) => [r.stepId, r.label]));
  replace(k.responses.sub, `NPS 题：${(nps.stepId && stepLabels.get(nps.stepId)) || '—'}`);
  replace(k.completion.value, pct(s.sessions.completionRate, 0));
  replace(k.completion.sub, `开始 ${s.sessions.started} · 完成 ${s.sessions.outcomes.completed}（其中曾转人工 ${s.sessions.escalatedOutcomes?.completed ?? 0}） · 完成用时中位数 ${duration(s.sessions.medianSecondsToComplete)}`);
  replace(k.escalations.value, String(s.escalations.count));
  replace(k.escalations.sub, `首次回复中位数 ${duration(s.escalations.medianFirstReplySeconds)} · 已解决 ${pct(s.escalations.resolvedShare, 0)}`);

  chart('chart-trend', trendOption(trend));
  chart('chart-csat', csatOption(s.csat));
  replace(view.csatTable, table(['环节', '回答数', '平均分', '好评率（4-5）'], s.csat.map((c) => [c.label, c.n, fixed(c.mean, 2), pct(c.top2Box)]), [1, 2, 3]));
  chart('chart-intent', intentOption(s.repurchase));
  chart('chart-timing', timingOption(s.repurchase));
  replace(view.productList, `复购意向回答 ${s.repurchase.n} · 可能复购（≥4）${pct(s.repurchase.likelyShare)} · 意向项目见下方`);
  renderInterest(s.repurchase);
  chart('chart-funnel', funnelOption(s.funnel));
  replace(
    view.funnelTable,
    table(
      ['题目', '到达', '作答', '跳过', '停此：退订', '转人工', '超时', '进行中'],
      s.funnel.filter((r) => r.reached > 0).map((r, i) => [`${i + 1}. ${r.label}`, r.reached, r.answered, r.skipped, r.stopped.opted_out, r.stopped.escalated, r.stopped.expired, r.stopped.in_progress]),
      [1, 2, 3, 4, 5, 6, 7],
    ),
  );
  replace(view.sessionsNote, `${Object.entries(s.sessions.outcomes).map(([o, n]) => `${outcomeLabels[o] || o} ${n}`).join(' · ')}　｜　${handedOverText(s.sessions)}`);
  chart('chart-outcomes', outcomesOption(s.sessions.outcomes));
  chart('chart-segments', segmentsOption(s.segments));
  replace(
    view.escalationBox,
    h('h2', { text: '转人工' }),
    table(['触发原因', '次数'], Object.entries(s.escalations.byTrigger).map(([t, n]) => [triggerLabels[t] || t, n]), [1]),
    h('p', { class: 'muted', text: `共 ${s.escalations.count} 次 · 已回复 ${s.escalations.replied} · 首次回复中位数 ${duration(s.escalations.medianFirstReplySeconds)} · 已解决 ${s.escalations.resolved}（${pct(s.escalations.resolvedShare, 0)}）` }),
  );
  renderGroups(s, quotes);
}

/** Sessions ever handed to a person, and where they stand now: "曾转人工 2（已完成 2）". */
function handedOverText(sessions) {
  const now = Object.entries(sessions.escalatedOutcomes ?? {}).filter(([, n]) => n > 0).map(([o, n]) => `${outcomeLabels[o] || o} ${n}`);
  return `曾转人工 ${sessions.escalated ?? 0}${now.length ? `（${now.join(' · ')}）` : ''}`;
}

const PRODUCT_ROWS = 10;

/** Products of interest by purchase window and by segment, "都行", and the purchase factors. */
function renderInterest(r) {
  // One bar per product: the chart grows with them (up to PRODUCT_ROWS).
  const rows = Math.min(PRODUCT_ROWS, r.products.length);
  const narrow = view.productsChart.clientWidth < 480;
  view.productsChart.style.setProperty('height', `${Math.max(200, (narrow ? 100 : 60) + rows * 30)}px`);
  chart('chart-products', productsOption(r.products, PRODUCT_ROWS, narrow));
  charts.get('chart-products')?.resize();
  const total = r.products.reduce((n, p) => n + p.n, 0);
  replace(
    view.productsNote,
    r.products.length
      ? `${r.products.length} 个项目，共 ${total} 人次（顾客在任一回答中提到即计入，每位顾客每个项目只计一次）${r.products.length > PRODUCT_ROWS ? `，图中为前 ${PRODUCT_ROWS} 个` : ''}`
      : '暂无顾客提到目录中的项目',
    ` · 表示“都可以”的顾客 ${r.openInterest.n} 位`,
  );
  const segs = Object.keys(segmentOrNoneLabels);
  replace(
    view.productsTable,
    table(['项目', '人数', ...segs.map((k) => segmentOrNoneLabels[k])], r.products.map((p) => [p.name, p.n, ...segs.map((k) => p.segments[k])]), segs.map((_, i) => i + 1).concat(segs.length + 1)),
  );
  chart('chart-factors', factorsOption(r.factors));
}

function renderGroups(s, quotes) {
  const order = ['detractor', 'passive', 'promoter'];
  replace(
    view.groups,
    order.map((g, i) => {
      const r = s.reasons[g];
      const current = view.topics[g] || '';
      const chip = (topic, label) =>
        h('button', {
          type: 'button',
          class: `chip${current === topic ? ' on' : ''}`,
          text: label,
          onClick: () => {
            view.topics[g] = topic;
            refresh();
          },
        });
      return h(
        'div',
        { class: 'group', dataset: { group: g } },
        h('h3', null, h('i', { class: `dot ${g}` }), `${groupLabels[g]} · ${r.n} 条原因`),
        h('div', { class: 'legend' }, ['positive', 'neutral', 'negative'].map((l) => h('span', { text: `${sentimentLabels[l]} ${r.sentiment[l]}` }))),
        h('div', { class: 'chips' }, chip('', '全部'), r.topics.slice(0, 8).map((t) => chip(t.topic, `${t.topic} ${t.n}`))),
        h(
          'ul',
          { class: 'quotes' },
          quotes[i].items.length
            ? quotes[i].items.map((q) =>
                h(
                  'li',
                  { class: q.sentiment || '' },
                  h('div', { class: 'text', text: q.text }),
                  h('div', { class: 'meta' }, `${formatTime(q.at)}${q.topics.length ? ` · ${q.topics.join('、')}` : ''} · `, canSeeFullText ? h('a', { href: `#/sessions/${q.sessionId}`, text: '查看对话' }) : h('span', { class: 'muted', text: '对话仅管理员可查看' })),
                ),
              )
            : h('li', { class: 'muted', text: '暂无原话' }),
        ),
      );
    }),
  );
}

/** A table; numeric columns right-aligned, the first column cut with … when long (full text on hover). */
function table(head, rows, numeric = []) {
  const cls = (i) => (numeric.includes(i) ? 'num' : i === 0 ? 'label' : '');
  return h(
    'table',
    { class: 't' },
    h('thead', null, h('tr', null, head.map((t, i) => h('th', { class: numeric.includes(i) ? 'num' : '', text: t })))),
    h(
      'tbody',
      null,
      rows.length
        ? rows.map((row) => h('tr', null, row.map((v, i) => h('td', { class: cls(i), text: v, title: i === 0 ? String(v) : undefined }))))
        : h('tr', null, h('td', { class: 'muted', colspan: head.length, text: '暂无数据' })),
    ),
  );
}

async function exportCsv(button) {
  const f = readFilters();
  button.disabled = true;
  button.textContent = '导出中…';
  try {
    const res = await fetch(`/api/analytics/export.csv?${query(f)}`, { headers: { authorization: `Bearer ${session.token}` } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: `${f.flowId}_${f.from || ''}_${f.to || ''}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    replace(view.status, h('span', { class: 'bad', text: `导出失败：${error.message}` }));
  } finally {
    button.disabled = false;
    button.textContent = '导出 CSV';
  }
}

// ------------------------------------------------------------------ one session's transcript

async function renderSession(id) {
  const s = await get(`/api/sessions/${id}`);
  if (!stepLabels.size && s.flowId) {
    const summary = await get(`/api/analytics/summary?${query({ flowId: s.flowId, from: '2000-01-01', to: today() })}`).catch(() => null);
    if (summary) stepLabels = new Map(summary.funnel.map((r) => [r.stepId, r.label]));
  }
  const back = h('a', { href: `${location.pathname}${location.search}`, text: '← 返回看板' });
  const answers = Object.entries(s.answers || {}).map(([stepId, a]) => [stepLabels.get(stepId) || '（已删除的题目）', a.missing ? '（跳过）' : Array.isArray(a.value) ? a.value.join('、') : String(a.value), a.raw]);
  replace(
    main,
    h(
      'section',
      { class: 'card' },
      back,
      h('h1', { text: `会话 ${s.id}` }),
      h(
        'dl',
        { class: 'facts' },
        h('dt', { text: '客户' }), h('dd', { text: `${s.customerFields?.nickname || ''} ${s.customerId}` }),
        h('dt', { text: '问卷' }), h('dd', { text: `${s.flowId} v${s.flowVersion}` }),
        h('dt', { text: '状态' }), h('dd', { text: statusLabels[s.status] || s.status }),
        h('dt', { text: '开始' }), h('dd', { text: formatTime(s.createdAt) }),
        h('dt', { text: '完成' }), h('dd', { text: s.completedAt ? formatTime(s.completedAt) : '—' }),
      ),
      h('h2', { text: '回答' }),
      table(['题目', '记录值', '原话'], answers),
      h('h2', { text: '对话记录' }),
      h(
        'div',
        { class: 'transcript' },
        (s.transcript || []).map((t) =>
          h('div', { class: `msg ${t.direction} ${t.author}` }, h('span', { class: 'meta', text: `${formatTime(t.at)} · ${t.author === 'customer' ? '顾客' : t.author === 'advisor' ? '顾问' : t.author === 'bot' ? '机器人' : '系统'}` }), t.text),
        ),
      ),
    ),
  );
}

route();
