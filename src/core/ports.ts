import type { ConversationRef, OutboundMessage } from './messages.ts';

/**
 * Ports: what the conversation layer needs from the outside world. `store/` and
 * `channels/` implement them; tests may use the real implementations against real services.
 */

/** Outcome of one send. "blocked" means WeCom will not take it now; never retry those. */
export type SendResult =
  | { status: 'sent'; messageIds: string[] }
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
  /** Sends the one-off welcome through a short-lived welcome/event code. */
  welcome(code: string, message: OutboundMessage): Promise<SendResult>;
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
 * crash in between replays the item instead of losing it.
 */
export interface ConversationInbox {
  push(conversationKey: string, item: string): Promise<void>;
  /** The oldest item, without removing it. */
  peek(conversationKey: string): Promise<string | null>;
  /** Removes the oldest item (after it was handled). */
  ack(conversationKey: string): Promise<void>;
}
