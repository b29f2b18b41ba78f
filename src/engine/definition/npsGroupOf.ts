import type { NpsGroup } from './flowSchema.ts';

/** NPS group of a 0–10 score: promoter 9–10, passive 7–8, detractor 0–6. */
export function npsGroupOf(score: number): NpsGroup {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}
