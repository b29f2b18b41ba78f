import type { Logger } from '../core/logger.ts';

/** Runs conversations' turns in this process as their messages arrive. */
export interface TurnDispatcher {
  /** The conversation has waiting messages: drain it soon (at most one drain per conversation here). */
  kick(conversationKey: string): void;
  /** Resolves once nothing is running or waiting here. */
  whenIdle(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Drains conversations in the process that accepted their messages, without a queued job per
 * message (a job costs dozens of Redis commands). Up to `concurrency` conversations at a time; a
 * conversation kicked while it drains is drained again afterwards, so nothing pushed late is
 * left behind. A drain that fails (an outage) is handed to the durable turn queue, which retries
 * it with backoff; if this process dies, the stranded-inbox sweep queues what it left.
 */
export function createTurnDispatcher(deps: {
  drain: (conversationKey: string) => Promise<void>;
  turns: { add(data: { conversationKey: string }): Promise<void> };
  concurrency: number;
  logger: Logger;
}): TurnDispatcher {
  const log = deps.logger.child({ module: 'turn-dispatch' });
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const waiting = new Set<string>();
  let stopped = false;

  function kick(key: string): void {
    if (stopped) return;
    if (running.has(key)) again.add(key);
    else if (running.size < deps.concurrency) start(key);
    else waiting.add(key);
  }

  function start(key: string): void {
    const run = deps
      .drain(key)
      .catch(async (error: unknown) => {
        log.warn({ conversationKey: key, err: error instanceof Error ? error.message : String(error) }, 'turn failed; handing it to the retry queue');
        await deps.turns.add({ conversationKey: key }).catch((e: unknown) => log.error({ conversationKey: key, err: e }, 'could not queue the retry; the stranded sweep will'));
      })
      .finally(() => {
        running.delete(key);
        if (again.delete(key)) return kick(key);
        const next = waiting.values().next();
        if (!next.done) {
          waiting.delete(next.value);
          kick(next.value);
        }
      });
    running.set(key, run);
  }

  return {
    kick,
    async whenIdle(options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 30_000);
      while (running.size || waiting.size) {
        if (Date.now() > deadline) throw new Error(`${running.size + waiting.size} conversations still being handled`);
        await Promise.race([...(running.size ? [Promise.all(running.values())] : []), new Promise((r) => setTimeout(r, 50))]);
      }
    },
    async stop() {
      stopped = true;
      waiting.clear();
      await Promise.all(running.values());
    },
  };
}
