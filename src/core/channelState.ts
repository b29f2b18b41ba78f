/**
 * Small state ports a chat channel needs across processes (token cache, pull cursors, send
 * budgets, a ledger of handed-on messages). `store/` implements them on Redis; `channels/`
 * depend only on these interfaces.
 */

/** Which credential a cached access token belongs to (tokens are per corp and per secret). */
export interface TokenScope {
  corpId: string;
  /** A hash of the secret, never the secret itself. */
  secretHash: string;
}

/** A freshly fetched access token. */
export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

/** Access tokens shared by all processes, refreshed by one caller at a time. */
export interface AccessTokenCache {
  /**
   * Returns the cached token for `scope`, or runs `fetchToken` (one caller across all processes;
   * the others wait and reuse its result) and caches it until shortly before expiry. Pass
   * `rejected` with a token the API refused, so it is replaced unless someone already did.
   */
  get(scope: TokenScope, fetchToken: () => Promise<FetchedToken>, options?: { rejected?: string }): Promise<string>;
}

/** Pull position and callback bookkeeping for one pull-based account (e.g. a kf open_kfid). */
export interface PullCursorStore {
  /** The saved cursor, or null before the first successful pull. */
  getCursor(account: string): Promise<string | null>;
  /** Saves the cursor; call only after the page before it was durably handed on. */
  saveCursor(account: string, cursor: string): Promise<void>;
  /** Records that a "new data" notification arrived; returns its sequence number. */
  noteNotification(account: string): Promise<number>;
  /** The latest notification sequence number (0 when none). */
  latestNotification(account: string): Promise<number>;
  /** Highest notification sequence a completed pull is known to cover (0 when none). */
  coveredNotification(account: string): Promise<number>;
  /** Raises the covered sequence to `sequence` (never lowers it). */
  markCovered(account: string, sequence: number): Promise<void>;
}

/**
 * Per-conversation send allowance in a window opened by the customer's last message (WeCom kf:
 * 5 messages within 48 h). All operations are atomic across processes.
 */
export interface SendBudget {
  /**
   * The customer wrote at `customerMessageAt` (unix seconds): reopen the allowance, unless a
   * later customer message already did (so re-reading older messages changes nothing).
   */
  reopen(conversation: string, customerMessageAt: number, windowSeconds: number): Promise<void>;
  /** Takes `count` sends all-or-nothing; false when fewer than `count` remain of `limit`. */
  take(conversation: string, count: number, limit: number, windowSeconds: number): Promise<boolean>;
  /** Gives back sends that were taken but certainly not delivered. */
  refund(conversation: string, count: number): Promise<void>;
  /** Uses up the allowance (the channel said "no more") until the customer writes again. */
  exhaust(conversation: string, limit: number, windowSeconds: number): Promise<void>;
  /** Sends used in the current window. */
  used(conversation: string): Promise<number>;
}

/** Which inbound message ids were already handed on. */
export interface HandledLedger {
  /** The subset of `ids` already handed on. */
  handled(ids: string[]): Promise<Set<string>>;
  /** Records that `id` was handed on; remembered for `ttlSeconds`. */
  markHandled(id: string, ttlSeconds: number): Promise<void>;
  /** Forgets `id` (an attempt whose outcome became known). */
  forget(id: string): Promise<void>;
}

/** Signed callbacks accepted recently, so a replay inside the timestamp window is refused. */
export interface CallbackNonces {
  /** Whether a callback with this timestamp and nonce was accepted and is still remembered. */
  seen(timestamp: string, nonce: string): Promise<boolean>;
  /** Remembers an accepted callback's timestamp and nonce for `ttlSeconds`. */
  remember(timestamp: string, nonce: string, ttlSeconds: number): Promise<void>;
}

/** Everything a pull-based chat channel keeps in shared state. */
export interface ChannelStateStore {
  tokens: AccessTokenCache;
  cursors: PullCursorStore;
  budget: SendBudget;
  ledger: HandledLedger;
  nonces: CallbackNonces;
}
