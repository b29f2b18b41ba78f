import type { Analysis, AnalysisContext, Analyzer, QuestionKind } from '../../core/analysis.ts';
import type { Awaiting } from './turnResult.ts';

const SCALE_KINDS: ReadonlySet<QuestionKind> = new Set(['nps', 'csat', 'rating', 'repurchase']);
// A number with its 分 ("9分", "9.5 分", "八分"): the score of the question asked, not of another.
const SCORE_NUMBERS = /\d+(?:\.\d+)?\s*分?|[零一二两三四五六七八九十]+分/g;

/**
 * Reads a reply as an answer to each other step it may fill in passing (`awaiting.passing`, from
 * the flow's `fills`), with the analyser meant for that (the rules: cheap, no second LLM call per
 * step). When the awaited question is itself a score, its numbers are blanked for the other score
 * questions, so "3分" to the NPS question is not also a 3 for the repurchase one.
 */
export async function readInPassing(
  analyzer: Analyzer,
  awaiting: Awaiting | null,
  text: string,
  request: { now: Date; timeZone: string },
  context: AnalysisContext,
): Promise<Record<string, Analysis> | undefined> {
  const passing = awaiting?.passing ?? [];
  if (passing.length === 0 || awaiting === null) return undefined;
  const readings = await Promise.all(
    passing.map(async (q) => {
      const blank = SCALE_KINDS.has(awaiting.question) && SCALE_KINDS.has(q.question);
      const analysis = await analyzer.analyze(
        {
          question: q.question,
          text: blank ? text.replace(SCORE_NUMBERS, ' ') : text,
          range: q.range,
          options: q.options,
          multiple: q.multiple,
          catalog: q.readsCatalog ? (awaiting.catalog ?? awaiting.passingCatalog) : undefined,
          ...request,
        },
        context,
      );
      return [q.stepId, analysis] as const;
    }),
  );
  return Object.fromEntries(readings);
}
