import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { AnalysisContext, AnalysisRequest } from '../../core/analysis.ts';
import type { Logger } from '../../core/logger.ts';
import { maskPii } from '../../core/maskPii.ts';
import { resolveRange } from '../resolveRange.ts';
import { formatIsoDate, todayIn, weekdayOf } from '../../core/calendar.ts';
import { checkReply, replyTexts, type CheckedField, type DroppedValue } from './checkReply.ts';
import {
  buildReplyMessages,
  llmReplySchema,
  PROMPT_VERSION,
  REPLY_SCHEMA_NAME,
  replyJsonSchemaFor,
  type LlmReply,
} from './replyPrompt.ts';

/** Tokens one LLM call used, reported per session so costs can be attributed. */
export interface LlmUsage {
  sessionId?: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Why a reply could not be read by the LLM; the caller falls back to the rules. */
export type LlmFailureReason =
  | 'timeout'
  | 'rate_limited'
  | 'server_error'
  | 'network'
  | 'rejected'
  | 'invalid_json'
  | 'schema_violation'
  | 'empty';

export type ClassifyOutcome =
  | {
      status: 'ok';
      reply: LlmReply;
      attempts: number;
      mode: OutputMode;
      /** Values refused because the request or the reply's words do not support them (logged). */
      dropped: DroppedValue[];
      /** Fields to take from the rules instead: their LLM value was refused as a whole. */
      fallback: ReadonlySet<CheckedField>;
    }
  | { status: 'failed'; reason: LlmFailureReason; attempts: number; detail: string };

/** How the model is asked for JSON: a json_schema response format, or a forced tool call. */
export type OutputMode = 'json_schema' | 'tool';

export interface ReplyClassifier {
  readonly model: string;
  /** Asks the model to read one reply; never throws for an expected failure. */
  classify(request: AnalysisRequest, context?: AnalysisContext): Promise<ClassifyOutcome>;
}

export interface ReplyClassifierOptions {
  apiKey: string;
  /** OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1; the SDK default when absent. */
  baseUrl?: string;
  model: string;
  /**
   * One deadline for reading a reply, all attempts together (the turn waits on it; then the rules
   * answer). A retry is made only while there is time left.
   */
  timeoutMs: number;
  logger: Logger;
  onUsage?: (usage: LlmUsage) => void;
  /** Pause before the single retry after a 429, 5xx, timeout or network error. */
  retryDelayMs?: number;
  /** Longest Retry-After we honour before giving up on the retry's timing and using our own. */
  maxRetryAfterMs?: number;
}

const TOOL_NAME = 'record_reply_analysis';
/** A retry gets at least this long to answer, or it is not made. */
const MIN_ATTEMPT_MS = 500;

type CallResult =
  | { kind: 'raw'; raw: string | null }
  | { kind: 'unsupported'; detail: string }
  | { kind: 'error'; reason: LlmFailureReason; retryable: boolean; retryAfterMs: number | null; detail: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfter(headers: Headers | undefined): number | null {
  const value = headers?.get('retry-after-ms') ?? null;
  if (value !== null && Number.isFinite(Number(value))) return Number(value);
  const seconds = headers?.get('retry-after');
  return seconds && Number.isFinite(Number(seconds)) ? Number(seconds) * 1000 : null;
}

function classifyError(err: unknown, mode: OutputMode): CallResult {
  if (err instanceof APIConnectionTimeoutError) return { kind: 'error', reason: 'timeout', retryable: true, retryAfterMs: null, detail: 'request timed out' };
  if (err instanceof APIConnectionError) return { kind: 'error', reason: 'network', retryable: true, retryAfterMs: null, detail: err.message };
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    if (status === 429) return { kind: 'error', reason: 'rate_limited', retryable: true, retryAfterMs: retryAfter(err.headers), detail: err.message };
    if (status >= 500) return { kind: 'error', reason: 'server_error', retryable: true, retryAfterMs: null, detail: `HTTP ${status}` };
    // Endpoints without structured output answer 400 naming response_format or json_schema.
    if (status === 400 && mode === 'json_schema' && /response_format|json_schema|structured/i.test(err.message)) {
      return { kind: 'unsupported', detail: err.message };
    }
    return { kind: 'error', reason: 'rejected', retryable: false, retryAfterMs: null, detail: `HTTP ${status}` };
  }
  return { kind: 'error', reason: 'network', retryable: true, retryAfterMs: null, detail: err instanceof Error ? err.message : String(err) };
}

/**
 * Creates the LLM reply reader over any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, vLLM).
 * It asks for structured output with a strict JSON schema; when the endpoint rejects
 * response_format it switches, for the rest of the process, to a forced tool call. Replies are
 * validated with zod, then each value against the question and the reply's words (`checkReply`:
 * a value without evidence, off the scale, out of its window or not in the catalogue is dropped,
 * field by field). A 429, 5xx, timeout or network error is retried once while the reply's one
 * deadline (`timeoutMs`) leaves time; invalid JSON or a schema violation is not. Token usage goes
 * to `onUsage`.
 *
 * @example
 * const classifier = createReplyClassifier({ apiKey, baseUrl, model: 'deepseek-chat', timeoutMs: 3_000, logger });
 * const outcome = await classifier.classify(request, { sessionId });
 * if (outcome.status === 'failed') useRules();
 */
export function createReplyClassifier(options: ReplyClassifierOptions): ReplyClassifier {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: 0 });
  const logger = options.logger.child({ module: 'nlu.llm', model: options.model });
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 2_000;
  let mode: OutputMode = 'json_schema';

  async function callOnce(
    messages: ReturnType<typeof buildReplyMessages>,
    schema: Record<string, unknown>,
    sessionId: string | undefined,
    timeoutMs: number,
  ): Promise<CallResult> {
    const base = { model: options.model, temperature: 0, messages };
    const body: ChatCompletionCreateParamsNonStreaming =
      mode === 'json_schema'
        ? { ...base, response_format: { type: 'json_schema', json_schema: { name: REPLY_SCHEMA_NAME, strict: true, schema } } }
        : {
            ...base,
            tools: [{ type: 'function', function: { name: TOOL_NAME, description: 'Record the analysis of the reply.', parameters: schema, strict: true } }],
            tool_choice: { type: 'function', function: { name: TOOL_NAME } },
          };
    let completion: ChatCompletion;
    try {
      completion = await client.chat.completions.create(body, { timeout: timeoutMs });
    } catch (err) {
      return classifyError(err, mode);
    }
    if (completion.usage) {
      options.onUsage?.({
        sessionId,
        model: completion.model || options.model,
        promptTokens: completion.usage.prompt_tokens,
        completionTokens: completion.usage.completion_tokens,
        totalTokens: completion.usage.total_tokens,
      });
    }
    const message = completion.choices[0]?.message;
    const call = message?.tool_calls?.find((c) => c.type === 'function');
    return { kind: 'raw', raw: call?.type === 'function' ? call.function.arguments : (message?.content ?? null) };
  }

  return {
    model: options.model,
    async classify(request, context = {}) {
      const today = todayIn(request.now, request.timeZone);
      // The endpoint is a third party: it reads personal numbers masked unless the flow allows them.
      const sent = context.llmFullText ? request : { ...request, text: maskPii(request.text) };
      const messages = buildReplyMessages(sent, resolveRange(request), formatIsoDate(today), weekdayOf(today));
      const schema = replyJsonSchemaFor(request);
      const log = logger.child({ sessionId: context.sessionId, promptVersion: PROMPT_VERSION });
      let attempts = 0;
      let retried = false;
      let switched = false;
      const deadline = Date.now() + options.timeoutMs;
      for (;;) {
        attempts++;
        const result = await callOnce(messages, schema, context.sessionId, Math.max(1, deadline - Date.now()));
        if (result.kind === 'unsupported' && !switched) {
          switched = true;
          mode = 'tool';
          log.info({ detail: result.detail }, 'endpoint rejects json_schema response_format; using a forced tool call from now on');
          continue;
        }
        if (result.kind === 'unsupported') return { status: 'failed', reason: 'rejected', attempts, detail: result.detail };
        if (result.kind === 'error') {
          const wait = result.retryAfterMs !== null && result.retryAfterMs <= maxRetryAfterMs ? result.retryAfterMs : retryDelayMs;
          // A retry that could not finish before the deadline only delays the rules' answer.
          if (result.retryable && !retried && deadline - Date.now() - wait > MIN_ATTEMPT_MS) {
            retried = true;
            log.warn({ reason: result.reason, detail: result.detail, waitMs: wait }, 'LLM call failed; retrying once');
            await sleep(wait);
            continue;
          }
          return { status: 'failed', reason: result.reason, attempts, detail: result.detail };
        }
        if (result.raw === null || result.raw.trim() === '') return { status: 'failed', reason: 'empty', attempts, detail: 'no content' };
        let json: unknown;
        try {
          // Some endpoints wrap JSON in a ```json fence even in JSON mode.
          json = JSON.parse(result.raw.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
        } catch {
          return { status: 'failed', reason: 'invalid_json', attempts, detail: `not JSON (${result.raw.length} chars)` };
        }
        const parsed = llmReplySchema.safeParse(json);
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
          return { status: 'failed', reason: 'schema_violation', attempts, detail: issues };
        }
        const checked = checkReply(parsed.data, request, replyTexts(request.text, sent.text));
        for (const drop of checked.dropped) log.info({ field: drop.field, why: drop.reason }, 'LLM value dropped; the rules read this field');
        return { status: 'ok', reply: checked.reply, attempts, mode, dropped: checked.dropped, fallback: checked.fallback };
      }
    },
  };
}
