import type { CellDims } from './ports.ts';
import type { AnalyticsFilter } from './query.ts';

/** The filter as cell attributes (see fields.ts cellOf). */
export function wantedDims(filter: AnalyticsFilter): CellDims {
  const wanted: CellDims = {};
  if (filter.version !== undefined) wanted.v = String(filter.version);
  if (filter.segment) wanted.seg = filter.segment;
  for (const [key, value] of Object.entries(filter.dims)) wanted[`d.${key}`] = value;
  return wanted;
}

/** Whether a cell has every wanted attribute. */
export function matches(dims: CellDims, wanted: CellDims): boolean {
  return Object.entries(wanted).every(([k, v]) => dims[k] === v);
}
