/** Tokens one LLM call spent, reported by the analyser. */
export interface LlmUsage {
  sessionId?: string;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Collects LLM token usage per session between turns, so each turn adds what it spent to the
 * session record. Calls without a session id are counted in `unattributed` only.
 */
export function createLlmUsageTracker() {
  const pending = new Map<string, { promptTokens: number; completionTokens: number; calls: number }>();
  let unattributed = { promptTokens: 0, completionTokens: 0, calls: 0 };
  return {
    record(usage: LlmUsage): void {
      const bucket = usage.sessionId ? (pending.get(usage.sessionId) ?? { promptTokens: 0, completionTokens: 0, calls: 0 }) : unattributed;
      bucket.promptTokens += usage.promptTokens;
      bucket.completionTokens += usage.completionTokens;
      bucket.calls += 1;
      if (usage.sessionId) pending.set(usage.sessionId, bucket);
      else unattributed = bucket;
    },
    take(sessionId: string) {
      const usage = pending.get(sessionId);
      pending.delete(sessionId);
      return usage;
    },
    unattributed: () => ({ ...unattributed }),
  };
}
