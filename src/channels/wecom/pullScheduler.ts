import type { PullCursorStore } from '../../core/channelState.ts';
import type { Logger } from '../../core/logger.ts';
import type { KfPuller } from './kfPuller.ts';

/** Runs kf pulls in this process as "new data" callbacks arrive. */
export interface PullScheduler {
  /** A callback for `account` was recorded (its notification counted in Redis): pull soon. */
  notify(account: string, token: string | undefined, receivedAt: number): void;
  /** Pulls for every account whose counted notifications no finished pull covers yet. */
  check(): Promise<void>;
  /** Resolves once no pull is running or due in this process. */
  whenIdle(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

interface AccountState {
  running: Promise<void> | null;
  /** A notification came in while pulling: pull again before stopping. */
  again: boolean;
  token?: string;
  receivedAt: number;
  retry?: NodeJS.Timeout;
  failures: number;
}

/**
 * Pulls without a job per callback: the callback's notification is counted in Redis (durable),
 * then this process pulls at once, folding a burst of callbacks into one pull per account at a
 * time (`again` loops until nothing new came in). Nothing depends on the process that got the
 * callback: `check()`, run periodically by every process, pulls for any notification that no
 * finished pull covers (a process that died mid-pull, a pull that failed). Across processes the
 * puller's account lock keeps one pull at a time, and its covered counter skips work done.
 */
export function createPullScheduler(deps: { puller: KfPuller; cursors: PullCursorStore; logger: Logger; retryDelayMs?: number }): PullScheduler {
  const log = deps.logger.child({ module: 'wecom-kf-pull' });
  const accounts = new Map<string, AccountState>();
  const retryDelayMs = deps.retryDelayMs ?? 1_000;
  let stopped = false;

  function stateOf(account: string): AccountState {
    let state = accounts.get(account);
    if (!state) {
      state = { running: null, again: false, receivedAt: Date.now(), failures: 0 };
      accounts.set(account, state);
    }
    return state;
  }

  function notify(account: string, token: string | undefined, receivedAt: number): void {
    const state = stateOf(account);
    if (token) state.token = token;
    if (state.running) {
      state.again = true;
      return;
    }
    state.receivedAt = receivedAt;
    if (!stopped) state.running = run(account, state).finally(() => (state.running = null));
  }

  async function run(account: string, state: AccountState): Promise<void> {
    clearTimeout(state.retry);
    state.retry = undefined;
    do {
      state.again = false;
      try {
        const sequence = await deps.cursors.latestNotification(account);
        if (sequence <= (await deps.cursors.coveredNotification(account))) continue;
        await deps.puller.pull({ ...(account === '*' ? {} : { openKfId: account }), token: state.token ?? '', sequence, receivedAt: state.receivedAt });
        state.failures = 0;
      } catch (error) {
        // WeCom or Redis is failing: try again later (the periodic check would too).
        state.failures++;
        const delay = Math.min(retryDelayMs * 2 ** (state.failures - 1), 30_000);
        log.warn({ account, err: error instanceof Error ? error.message : String(error), retryInMs: delay }, 'kf pull failed; will retry');
        if (!stopped) {
          state.retry = setTimeout(() => {
            state.retry = undefined;
            notify(account, undefined, state.receivedAt);
          }, delay);
        }
        return;
      }
    } while (state.again && !stopped);
  }

  return {
    notify,
    async check() {
      for (const account of await deps.cursors.accounts()) {
        if ((await deps.cursors.latestNotification(account)) > (await deps.cursors.coveredNotification(account))) notify(account, undefined, Date.now());
      }
    },
    async whenIdle(options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 30_000);
      for (;;) {
        const running = [...accounts.values()].flatMap((s) => (s.running ? [s.running] : []));
        const retrying = [...accounts.values()].some((s) => s.retry !== undefined);
        if (!running.length && !retrying) return;
        if (Date.now() > deadline) throw new Error('kf pulls still running');
        // A plain pause when only a retry is pending: racing an empty, resolved Promise.all would
        // spin on microtasks and starve the retry's own timer.
        await Promise.race([...(running.length ? [Promise.all(running)] : []), new Promise((r) => setTimeout(r, 50))]);
      }
    },
    async stop() {
      stopped = true;
      for (const state of accounts.values()) clearTimeout(state.retry);
      await Promise.all([...accounts.values()].map((s) => s.running));
    },
  };
}
