import type { AnalysisRequest, QuestionKind } from '../core/analysis.ts';

/** Kinds whose answer is a number on a scale. */
export const SCALE_KINDS: ReadonlySet<QuestionKind> = new Set(['nps', 'csat', 'rating', 'repurchase']);

const DEFAULT_RANGES: Partial<Record<QuestionKind, { min: number; max: number }>> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  repurchase: { min: 0, max: 5 },
  rating: { min: 1, max: 5 },
};

/**
 * The score range of a question: the request's own range, else the kind's default (NPS 0–10,
 * CSAT 1–5, repurchase 0–5, rating 1–5). Null for kinds without a score.
 */
export function resolveRange(request: Pick<AnalysisRequest, 'question' | 'range'>): { min: number; max: number } | null {
  if (!SCALE_KINDS.has(request.question)) return null;
  return request.range ?? DEFAULT_RANGES[request.question] ?? null;
}
