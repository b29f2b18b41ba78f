import { NotFoundError } from '../core/errors.ts';
import { maskPii } from '../core/maskPii.ts';
import { addDays, daysBetween, localDateKey, monthOf, weekStart } from '../core/calendar.ts';
import { planPeriods } from './rollupPeriods.ts';
import { exportRows } from './csvExport.ts';
import { matches, wantedDims } from './cellFilter.ts';
import { dimensions } from '../sessionFacts/dimensions.ts';
import { clean } from './fields.ts';
import type { FlowDefinitions, Period, ResponseRecordStore, RollupStore } from './ports.ts';
import type { AnalyticsFilter } from './query.ts';
import { productCatalog, stepCatalog, type CatalogStep, type ProductName } from '../sessionFacts/stepCatalog.ts';
import { summarize, type Summary } from './summarize.ts';
import { keyDrivers, type Driver } from './drivers.ts';
import { compareNps } from './compareNps.ts';
import { npsOf } from './metrics.ts';
import { addCounts, emptyTally } from './tally.ts';
import { trendOf, type TrendPoint } from './trend.ts';
import { npsGroups, type Group } from '../sessionFacts/types.ts';

export interface AnalyticsServiceDeps {
  rollups: RollupStore;
  records: Pick<ResponseRecordStore, 'stream'>;
  flows: FlowDefinitions;
  timeZone: string;
  /** Below this many NPS responses the dashboard says "not enough responses". */
  minResponses: number;
  now?: () => Date;
}

/** Longest trend: a year of days, two years of weeks. */
const MAX_TREND_DAYS = { day: 366, week: 728 } as const;
const CATALOG_TTL_MS = 30_000;

/**
 * The read side: summary, trend, verbatims, the CSV export and the filter values, all from
 * rollups read by key (a month or a day per read, never a scan of sessions) except the export,
 * which streams the per-response records.
 */
