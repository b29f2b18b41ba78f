// ECharts options for the dashboard. Tooltips render as rich text on the canvas (no HTML), so
// labels written by admins or customers never become markup.
import { factorLabels, outcomeLabels, segmentLabels, timingLabels, windowLabels } from './labels.js';

const base = {
  animation: false,
  tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
  grid: { left: 44, right: 44, top: 30, bottom: 28, containLabel: false },
  textStyle: { fontFamily: '-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif' },
};

/** NPS per period with its 95% band (low stacked under high − low), responses as bars. */
export function trendOption(trend) {
  const x = trend.points.map((p) => p.period.slice(5));
  const band = trend.points.map((p) => (p.low === null ? null : +(p.high - p.low).toFixed(2)));
  return {
    ...base,
    legend: { data: ['NPS', '95% 区间', '回复数'], top: 0, textStyle: { fontSize: 12 } },
    xAxis: { type: 'category', data: x, boundaryGap: true },
    yAxis: [
      { type: 'value', min: -100, max: 100, splitNumber: 4, name: 'NPS' },
      { type: 'value', name: '回复', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { name: '回复数', type: 'bar', yAxisIndex: 1, data: trend.points.map((p) => p.responses), itemStyle: { color: '#dfe3ea' }, barMaxWidth: 18 },
      { name: 'band-low', type: 'line', data: trend.points.map((p) => (p.low === null ? null : +p.low.toFixed(2))), stack: 'band', stackStrategy: 'all', lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false }, silent: true },
      { name: '95% 区间', type: 'line', data: band, stack: 'band', stackStrategy: 'all', lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: 'rgba(29,111,224,0.15)' }, itemStyle: { color: 'rgba(29,111,224,0.35)' }, silent: true },
      { name: 'NPS', type: 'line', data: trend.points.map((p) => (p.score === null ? null : +p.score.toFixed(1))), itemStyle: { color: '#1d6fe0' }, connectNulls: true, symbolSize: 6 },
    ],
  };
}

export function csatOption(csat) {
  const rows = [...csat].reverse();
  return {
    ...base,
    grid: { left: 8, right: 70, top: 8, bottom: 20, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 5 },
    yAxis: { type: 'category', data: rows.map((r) => r.label) },
    series: [
      {
        name: '平均分',
        type: 'bar',
        data: rows.map((r) => (r.mean === null ? 0 : +r.mean.toFixed(2))),
        itemStyle: { color: '#1d6fe0' },
        barMaxWidth: 22,
        label: { show: true, position: 'right', formatter: (p) => { const r = rows[p.dataIndex]; return r.mean === null ? '无' : `${r.mean.toFixed(2)} · 好评${r.top2Box.toFixed(0)}%`; } },
      },
    ],
  };
}

export function intentOption(repurchase) {
  const keys = Object.keys(repurchase.distribution);
  return {
    ...base,
    grid: { left: 36, right: 10, top: 20, bottom: 28 },
    xAxis: { type: 'category', data: keys.map((k) => `${k}分`) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '回答数', type: 'bar', data: keys.map((k) => repurchase.distribution[k]), itemStyle: { color: (p) => (Number(keys[p.dataIndex]) >= 4 ? '#2ba471' : '#8fb6f0') }, barMaxWidth: 28 }],
  };
}

export function timingOption(repurchase) {
  const keys = Object.keys(repurchase.timing);
  return {
    ...base,
    grid: { left: 8, right: 30, top: 8, bottom: 20, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: keys.map((k) => timingLabels[k] || k).reverse() },
    series: [{ name: '提及', type: 'bar', data: keys.map((k) => repurchase.timing[k]).reverse(), itemStyle: { color: '#7c6fe0' }, barMaxWidth: 16, label: { show: true, position: 'right' } }],
  };
}

/** A question's label cut to fit an axis; the table below the chart has it in full. */
function shortLabel(text, max = 10) {
  const t = String(text || '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Horizontal bars, one per question in flow order, labelled by the question (never its id). */
export function funnelOption(funnel) {
  const rows = funnel.filter((f) => f.reached > 0);
  const labels = rows.map((r, i) => `${i + 1}. ${shortLabel(r.label || '（未命名题目）')}`).reverse();
  return {
    ...base,
    legend: { data: ['到达', '作答'], top: 0, textStyle: { fontSize: 12 } },
    grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
    yAxis: { type: 'category', data: labels, axisLabel: { fontSize: 11, width: 130, overflow: 'truncate' } },
    xAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '到达', type: 'bar', data: rows.map((r) => r.reached).reverse(), itemStyle: { color: '#b9d3f7' }, barGap: '-100%', barMaxWidth: 18 },
      { name: '作答', type: 'bar', data: rows.map((r) => r.answered).reverse(), itemStyle: { color: '#1d6fe0' }, barMaxWidth: 18 },
    ],
  };
}

