import type { Analyzer } from '../core/analysis.ts';
import type { Logger } from '../core/logger.ts';
import type { ReplyClassifier } from './llm/classifyReply.ts';
import { fieldsToRead } from './fieldsToRead.ts';
import { mergeReadings } from './mergeReadings.ts';
import type { RuleAnalyzer } from './ruleAnalyzer.ts';

/**
 * Creates the composed analyser: the rules answer first, and where they are certain of every field
 * that matters (a bare number, an exact keyword, a whole-reply date) the LLM is not called. Otherwise
 * the LLM reads the reply and fills the fields the rules were not sure of, each value only when it
 * passes its checks (evidence in the reply, on the scale, in its window: see llm/checkReply.ts);
 * when the LLM fails, or the reply tries to instruct the analyser, the rules' reading stands for
 * every field. `source` records who filled each field.
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
      // Settled rule fields win; a field whose LLM value failed its checks keeps the rules' reading.
      const fallback: ReadonlySet<string> = outcome.fallback;
      return mergeReadings(reading.analysis, outcome.reply, (f) => reading.settled.has(f) || fallback.has(f));
    },
  };
}
