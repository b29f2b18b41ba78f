import type { Analyzer } from '../core/analysis.ts';
import type { Logger } from '../core/logger.ts';
import type { ReplyClassifier } from './llm/classifyReply.ts';
import { mergeReadings } from './mergeReadings.ts';
import type { RuleAnalyzer } from './ruleAnalyzer.ts';

/**
 * Creates the LLM analyser: every field comes from the model, except a value that fails its checks
 * (llm/checkReply.ts), which the rules fill; when the model fails (timeout,
 * 429/5xx after one retry, invalid JSON, a schema violation) or the reply tries to instruct the
 * analyser, the rules answer instead and the fields say `source: 'rules'`.
 *
 * @example
 * const analyzer = createLlmAnalyzer({ classifier, rules: createRuleAnalyzer(), logger });
 */
export function createLlmAnalyzer(deps: { classifier: ReplyClassifier; rules: RuleAnalyzer; logger: Logger }): Analyzer {
  const logger = deps.logger.child({ module: 'nlu.llmAnalyzer' });
  return {
    async analyze(request, context = {}) {
      const reading = deps.rules.read(request);
      if (reading.injection) {
        logger.warn({ sessionId: context.sessionId }, 'reply tries to instruct the analyser; using the rules');
        return reading.analysis;
      }
      const outcome = await deps.classifier.classify(request, context);
      if (outcome.status === 'failed') {
        logger.warn({ sessionId: context.sessionId, reason: outcome.reason, detail: outcome.detail, attempts: outcome.attempts }, 'LLM failed; using the rules');
        return reading.analysis;
      }
      // A field whose LLM value failed its checks (no evidence, off the scale…) keeps the rules' reading.
      const fallback: ReadonlySet<string> = outcome.fallback;
      return mergeReadings(reading.analysis, outcome.reply, (f) => fallback.has(f));
    },
  };
}