// Donut labels: outside on lines, moved apart when crowded, none for slivers (the legend names every slice).
const DONUT_LABELS = { avoidLabelOverlap: true, minShowLabelAngle: 12, label: { formatter: '{b} {c}', fontSize: 11 }, labelLayout: { hideOverlap: true }, labelLine: { length: 8, length2: 6 } };

export function segmentsOption(segments) {
  const colors = { loyal: '#2ba471', at_risk: '#e34d59', potential: '#f5a623', other: '#c9cdd4' };
  return {
    ...base,
    tooltip: { trigger: 'item', renderMode: 'richText' },
    legend: { bottom: 0, textStyle: { fontSize: 12 } },
    series: [
      {
        name: '分群',
        type: 'pie',
        radius: ['42%', '68%'],
        center: ['50%', '45%'],
        ...DONUT_LABELS,
        data: Object.keys(segments).map((k) => ({ name: segmentLabels[k] || k, value: segments[k], itemStyle: { color: colors[k] } })),
      },
    ],
  };
}

export function outcomesOption(outcomes) {
  const keys = Object.keys(outcomes);
  return {
    ...base,
    tooltip: { trigger: 'item', renderMode: 'richText' },
    legend: { bottom: 0, textStyle: { fontSize: 12 } },
    series: [{ name: '结果', type: 'pie', radius: ['42%', '68%'], center: ['50%', '45%'], ...DONUT_LABELS, data: keys.map((k) => ({ name: outcomeLabels[k] || k, value: outcomes[k] })) }],
  };
}

/** Sooner windows darker; no time named grey. */
const WINDOW_COLORS = { within_1_month: '#0b4fb3', '1_3_months': '#1d6fe0', '3_6_months': '#5b95ea', '6_12_months': '#93b9f2', over_12_months: '#c3d7f7', undecided: '#f5a623', never: '#e34d59', none: '#c9cdd4' };

/**
 * Products of interest as horizontal bars (most asked for on top), each split by when its
 * customers expect to buy: who wants what, when. Names are the flow catalogue's.
 */
export function productsOption(products, max = 10, narrow = false) {
  const rows = products.slice(0, max).reverse();
  const keys = Object.keys(windowLabels).filter((k) => rows.some((p) => (p.timing[k] || 0) > 0));
  // On a phone the legend wraps under the bars (every colour stays explained); wide, one line on top.
  const legend = { textStyle: { fontSize: 11 }, itemWidth: 12, itemHeight: 10, itemGap: 8 };
  return {
    ...base,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true },
    legend: narrow ? { ...legend, bottom: 0 } : { ...legend, type: 'scroll', top: 0 },
    grid: narrow ? { left: 8, right: 34, top: 8, bottom: 56, containLabel: true } : { left: 8, right: 34, top: 30, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((p) => p.name), axisLabel: { width: 84, overflow: 'truncate' } },
    series: keys.map((k, i) => ({
      name: windowLabels[k],
      type: 'bar',
      stack: 'window',
      barMaxWidth: 18,
      itemStyle: { color: WINDOW_COLORS[k] },
      data: rows.map((p) => p.timing[k] || 0),
      // The total at the end of each bar, on the last series.
      label: i === keys.length - 1 ? { show: true, position: 'right', color: '#1f2329', formatter: (x) => String(rows[x.dataIndex].n) } : { show: false },
    })),
  };
}

/** Purchase factors: sessions that named each. */
export function factorsOption(factors) {
  const rows = [...factors].reverse();
  return {
    ...base,
    grid: { left: 8, right: 34, top: 8, bottom: 20, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((f) => factorLabels[f.id] || f.id) },
    series: [{ name: '提到的顾客', type: 'bar', data: rows.map((f) => f.n), itemStyle: { color: '#2ba471' }, barMaxWidth: 16, label: { show: true, position: 'right' } }],
  };
}
