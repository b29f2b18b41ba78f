import type { Logger } from '../core/logger.ts';

/** A task that runs every few seconds in this process until stopped. */
export interface PeriodicTask {
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `everyMs`, never two at once; a failure is logged and the next round tries
 * again. Used for work every process may do safely in parallel (claims are atomic in Redis).
 *
 * @example
 * const timers = startPeriodicTask({ name: 'timers', everyMs: 5_000, run: () => conversation.runDueTimers(), logger });
 * await timers.stop();
 */
export function startPeriodicTask(options: { name: string; everyMs: number; run: () => Promise<unknown>; logger: Logger }): PeriodicTask {
  const log = options.logger.child({ module: 'periodic', task: options.name });
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = options
      .run()
      .then(() => undefined)
      .catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'periodic task failed; next round tries again'))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, options.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
