import type { SessionRecord } from '../core/sessions.ts';

/**
 * Filter attributes a session carries, beyond flow, version, date and segment. Data-driven: a new
 * attribute (say, an advisor or a region stored in `customerFields`) is one more line here; the
 * API's query parameters, the rollup cells, the dashboard's filters and the export pick it up.
 * Only low-cardinality attributes belong here: every distinct combination is a rollup cell.
 */
export interface Dimension {
  key: string;
  /** Chinese label for the dashboard and the export header. */
  label: string;
  read(session: Pick<SessionRecord, 'campaign' | 'customerFields'>): string | undefined;
}

export const dimensions: readonly Dimension[] = [
  { key: 'campaign', label: '活动', read: (s) => s.campaign ?? s.customerFields.campaign },
  { key: 'store', label: '门店', read: (s) => s.customerFields.store },
  // WeCom's `scene` of the entry link (the link names it); absent when the customer just wrote.
  { key: 'scene', label: '入口场景', read: (s) => s.customerFields.scene },
];

/** Dimension values cleaned for use as rollup attributes: trimmed, at most 64 characters. */
export function readDimensions(session: Pick<SessionRecord, 'campaign' | 'customerFields'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dimensions) {
    const value = d.read(session)?.trim();
    if (value) out[d.key] = value.slice(0, 64);
  }
  return out;
}
