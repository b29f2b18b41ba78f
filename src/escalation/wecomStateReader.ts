import type { EscalationRecord } from '../core/escalations.ts';
import type { Logger } from '../core/logger.ts';
import type { ChannelPort, ServiceState } from '../core/ports.ts';

export type WecomSessionState = { state: ServiceState; servicerId?: string };

export interface WecomStateReader {
  /** For display: may be up to 10 s old (consoles poll every few seconds). Null when WeCom cannot be read. */
  shown(e: EscalationRecord): Promise<WecomSessionState | null>;
  /** For an action: always asks WeCom, and drops the cached display state. */
  live(e: EscalationRecord): Promise<WecomSessionState | null>;
  /** A WeCom event or our own transfer changed the state: the cached one is stale. */
  forget(escalationId: string): void;
}

const SHOWN_STATE_MS = 10_000;

/** Reads the WeCom session state of an escalation's chat, caching what consoles display. */
export function createWecomStateReader(channel: Pick<ChannelPort, 'serviceState'>, log: Logger): WecomStateReader {
  const shownStates = new Map<string, { at: number; value: WecomSessionState }>();

  async function live(e: EscalationRecord): Promise<WecomSessionState | null> {
    // Whoever asks WeCom directly is about to change things: the cached display state is stale now.
    shownStates.delete(e.id);
    try {
      return await channel.serviceState(e.conversation);
    } catch (error) {
      log.warn({ escalationId: e.id, err: error instanceof Error ? error.message : String(error) }, 'could not read the WeCom session state');
      return null;
    }
  }

  return {
    live,
    async shown(e) {
      const now = Date.now();
      const hit = shownStates.get(e.id);
      if (hit && now - hit.at < SHOWN_STATE_MS) return hit.value;
      const value = await live(e);
      if (value) {
        if (shownStates.size > 500) shownStates.clear();
        shownStates.set(e.id, { at: now, value });
      }
      return value;
    },
    forget(id) {
      shownStates.delete(id);
    },
  };
}
