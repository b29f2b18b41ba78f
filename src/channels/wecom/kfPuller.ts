import type { ChannelStateStore } from '../../core/channelState.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { conversationKey, type InboundMessage } from '../../core/messages.ts';
import type { LockService } from '../../core/ports.ts';
import type { KfClient } from './kfClient.ts';
import { convertKfItem } from './kfMessages.ts';
import { WecomApiError } from './wecomErrors.ts';

/** sync_msg: the callback's token expired (it lives 10 minutes). */
const SYNC_TOKEN_INVALID = 95007;

/** One "new kf data" notification, as queued by the callback route. */
export interface KfPullJob {
  /** Account with new data; absent in old-style callbacks (then all accounts share one cursor). */
  openKfId?: string;
  /** The callback's `Token`: lifts sync_msg's strict rate limit for 10 minutes. */
  token: string;
  /** From `PullCursorStore.noteNotification`; lets later jobs skip work an earlier pull covered. */
  sequence: number;
  /** When the callback arrived (ms). On the first pull, older messages count as history. */
  receivedAt: number;
}

/** What one pull did, for logs and tests. */
export interface PullSummary {
  skipped: boolean;
  pages: number;
  handedOn: number;
  duplicates: number;
  history: number;
  ignored: number;
}

export interface KfPullerDeps {
  client: KfClient;
  state: ChannelStateStore;
  locks: LockService;
  logger: Logger;
  onInbound: (message: InboundMessage) => Promise<void>;
  /** Send allowance per customer message (WeCom: 5 within 48 h). */
  budget: { limit: number; windowSeconds: number };
  /** On the very first pull, messages older than the callback minus this are history (default 300 s). */
  historyGraceSeconds?: number;
  /** How long handed-on ids are remembered (default 4 days: longer than sync_msg's 3-day replay). */
  handledTtlSeconds?: number;
  /** Items per sync_msg page (default and WeCom maximum 1000). */
  pageSize?: number;
  /** Stop after this many pages in one pull and leave the rest to the next (default 500). */
  maxPages?: number;
  /** Give up waiting for another process's pull after this long; the job then retries (default 120 s). */
  lockWaitMs?: number;
}

/** Pulls kf messages for one account at a time across processes and hands each on exactly once. */
export interface KfPuller {
  pull(job: KfPullJob): Promise<PullSummary>;
}

/**
 * Creates the kf puller. Per account (open_kfid) it holds a shared lock, reads the stored
 * cursor, pages through `sync_msg` while `has_more`, hands every new item to `onInbound` in
 * order, and saves the cursor only after a whole page was handed on, so a crash re-reads
 * (and the ledger drops what was already handed on) instead of losing messages. Callbacks are
 * numbered; a job whose number a finished pull already covers returns at once, so a burst of
 * callbacks costs a few pulls, not one each.
 *
 * @example
 * const puller = createKfPuller({ client, state, locks, logger, onInbound, budget: { limit: 5, windowSeconds: 172800 } });
 * await puller.pull({ openKfId, token, sequence, receivedAt: Date.now() });
 */
