import type { Logger } from '../core/logger.ts';
import type { StoreFileRewriter } from '../core/privacy.ts';

/** At most one rewrite per this long: a batch of erasures costs one rewrite, not one per customer. */
const DEFAULT_MIN_INTERVAL_MS = 60_000;
/** Failed rewrites in a row before giving up until the next request (a managed Redis may refuse the command for good). */
const MAX_FAILURES = 5;

/**
 * Erased data must also leave the stores' files: Redis keeps every command it ever ran in its
 * append-only file until the file is rewritten. `request()` after an erasure (or a retention
 * sweep) asks for a rewrite: at once when none ran in the last minute, else one at the end of
 * that minute for everything requested meanwhile. A failed rewrite (one already running, which
 * may predate the erasure) is tried again a minute later, up to 5 times in a row; then the next
 * request starts over. Timers are unref'd; `stop()` clears them.
 *
 * @example
 * const scrub = createDiskScrub({ rewriter: createRedisFileRewriter(redis, logger), logger });
 * await data.erase(id, actor); scrub.request();
 */
export function createDiskScrub(deps: { rewriter: StoreFileRewriter; logger: Logger; minIntervalMs?: number; now?: () => number }) {
  const minInterval = deps.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  const clock = deps.now ?? Date.now;
  const log = deps.logger.child({ module: 'disk-scrub' });
  let lastRun = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;

  async function run(): Promise<void> {
    timer = undefined;
    lastRun = clock();
    try {
      await deps.rewriter.rewrite();
      failures = 0;
      log.info('stores asked to rewrite their files after an erasure');
    } catch (error) {
      failures += 1;
      if (failures >= MAX_FAILURES) {
        failures = 0;
        log.error({ err: error }, `store file rewrite failed ${MAX_FAILURES} times; erased data may stay in the stores' files until the next erasure`);
        return;
      }
      log.warn({ err: error }, 'store file rewrite failed; trying again in a minute');
      schedule();
    }
  }

  function schedule(): void {
    if (timer || stopped) return;
    const wait = Math.max(0, lastRun + minInterval - clock());
    timer = setTimeout(() => void run(), wait);
    timer.unref();
  }

  return {
    /** Asks for a rewrite soon; repeated requests within a minute fold into one. */
    request(): void {
      schedule();
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type DiskScrub = ReturnType<typeof createDiskScrub>;
