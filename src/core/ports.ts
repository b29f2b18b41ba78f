import type { ConversationRef, OutboundMessage } from './messages.ts';

/**
 * Ports: what the conversation layer needs from the outside world. `store/` and
 * `channels/` implement them; tests may use the real implementations against real services.
 */

/** Outcome of one send. "blocked" means WeCom will not take it now; never retry those. */
export type SendResult =
  /**
   * `unconfirmed`: a retried part WeCom refused after an attempt whose outcome we never learnt.
   * WeCom refuses a msgid it already took, so it most likely arrived; it is never sent again.
   */
  | { status: 'sent'; messageIds: string[]; unconfirmed?: boolean }
  | { status: 'blocked'; reason: 'budget' | 'window' | 'human' | 'session' | 'rejected'; errcode?: number };

/** WeCom kf session states (service_state). */
export type ServiceState = 0 | 1 | 2 | 3 | 4;

/** What a channel offers the rest of the system; it knows nothing about surveys. */
export interface ChannelPort {
  /**
   * Sends one message (split into parts if too long); respects the channel's send budget.
   * With an `idempotencyKey`, sending the same key again does not deliver it twice (the outbox
   * replays after a crash rely on this).
   */
  send(to: ConversationRef, message: OutboundMessage, options?: { idempotencyKey?: string }): Promise<SendResult>;
  /**
   * Sends one message through a short-lived welcome/event code. With an `idempotencyKey`, a
   * repeat after a crash neither sends twice nor reports a delivered message as refused.
   */
  welcome(code: string, message: OutboundMessage, options?: { idempotencyKey?: string }): Promise<SendResult>;
  /** Moves the session to the queue (2), a person (3) or ends it (4). */
  transfer(to: ConversationRef, target: { state: ServiceState; servicerId?: string }): Promise<{ msgCode?: string }>;
  /** Current session state and servicer. */
  serviceState(to: ConversationRef): Promise<{ state: ServiceState; servicerId?: string }>;
  /** Nickname and entry context, when the channel knows them. */
  customerProfile?(to: ConversationRef): Promise<{ nickname?: string; sceneParam?: string } | null>;
}

/** "Have I seen this id before?" across processes, for a bounded time. */
export interface DedupeStore {
  /** True the first time `key` is offered within `ttlSeconds`, false afterwards. */
  firstSeen(key: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets a key, so a failed handling can be retried. */
  forget(key: string): Promise<void>;
}

/** One thing failed sign-ins are counted under (a client address, a token prefix) and its limit. */
export interface SignInSubject {
  key: string;
  limit: number;
}

/**
 * Failed sign-ins, counted across processes in fixed windows that start at the first failure.
 * Checking costs one round trip and writes nothing, so a right token pays little.
 */
export interface SignInFailures {
  /** Milliseconds until no subject is at its limit any more; 0 when none is. */
  blockedForMs(subjects: readonly SignInSubject[]): Promise<number>;
  /** Counts one failure under each key; answers each key's count in its window. */
  record(keys: readonly string[], windowMs: number): Promise<number[]>;
}

/** A lock shared by all processes. */
export interface LockService {
  /**
   * Runs `fn` while holding `key`. Waits up to `waitMs` for the lock; the lock expires after
   * `ttlMs` if the holder dies, and is renewed while `fn` runs.
   */
  withLock<T>(key: string, fn: () => Promise<T>, options?: { ttlMs?: number; waitMs?: number }): Promise<T>;
}

/**
 * Durable FIFO of inbound work per conversation. The consumer peeks, handles, then acks, so a
 * crash in between replays the item instead of losing it. Conversations with waiting items are
 * indexed by when they last had attention, so work whose job was lost can be found and resumed.
 */
export interface ConversationInbox {
  push(conversationKey: string, item: string): Promise<void>;
  /** The oldest item, without removing it. */
  peek(conversationKey: string): Promise<string | null>;
  /** Removes the oldest item (after it was handled); returns the one now oldest, as `peek` would. */
  ack(conversationKey: string): Promise<string | null>;
  /**
   * Conversations that still have items and had no attention since `before` (their job ran out
   * of retries, or a process died with it), oldest first; each returned one counts as attended now.
   */
  stranded(before: Date, limit: number): Promise<string[]>;
  /** Counts a failed attempt at the item with `itemId` at the head; returns the failures so far. */
  noteFailure(conversationKey: string, itemId: string): Promise<number>;
}

/** Which revisions' outboxes were carried out completely (so a replay can skip them). */
export interface OutboxProgress {
  isDone(sessionId: string, rev: number): Promise<boolean>;
  markDone(sessionId: string, rev: number): Promise<void>;
}

/**
 * Named timers shared by all processes: setting a name again moves it, and each due timer is
 * claimed by one process at a time. A claim is a lease: a timer that is claimed but not
 * `done` (the process died) becomes due again when the lease runs out.
 */
export interface TimerSchedule {
  /** Sets (or moves) each named timer, all in one go. */
  set(timers: Array<{ name: string; dueAt: Date; payload: string }>): Promise<void>;
  cancel(name: string): Promise<void>;
  /** Up to `limit` timers due at `now`, leased for `leaseMs`; `token` identifies the claim. */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<Array<{ name: string; payload: string; token: string }>>;
  /** Removes a claimed timer, unless it was set again since the claim. */
  done(name: string, token: string): Promise<void>;
}

/** An inbound item that could not be handled after several attempts, kept for an admin to look at. */
export interface DeadLetter {
  id: string;
  conversationKey: string;
  /** The inbox item as it was (JSON of the inbound message, or whatever was there). */
  item: string;
  error: { code: string; message: string };
  attempts: number;
  at: Date;
  status: 'open' | 'requeued' | 'dismissed';
}

export interface DeadLetterStore {
  add(letter: Omit<DeadLetter, 'id' | 'status'>): Promise<DeadLetter>;
  list(options: { status?: DeadLetter['status']; limit: number }): Promise<DeadLetter[]>;
  findById(id: string): Promise<DeadLetter | null>;
  setStatus(id: string, status: DeadLetter['status']): Promise<DeadLetter | null>;
}