export function createKfPuller(deps: KfPullerDeps): KfPuller {
  const log = deps.logger.child({ module: 'wecom-kf-pull' });
  const graceSeconds = deps.historyGraceSeconds ?? 300;
  const handledTtl = deps.handledTtlSeconds ?? 4 * 24 * 3600;
  const maxPages = deps.maxPages ?? 500;
  const lockWaitMs = deps.lockWaitMs ?? 120_000;
  const pageSize = deps.pageSize ?? 1000;
  const { cursors, ledger, budget } = deps.state;

  async function handOnPage(items: unknown[], history: { before: number } | null, summary: PullSummary): Promise<void> {
    const outcomes = items.map((raw) => convertKfItem(raw));
    const ids = outcomes.flatMap((o) => (o.kind === 'message' ? [ledgerId(o.message.id)] : []));
    const done = await ledger.handled(ids);
    for (const outcome of outcomes) {
      if (outcome.kind === 'skip') {
        summary.ignored++;
        const level = outcome.reason.startsWith('malformed') ? 'warn' : 'debug';
        log[level]({ msgId: outcome.msgId, reason: outcome.reason }, 'kf item not handed on');
        continue;
      }
      const message = outcome.message;
      const id = ledgerId(message.id);
      if (done.has(id)) {
        summary.duplicates++;
        continue;
      }
      const conversation = conversationKey(message.conversation);
      const sentAtSeconds = Math.floor(message.sentAt.getTime() / 1000);
      // The allowance follows the customer's messages, history included (WeCom counts them too).
      if (outcome.fromCustomer) await budget.reopen(conversation, sentAtSeconds, deps.budget.windowSeconds);
      if (history && sentAtSeconds < history.before) {
        summary.history++;
        continue;
      }
      if (outcome.sendFailed) await budget.exhaust(conversation, deps.budget.limit, deps.budget.windowSeconds);
      await deps.onInbound(message);
      await ledger.markHandled(id, handledTtl);
      done.add(id);
      summary.handedOn++;
    }
  }

  async function pullLocked(job: KfPullJob, account: string): Promise<PullSummary> {
    const summary: PullSummary = { skipped: false, pages: 0, handedOn: 0, duplicates: 0, history: 0, ignored: 0 };
    // A pull that started after this callback arrived already saw its messages.
    if (job.sequence <= (await cursors.coveredNotification(account))) return { ...summary, skipped: true };
    const latest = await cursors.latestNotification(account);
    let cursor = await cursors.getCursor(account);
    const history = cursor === null ? { before: Math.floor(job.receivedAt / 1000) - graceSeconds } : null;
    let token: string | undefined = job.token;
    for (;;) {
      let page;
      try {
        page = await deps.client.syncMessages({ cursor: cursor ?? undefined, token, openKfId: job.openKfId, limit: pageSize });
      } catch (error) {
        if (error instanceof WecomApiError && error.errcode === SYNC_TOKEN_INVALID && token) {
          // The callback token expired while queued; pull without it (rate-limited but valid).
          log.info({ account }, 'sync token expired; pulling without it');
          token = undefined;
          continue;
        }
        throw error;
      }
      summary.pages++;
      await handOnPage(page.items, history, summary);
      if (page.nextCursor && page.nextCursor !== cursor) {
        await cursors.saveCursor(account, page.nextCursor);
        cursor = page.nextCursor;
      }
      // An empty page may still say has_more, so only has_more ends the loop.
      if (!page.hasMore) break;
      if (summary.pages >= maxPages) {
        log.warn({ account, pages: summary.pages }, 'pull stopped at the page limit; the next callback continues');
        return summary;
      }
    }
    await cursors.markCovered(account, latest);
    if (history && summary.history > 0) log.info({ account, drained: summary.history }, 'first pull: drained history without handing it on');
    log.debug({ account, ...summary }, 'kf pull done');
    return summary;
  }

  return {
    async pull(job) {
      const account = job.openKfId ?? '*';
      const deadline = Date.now() + lockWaitMs;
      for (;;) {
        // Cheap check first: while another process pulls, callbacks it covers need no pull of their own.
        if (job.sequence <= (await cursors.coveredNotification(account))) {
          return { skipped: true, pages: 0, handedOn: 0, duplicates: 0, history: 0, ignored: 0 };
        }
        try {
          return await deps.locks.withLock(`wecom-kf-sync:${account}`, () => pullLocked(job, account), { ttlMs: 30_000, waitMs: 500 });
        } catch (error) {
          const lockBusy = error instanceof AppError && error.code === 'LOCK_TIMEOUT';
          if (!lockBusy || Date.now() > deadline) throw error;
        }
      }
    },
  };
}

/** Ledger ids are namespaced so kf msgids and app MsgIds never collide. */
function ledgerId(messageId: string): string {
  return `kf:${messageId}`;
}
