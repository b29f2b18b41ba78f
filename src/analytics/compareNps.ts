import type { CatalogStep } from '../sessionFacts/stepCatalog.ts';
import { groupsOf, npsDifference } from './drivers.ts';
import { npsOf } from './metrics.ts';
import { summarize } from './summarize.ts';
import type { Tally } from './tally.ts';

/**
 * NPS of a range against a base range: each side's score, the difference with its 95% interval,
 * significant when the interval leaves out 0. Both use the NPS step the current range headlines
 * (the base's when the current has none).
 */
export function compareNps(steps: CatalogStep[], current: Tally, before: Tally, minResponses: number) {
  const options = { minResponses };
  const npsStepId = summarize(current, steps, options).nps.stepId ?? summarize(before, steps, options).nps.stepId;
  const histOf = (t: Tally) => (npsStepId ? t.nps.get(npsStepId) : undefined) ?? new Array<number>(11).fill(0);
  const side = (hist: number[]) => {
    const r = npsOf(hist);
    return { score: r.score, marginOfError: r.marginOfError, n: r.responses, enough: r.responses >= minResponses };
  };
  const diff = npsDifference(groupsOf(histOf(current)), groupsOf(histOf(before)));
  return {
    npsStepId,
    current: side(histOf(current)),
    base: side(histOf(before)),
    difference: diff?.difference ?? null,
    low: diff?.low ?? null,
    high: diff?.high ?? null,
    significant: diff?.significant ?? false,
  };
}
