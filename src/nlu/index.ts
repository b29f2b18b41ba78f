/**
 * Answer understanding: reads a customer's free-text reply into a typed Analysis. The conversation
 * layer needs only `createAnalyzer`; the rest is exported for tests, tools and other wiring.
 */
export { createAnalyzer, type AnalyzerMode, type ConfiguredAnalyzer } from './createAnalyzer.ts';
export { createRuleAnalyzer, type RuleAnalyzer, type RuleReading, type ReadingDoubt, type AnalysisField } from './ruleAnalyzer.ts';
export { fieldsToRead } from './fieldsToRead.ts';
export { createLlmAnalyzer } from './llmAnalyzer.ts';
export { createComposedAnalyzer } from './composedAnalyzer.ts';
export {
  createReplyClassifier,
  type ReplyClassifier,
  type ReplyClassifierOptions,
  type ClassifyOutcome,
  type LlmFailureReason,
  type LlmUsage,
} from './llm/classifyReply.ts';
export { resolveRange } from './resolveRange.ts';
