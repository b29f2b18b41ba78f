import type { Analyzer } from '../core/analysis.ts';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Config } from '../config.ts';
import { createComposedAnalyzer } from './composedAnalyzer.ts';
import { createReplyClassifier, type LlmUsage } from './llm/classifyReply.ts';
import { createLlmAnalyzer } from './llmAnalyzer.ts';
import { createRuleAnalyzer } from './ruleAnalyzer.ts';

/** Which analyser to build: `auto` is composed when an LLM is configured, else rules only. */
export type AnalyzerMode = 'auto' | 'rules' | 'llm' | 'composed';

/** An Analyzer that also says which kind it is, for start-up logs. */
export type ConfiguredAnalyzer = Analyzer & { readonly mode: Exclude<AnalyzerMode, 'auto'> };

/**
 * Builds the analyser the conversation layer calls, from configuration: rules only when
 * `config.llm` is unset (no OPENAI_API_KEY), otherwise rules and LLM composed. `mode` forces one
 * kind (the batch command uses it); asking for an LLM mode without an LLM throws ConfigError.
 *
 * @example
 * const analyzer = createAnalyzer({ config: loadConfig(), logger, onUsage: (u) => usage.record(u) });
 * logger.info({ analyser: analyzer.mode }, 'answer analyser ready');
 * const analysis = await analyzer.analyze(request, { sessionId });
 */
export function createAnalyzer(options: {
  config: Pick<Config, 'llm'>;
  logger: Logger;
  onUsage?: (usage: LlmUsage) => void;
  mode?: AnalyzerMode;
  /** Pause before the LLM's single retry; tests shorten it. */
  retryDelayMs?: number;
}): ConfiguredAnalyzer {
  const rules = createRuleAnalyzer();
  const mode = options.mode ?? 'auto';
  const llm = options.config.llm;
  if (mode === 'rules' || (mode === 'auto' && !llm)) return { mode: 'rules', analyze: rules.analyze };
  if (!llm) throw new ConfigError(`The ${mode} analyser needs an LLM: set OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL)`);
  const classifier = createReplyClassifier({
    apiKey: llm.apiKey,
    baseUrl: llm.baseUrl,
    model: llm.model,
    timeoutMs: llm.timeoutMs,
    logger: options.logger,
    onUsage: options.onUsage,
    retryDelayMs: options.retryDelayMs,
  });
  if (mode === 'llm') return { mode: 'llm', analyze: createLlmAnalyzer({ classifier, rules, logger: options.logger }).analyze };
  return { mode: 'composed', analyze: createComposedAnalyzer({ rules, classifier, logger: options.logger }).analyze };
}
