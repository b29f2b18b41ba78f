import { localDateKey } from '../core/calendar.ts';
import { factsFromJson } from '../sessionFacts/factsJson.ts';
import type { CatalogStep, ProductName } from '../sessionFacts/stepCatalog.ts';
import { matches, wantedDims } from './cellFilter.ts';
import { BOM, csvLine, exportHeader, exportRow } from './csv.ts';
import { cellOf } from './fields.ts';
import type { ResponseRecordStore, RollupStore } from './ports.ts';
import type { AnalyticsFilter } from './query.ts';

/**
 * The export's lines: BOM and header, then settled sessions from their records, then open ones
 * from beside the counters (only their ids are remembered in between, to skip one listed in both
 * after a failed clean-up).
 */
export async function* exportRows(
  deps: { records: Pick<ResponseRecordStore, 'stream'>; rollups: RollupStore; timeZone: string },
  filter: AnalyticsFilter,
  catalog: { steps: CatalogStep[]; products: ProductName[] },
): AsyncGenerator<string> {
  const { steps, products } = catalog;
  const wanted = wantedDims(filter);
  const { records, rollups, timeZone } = deps;
  const inRange = (day: string) => (!filter.from || day >= filter.from) && (!filter.to || day <= filter.to);
  yield BOM + csvLine(exportHeader(steps, products));
  const seen = new Set<string>();
  for await (const facts of records.stream({ flowId: filter.flowId, ...(filter.from ? { fromDay: filter.from } : {}), ...(filter.to ? { toDay: filter.to } : {}) })) {
    seen.add(facts.sessionId);
    if (matches(cellOf(facts).dims, wanted)) yield csvLine(exportRow(facts, steps, timeZone, products));
  }
  for await (const json of rollups.openResponses(filter.flowId)) {
    const facts = factsFromJson(json);
    if (seen.has(facts.sessionId) || !inRange(localDateKey(facts.createdAt, timeZone)) || !matches(cellOf(facts).dims, wanted)) continue;
    yield csvLine(exportRow(facts, steps, timeZone, products));
  }
}
