import type { Analysis } from '../core/analysis.ts';
import type { LlmReply } from './llm/replyPrompt.ts';
import { ANALYSIS_FIELDS, type AnalysisField } from './ruleAnalyzer.ts';

/**
 * One Analysis from the rules' reading and the LLM's checked answer: each field from the rules
 * where `fromRules(field)` says so, else from the LLM; `source` records which.
 *
 * @example
 * mergeReadings(reading.analysis, outcome.reply, (f) => reading.settled.has(f) || outcome.fallback.has(f))
 */
export function mergeReadings(rules: Analysis, llm: LlmReply, fromRules: (field: AnalysisField) => boolean): Analysis {
  const merged: Record<string, unknown> = {};
  const source: Analysis['source'] = {};
  for (const field of ANALYSIS_FIELDS) {
    const useRules = fromRules(field);
    merged[field] = useRules ? rules[field] : llm[field];
    source[field] = useRules ? 'rules' : 'llm';
  }
  return { ...(merged as Omit<Analysis, 'source'>), source };
}
