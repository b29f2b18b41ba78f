import { z } from 'zod';
import type { SimulatorFaults } from '../../src/simulator/simulatorControl.ts';
import { sleep } from './time.ts';

/**
 * The driver's side of the standalone simulator: customers' actions through the chat-page API,
 * and the control API (message feed, notifications, faults). Every request has a timeout.
 */

const messageSchema = z.object({
  msgid: z.string(),
  direction: z.enum(['in', 'out']),
  origin: z.number(),
  at: z.number(),
  msgtype: z.string(),
  body: z.unknown(),
  customerId: z.string(),
});
export type SimMessage = z.infer<typeof messageSchema>;

const feedSchema = z.object({
  seq: z.number(),
  events: z.array(z.object({ seq: z.number(), customerId: z.string(), message: messageSchema })),
});
const transcriptSchema = z.object({ state: z.number(), servicerId: z.string().optional(), messages: z.array(messageSchema) });
const saidSchema = z.object({ msgid: z.string(), callbackStatus: z.number() });
const enteredSchema = z.object({ welcomeCode: z.string(), callbackStatus: z.number() });
const notificationsSchema = z.object({ robot: z.array(z.unknown()), app: z.array(z.unknown()) });
export type SimStats = Record<string, unknown> & {
  apiFailed: number;
  apiDelayed: number;
  callbacksRelayed: number;
  callbackCopies: number;
  callbacksHeld: number;
  sendCalls: number;
};

export interface SimClient {
  readonly base: string;
  say(customer: string, text: string, options?: { menuId?: string; nickname?: string }): Promise<{ msgid: string; callbackStatus: number }>;
  enter(customer: string, options: { scene?: string; sceneParam?: string; nickname?: string }): Promise<{ welcomeCode: string; callbackStatus: number }>;
  transcript(customer: string): Promise<{ state: number; messages: SimMessage[] }>;
  notifications(): Promise<{ robot: unknown[]; app: unknown[] }>;
  stats(): Promise<SimStats>;
  setFaults(faults: { api?: Partial<SimulatorFaults['api']> & { mode: SimulatorFaults['api']['mode'] }; callbacks?: Partial<SimulatorFaults['callbacks']> }): Promise<void>;
}

export function createSimClient(base: string): SimClient {
  async function call<S extends z.ZodType>(path: string, schema: S, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<z.infer<S>> {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`simulator ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return schema.parse(JSON.parse(text));
  }
  return {
    base,
    say: (customer, text, options = {}) => call('/api/say', saidSchema, { method: 'POST', body: { customer, text, ...options } }),
    enter: (customer, options) => call('/api/enter', enteredSchema, { method: 'POST', body: { customer, ...options } }),
    transcript: (customer) => call(`/api/transcript?customer=${encodeURIComponent(customer)}`, transcriptSchema),
    notifications: () => call('/control/notifications', notificationsSchema),
    stats: async () => (await call('/control/stats', z.record(z.string(), z.unknown()))) as SimStats,
    async setFaults(faults) {
      await call('/control/faults', z.unknown(), { method: 'POST', body: faults });
    },
  };
}

/**
 * A local mirror of every message the simulator saw, kept current by long-polling its feed, so
 * hundreds of customers can wait for their replies without each polling the simulator.
 */
export interface Feed {
  /** What the bot sent this customer so far, in order. */
  outs(customer: string): SimMessage[];
  /** When anything last happened in this customer's chat (ms), or 0. */
  lastActivity(customer: string): number;
  /** Resolves true once the bot sent this customer at least `count` messages, false at `deadline()`. */
  waitForOuts(customer: string, count: number, deadline: () => number): Promise<boolean>;
  stop(): Promise<void>;
}

export function startFeed(base: string): Feed {
  const outs = new Map<string, SimMessage[]>();
  const activity = new Map<string, number>();
  const wakers = new Set<() => void>();
  let after = 0;
  let stopped = false;

  const loop = (async () => {
    // Bounded by `stopped` (set when the suite ends) and by each request's own timeout.
    while (!stopped) {
      try {
        const response = await fetch(`${base}/control/events?after=${after}&waitMs=2000`, { signal: AbortSignal.timeout(8_000) });
        const page = feedSchema.parse(await response.json());
        for (const { seq, customerId, message } of page.events) {
          after = Math.max(after, seq);
          activity.set(customerId, Date.now());
          if (message.direction !== 'out') continue;
          const list = outs.get(customerId) ?? [];
          list.push(message);
          outs.set(customerId, list);
        }
        if (page.events.length) for (const wake of [...wakers]) wake();
      } catch {
        if (!stopped) await sleep(500);
      }
    }
  })();

  return {
    outs: (customer) => [...(outs.get(customer) ?? [])],
    lastActivity: (customer) => activity.get(customer) ?? 0,
    async waitForOuts(customer, count, deadline) {
      for (;;) {
        if ((outs.get(customer)?.length ?? 0) >= count) return true;
        const left = deadline() - Date.now();
        if (left <= 0 || stopped) return false;
        // Woken by the feed, or re-check at least every second (the deadline may move).
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            wakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, 1_000));
          wakers.add(wake);
        });
      }
    },
    async stop() {
      stopped = true;
      for (const wake of [...wakers]) wake();
      await loop;
    },
  };
}
