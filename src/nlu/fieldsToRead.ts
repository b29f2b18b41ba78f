import type { AnalysisRequest } from '../core/analysis.ts';
import { SCALE_KINDS } from './resolveRange.ts';
import { PURCHASE_KINDS, readsCatalog, type AnalysisField, type RuleReading } from './ruleAnalyzer.ts';

/**
 * The fields that matter for this reply. When the rules settled all of them the LLM is not asked;
 * otherwise the LLM reads the reply and fills the unsettled ones. Shared by the composed analyser
 * and the eval command (which counts the replies that would go to the LLM).
 *
 * @example
 * fieldsToRead({ question: 'nps', … }, reading) // ['intent', 'sentiment', 'topics', 'score']
 */
export function fieldsToRead(request: Pick<AnalysisRequest, 'question' | 'catalog'>, reading: RuleReading): AnalysisField[] {
  const kind = request.question;
  const { intent } = reading.analysis;
  if (reading.settled.has('intent') && intent !== 'answer') {
    // An escalation still needs its sentiment: alerts and the at-risk list rank complaints by it.
    // A settled opt-out or "go back" needs nothing more before the conversation acts.
    return intent === 'escalate' ? ['intent', 'sentiment'] : ['intent'];
  }
  const fields: AnalysisField[] = ['intent', 'sentiment', 'topics'];
  if (readsCatalog(request)) fields.push('products', 'openInterest');
  if (PURCHASE_KINDS.has(kind)) fields.push('factors');
  if (SCALE_KINDS.has(kind)) fields.push('score');
  if (kind === 'timing' || kind === 'repurchase') fields.push('timing');
  if (kind === 'choice') fields.push('choices');
  return fields;
}
