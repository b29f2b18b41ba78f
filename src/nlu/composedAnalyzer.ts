import type { Analysis, Analyzer } from '../core/analysis.ts';
import type { Logger } from '../core/logger.ts';
import type { ReplyClassifier } from './llm/classifyReply.ts';
import { fieldsToRead } from './fieldsToRead.ts';
import { ANALYSIS_FIELDS, type RuleAnalyzer } from './ruleAnalyzer.ts';

/**
 * Creates the composed analyser: the rules answer first, and where they are certain of every field
 * that matters (a bare number, an exact keyword, a whole-reply date) the LLM is not called. Otherwise
 * the LLM reads the reply and fills the fields the rules were not sure of; when it fails, or the reply
 * tries to instruct the analyser, the rules' reading stands. `source` records who filled each field.
 *
 * @example
 * const analyzer = createComposedAnalyzer({ rules: createRuleAnalyzer(), classifier, logger });
 * const analysis = await analyzer.analyze(request, { sessionId });
 */
export function createComposedAnalyzer(deps: { rules: RuleAnalyzer; classifier: ReplyClassifier; logger: Logger }): Analyzer {
  const logger = deps.logger.child({ module: 'nlu.composedAnalyzer' });
  return {
    async analyze(request, context = {}) {
      const reading = deps.rules.read(request);
      if (reading.injection) {
        logger.warn({ sessionId: context.sessionId }, 'reply tries to instruct the analyser; using the rules only');
        return reading.analysis;
      }
      if (fieldsToRead(request, reading).every((f) => reading.settled.has(f))) return reading.analysis;

      const outcome = await deps.classifier.classify(request, context);
      if (outcome.status === 'failed') {
        logger.warn({ sessionId: context.sessionId, reason: outcome.reason, detail: outcome.detail, attempts: outcome.attempts }, 'LLM failed; using the rules');
        return reading.analysis;
      }
      const merged: Record<string, unknown> = {};
      const source: Analysis['source'] = {};
      for (const field of ANALYSIS_FIELDS) {
        const fromRules = reading.settled.has(field);
        merged[field] = fromRules ? reading.analysis[field] : outcome.reply[field];
        source[field] = fromRules ? 'rules' : 'llm';
      }
      return { ...(merged as Omit<Analysis, 'source'>), source };
    },
  };
}
