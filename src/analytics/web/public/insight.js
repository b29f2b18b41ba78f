// Numbers you can act on (issue 21): is the change against the previous period real, the same per
// store with intervals, and the key drivers of NPS. Its own sections and loader, so the dashboard
// only places them and calls refresh(); texts set with textContent (dom.js).
import { get } from '/admin/static/api.js';
import { h, replace } from '/ui/dom.js';
import { fixed, signed } from './labels.js';

const DAY = 86_400_000;

/** The period of the same length right before from..to (YYYY-MM-DD). */
export function previousPeriod(from, to) {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  return { baseFrom: day(a - (b - a) - DAY), baseTo: day(a - DAY) };
}

function verdict(c) {
  if (c.difference === null) return h('span', { class: 'muted', text: '无法比较' });
  if (!c.current.enough || !c.base.enough) return h('span', { class: 'warn', text: '样本不足' });
  return h('span', { class: c.significant ? (c.difference > 0 ? 'good' : 'bad') : 'muted', text: c.significant ? '显著' : '不显著' });
}

const interval = (low, high) => (low === null ? '—' : `${signed(low)} ~ ${signed(high)}`);
const npsText = (side) => (side.score === null ? '—' : `${signed(side.score)} ±${fixed(side.marginOfError)}（${side.n}）`);
/** A number with its interval on a second, smaller line (narrow columns at phone width). */
const withInterval = (value, low, high) => h('div', null, h('div', { text: signed(value) }), h('div', { class: 'ci', text: interval(low, high) }));
const npsCell = (side) => (side.score === null ? '—' : h('div', null, h('div', { text: `${signed(side.score)}（${side.n}）` }), h('div', { class: 'ci', text: `±${fixed(side.marginOfError)}` })));

function table(head, rows, numeric) {
  return h(
    'table',
    { class: 't' },
    h('thead', null, h('tr', null, head.map((t, i) => h('th', { class: numeric.includes(i) ? 'num' : '', text: t })))),
    h('tbody', null, rows.length ? rows.map((row) => h('tr', null, row.map((v, i) => h('td', { class: numeric.includes(i) ? 'num' : i === 0 ? 'label' : '' }, v)))) : h('tr', null, h('td', { class: 'muted', colspan: head.length, text: '暂无数据' }))),
  );
}

/**
 * The sections (change vs the previous period with the store table; key drivers) and their
 * loader. `stores`: the store filter's values.
 */
export function buildInsight(stores) {
  const change = h('p', { class: 'change' });
  const storeTable = h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': '门店对比（可横向滚动）' });
  const drivers = h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': '关键驱动因素（可横向滚动）' });
  const driversNote = h('p', { class: 'sub muted' });
  const sections = [
    h('section', { class: 'card wide', id: 'insight-compare' }, h('h2', { text: '与上一周期对比（差值的 95% 区间）' }), change, h('h3', { text: '门店对比' }), storeTable,
      h('p', { class: 'sub muted', text: '按门店名排列：区间重叠的门店之间的差别不能说明谁更好。' })),
    h('section', { class: 'card wide', id: 'insight-drivers' }, h('h2', { text: '关键驱动因素' }), driversNote, drivers),
  ];

  async function refresh(f, query) {
    if (!f.from || !f.to) return;
    const base = previousPeriod(f.from, f.to);
    const storeQuery = (store) => query({ ...f, store }, base);
    const [whole, byStore, d] = await Promise.all([
      get(`/api/analytics/compare?${query(f, base)}`),
      Promise.all((f.store ? [f.store] : stores).map((s) => get(`/api/analytics/compare?${storeQuery(s)}`).then((c) => [s, c]))),
      get(`/api/analytics/drivers?${query(f)}`),
    ]);
    replace(change, `本期 NPS ${npsText(whole.current)} · 上期（${base.baseFrom} ~ ${base.baseTo}）${npsText(whole.base)} · 变化 ${signed(whole.difference)}（${interval(whole.low, whole.high)}）`, ' ', verdict(whole));
    replace(storeTable, table(['门店', '本期 NPS（人数）', '上期 NPS', '变化（95% 区间）', '是否显著'], byStore.map(([s, c]) => [s, npsCell(c.current), npsCell(c.base), withInterval(c.difference, c.low, c.high), verdict(c)]), [1, 2, 3]));
    replace(driversNote, `话题：在原因中提到它的顾客；环节：该环节打 1-3 分的顾客。与其余顾客的 NPS 相比，按“若这些贬损者变为中立者 NPS 可提升”排序；任一方少于 ${d.minResponses} 份回复显示“样本不足”。`);
    replace(
      drivers,
      table(
        ['因素', '人数', '提及者 NPS', '其余 NPS', '影响（95% 区间）', '贬损者', '可提升'],
        d.drivers.map((r) => [
          `${r.kind === 'csat' ? '环节：' : '话题：'}${r.label}`,
          String(r.n),
          ...(r.enough
            ? [signed(r.npsWith), signed(r.npsWithout), withInterval(r.impact, r.low, r.high), String(r.detractors), `+${fixed(r.potentialGain)}`]
            : [h('span', { class: 'warn', text: '样本不足' }), '—', '—', String(r.detractors), '—']),
        ]),
        [1, 2, 3, 4, 5, 6],
      ),
    );
  }
  return { sections, refresh };
}