export function createAnalyticsService(deps: AnalyticsServiceDeps) {
  const clock = deps.now ?? (() => new Date());
  const catalogs = new Map<string, { at: number; steps: CatalogStep[]; products: ProductName[]; title?: string }>();

  async function catalogOf(flowId: string): Promise<{ steps: CatalogStep[]; products: ProductName[]; title?: string }> {
    const hit = catalogs.get(flowId);
    if (hit && clock().getTime() - hit.at < CATALOG_TTL_MS) return hit;
    const versions = await deps.flows.versions(flowId);
    if (!versions.length) throw new NotFoundError('FLOW_NOT_FOUND', `No flow ${flowId}`);
    const entry = { at: clock().getTime(), steps: stepCatalog(versions), products: productCatalog(versions), title: versions[0]?.title };
    catalogs.set(flowId, entry);
    return entry;
  }

  /** Cells matching the filter's attributes; null when it filters on none (read the all-cells total). */
  async function cellsFor(filter: AnalyticsFilter): Promise<string[] | null> {
    const wanted = wantedDims(filter);
    if (!Object.keys(wanted).length) return null;
    const cells = await deps.rollups.cells(filter.flowId);
    return [...cells.entries()].filter(([, dims]) => matches(dims, wanted)).map(([id]) => id);
  }

  async function tallyOf(filter: AnalyticsFilter) {
    const [months, cells] = await Promise.all([deps.rollups.months(filter.flowId), cellsFor(filter)]);
    const plan = planPeriods(filter, months);
    const periods: Period[] = [...plan.months.map((key) => ({ kind: 'month' as const, key })), ...plan.days.map((key) => ({ kind: 'day' as const, key }))];
    const tally = emptyTally();
    if (cells?.length === 0) return tally;
    for (const counts of await deps.rollups.read(filter.flowId, periods, cells)) addCounts(tally, counts);
    return tally;
  }

  function today(): string {
    return localDateKey(clock(), deps.timeZone);
  }

  return {
    async summary(filter: AnalyticsFilter): Promise<{ flowId: string; title: string | null; filter: AnalyticsFilter; generatedAt: string } & Summary> {
      const [catalog, tally] = await Promise.all([catalogOf(filter.flowId), tallyOf(filter)]);
      return { flowId: filter.flowId, title: catalog.title ?? null, filter, generatedAt: clock().toISOString(), ...summarize(tally, catalog.steps, { minResponses: deps.minResponses, products: catalog.products }) };
    },

    /** Key drivers of NPS (topics, CSAT touchpoints rated low) in the filter, ranked; see drivers.ts. */
    async drivers(filter: AnalyticsFilter): Promise<{ flowId: string; npsStepId: string | null; responses: number; minResponses: number; drivers: Driver[] }> {
      const [catalog, tally] = await Promise.all([catalogOf(filter.flowId), tallyOf(filter)]);
      const npsStepId = summarize(tally, catalog.steps, { minResponses: deps.minResponses }).nps.stepId;
      const hist = (npsStepId ? tally.nps.get(npsStepId) : undefined) ?? new Array<number>(11).fill(0);
      return { flowId: filter.flowId, npsStepId, responses: npsOf(hist).responses, minResponses: deps.minResponses, drivers: keyDrivers(tally, catalog.steps, hist, deps.minResponses) };
    },

    /**
     * Is the change real: NPS of the filter's range against a base range (same other filters), the
     * difference with its 95% interval, significant when the interval leaves out 0. Both use the NPS
     * step the current range headlines.
     */
    async compare(filter: AnalyticsFilter, base: { from: string; to: string }) {
      const [catalog, current, before] = await Promise.all([catalogOf(filter.flowId), tallyOf(filter), tallyOf({ ...filter, from: base.from, to: base.to })]);
      return { flowId: filter.flowId, ...compareNps(catalog.steps, current, before, deps.minResponses) };
    },

    /** NPS per day or week (default: the last 30 days, or 12 weeks), every period listed even when empty. */
    async trend(filter: AnalyticsFilter, interval: 'day' | 'week'): Promise<{ flowId: string; interval: string; from: string; to: string; npsStepId: string | null; points: TrendPoint[] }> {
      const to = filter.to ?? today();
      let from = filter.from ?? (interval === 'day' ? addDays(to, -29) : weekStart(addDays(to, -7 * 11)));
      if (from < addDays(to, -(MAX_TREND_DAYS[interval] - 1))) from = addDays(to, -(MAX_TREND_DAYS[interval] - 1));
      const days = daysBetween(from, to);
      const [catalog, cells] = await Promise.all([catalogOf(filter.flowId), cellsFor(filter)]);
      const counts = cells?.length === 0 ? days.map(() => new Map<string, number>()) : await deps.rollups.read(filter.flowId, days.map((key) => ({ kind: 'day', key })), cells);
      // The NPS step the summary of this range headlines (the busiest), from the same counters.
      const whole = emptyTally();
      for (const c of counts) addCounts(whole, [...c].filter(([f]) => f.startsWith('n:')));
      const npsStepId = summarize(whole, catalog.steps, { minResponses: deps.minResponses }).nps.stepId;
      const points = trendOf(days.map((day, i) => ({ day, counts: counts[i] ?? new Map() })), interval, npsStepId);
      return { flowId: filter.flowId, interval, from, to, npsStepId, points };
    },

    /**
     * Reasons customers gave, newest first, for an NPS group and topic: the most recent ones kept
     * per month and list (see QUOTE_CAP in store), filtered by the same attributes as the counts.
     */
    async verbatims(filter: AnalyticsFilter & { group?: Group; topic?: string; limit: number }) {
      const cells = await cellsFor(filter);
      const items = await readQuotes(deps, filter, cells);
      return { flowId: filter.flowId, group: filter.group ?? null, topic: filter.topic ?? null, items };
    },

    /**
     * The CSV export: BOM and header, then one row per session started within the range, as a
     * stream: settled sessions from their records, then open ones from beside the counters (only
     * their ids are remembered in between, to skip one listed in both after a failed clean-up).
     * Resolves once the flow is known to exist, so a wrong flow is a 404, not a broken file.
     */
    async exportCsv(filter: AnalyticsFilter): Promise<AsyncGenerator<string>> {
      const { steps, products } = await catalogOf(filter.flowId);
      return exportRows(deps, filter, { steps, products });
    },

    /** Values each filter can take for a flow (from the rollup cells), for the dashboard's selects. */
    async filterValues(flowId: string) {
      const cells = await deps.rollups.cells(flowId);
      const values = (key: string) => [...new Set([...cells.values()].map((d) => d[key]).filter((v): v is string => !!v))].sort();
      return {
        flowId,
        versions: values('v').map(Number).sort((a, b) => a - b),
        dimensions: dimensions.map((d) => ({ key: d.key, label: d.label, values: values(`d.${d.key}`) })),
      };
    },

    async flows() {
      return deps.flows.list();
    },

    /** Today in the survey time zone: the dashboard's default range ends here, not in the browser's zone. */
    today,
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

function parseQuote(text: string): { t: string; tp: string[]; se: string | null } {
  try {
    const v = JSON.parse(text) as { t?: unknown; tp?: unknown; se?: unknown };
    return { t: typeof v.t === 'string' ? v.t : '', tp: Array.isArray(v.tp) ? v.tp.filter((x): x is string => typeof x === 'string') : [], se: typeof v.se === 'string' ? v.se : null };
  } catch {
    return { t: text, tp: [], se: null };
  }
}

/** The quotes a verbatims request shows, newest first: in range, in the filter's cells, personal numbers masked. */
async function readQuotes(
  deps: { rollups: RollupStore; timeZone: string },
  filter: AnalyticsFilter & { group?: Group; topic?: string; limit: number },
  cells: string[] | null,
) {
  const months = await deps.rollups.months(filter.flowId);
  const inRange = months.filter((m) => (!filter.from || m >= monthOf(filter.from)) && (!filter.to || m <= monthOf(filter.to))).sort().reverse();
  const groups = filter.group ? [filter.group] : [...npsGroups, 'none'];
  const lists = groups.map((g) => `${g}:${filter.topic ? clean(filter.topic) : '*'}`);
  // Answer days are in the survey zone: take a day's margin either side, then check the day.
  const fromMs = filter.from ? Date.parse(`${filter.from}T00:00:00Z`) - 86_400_000 : 0;
  const toMs = filter.to ? Date.parse(`${filter.to}T23:59:59.999Z`) + 86_400_000 : 8.64e15;
  const stored = await deps.rollups.quotes(filter.flowId, { months: inRange, lists, fromMs, toMs, limit: cells ? 500 : filter.limit * 2 });
  const allowed = cells ? new Set(cells) : null;
  const cellOfResponse = allowed ? await deps.rollups.responseCells(filter.flowId, stored.map((q) => q.member.split('|')[0]!)) : null;
  const items = [];
  for (const q of stored) {
    const [sessionId = '', stepId = ''] = q.member.split('|');
    const day = localDateKey(new Date(q.score), deps.timeZone);
    if ((filter.from && day < filter.from) || (filter.to && day > filter.to)) continue;
    if (allowed && !allowed.has(cellOfResponse?.get(sessionId) ?? '')) continue;
    const body = parseQuote(q.text);
    // The dashboard is for viewers too: quotes come with personal numbers masked.
    items.push({ sessionId, stepId, at: new Date(q.score).toISOString(), text: maskPii(body.t), topics: body.tp, sentiment: body.se, group: q.list.split(':')[0] ?? null });
    if (items.length >= filter.limit) break;
  }
  return items;
}
