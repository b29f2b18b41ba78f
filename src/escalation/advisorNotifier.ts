import type { EscalationRuntimeStore } from '../core/escalations.ts';
import type { Logger } from '../core/logger.ts';
import type { LockService } from '../core/ports.ts';
import { APP_MARKDOWN_BYTES, cutBytes, mergeSections } from './notificationMarkdown.ts';

/** The group robot: one POST of a webhook body. `name` keys its rate window (never the secret URL). */
export interface RobotTarget {
  name: string;
  send(body: Record<string, unknown>): Promise<void>;
}

/** The self-built app that messages members (`message/send`). */
export interface AppTarget {
  agentId: number;
  send(body: Record<string, unknown>): Promise<{ invalidUser?: string }>;
}

/** One queued robot section: which escalation and round it announces. */
export interface RobotItem {
  escalationId: string;
  round: number;
  section: string;
}

export interface AdvisorNotifier {
  /** Whether a robot webhook is configured. */
  readonly hasRobot: boolean;
  readonly hasApp: boolean;
  /** Queues a robot section durably (once per escalation and round) and schedules a flush; never sends inline. */
  queueRobot(item: RobotItem): Promise<void>;
  /**
   * Sends what is queued, merging sections into as few messages as fit, within the robot's
   * rate. `limited` means the window is full and a later flush is scheduled; nothing is dropped.
   */
  flushRobot(): Promise<'empty' | 'sent' | 'limited'>;
  /** Sends an app markdown message to members; resolves with the ids WeCom did not accept. */
  sendApp(users: string[], content: string): Promise<{ invalidUsers: string[] }>;
}

/** WeCom's documented robot limit: 20 messages a minute. The window is a little longer than a minute for clock skew. */
export const ROBOT_LIMIT = { perWindow: 20, windowMs: 62_000 } as const;
const RATE_LIMITED = 45009;

/**
 * Advisor notifications. Robot sections go into a Redis list first and are sent by `flushRobot`
 * (run from a queued job, under a lock): each message merges as many waiting sections as fit in
 * 4 KB, takes one slot of a shared 20-per-62-s window, and is trimmed from the list only after
 * WeCom accepted it. A full window (or WeCom's own 45009) reschedules the flush, so bursts are
 * delayed and merged, never dropped.
 *
 * @example
 * const notifier = createAdvisorNotifier({ robot, runtime, locks, logger, scheduleFlush: (ms) => jobs.add({ kind: 'robot' }, { delayMs: ms }) });
 * await notifier.queueRobot({ escalationId, round: 1, section });
 */
export function createAdvisorNotifier(deps: {
  robot?: RobotTarget;
  app?: AppTarget;
  runtime: EscalationRuntimeStore;
  locks: LockService;
  logger: Logger;
  /** Queues a `flushRobot` run after `delayMs`. */
  scheduleFlush(delayMs: number): Promise<void>;
  /** Called after a robot message carrying these items was accepted. */
  onRobotSent?(items: RobotItem[]): Promise<void>;
  /** Pause before the first flush, so a burst is merged into one message (default 1000 ms). */
  gatherMs?: number;
  limit?: { perWindow: number; windowMs: number };
  now?: () => number;
}): AdvisorNotifier {
  const log = deps.logger.child({ module: 'escalation-notify' });
  const gatherMs = deps.gatherMs ?? 1_000;
  const limit = deps.limit ?? ROBOT_LIMIT;
  const now = deps.now ?? Date.now;

  function parse(raw: string): RobotItem {
    try {
      const item = JSON.parse(raw) as RobotItem;
      if (typeof item.section === 'string') return item;
    } catch {
      // Fall through: a foreign entry is still sent as text rather than blocking the list.
    }
    return { escalationId: '', round: 0, section: raw };
  }

  return {
    hasRobot: deps.robot !== undefined,
    hasApp: deps.app !== undefined,

    async queueRobot(item) {
      if (!deps.robot) return;
      // Keyed by escalation and round: a notify job killed after queueing and run again queues nothing new.
      const onceKey = item.escalationId ? `${item.escalationId}:${item.round}` : undefined;
      await deps.runtime.robotOutbox.push(JSON.stringify(item), onceKey);
      await deps.scheduleFlush(gatherMs);
    },

    async flushRobot() {
      const robot = deps.robot;
      if (!robot) return 'empty';
      return deps.locks.withLock(
        'escalation-robot',
        async () => {
          let outcome: 'empty' | 'sent' | 'limited' = 'empty';
          // Bounded per run; whatever is left gets its own flush.
          for (let round = 0; round < 5; round++) {
            const raw = await deps.runtime.robotOutbox.peek(50);
            if (!raw.length) return outcome;
            const items = raw.map(parse);
            const { content, used } = mergeSections(items.map((i) => i.section));
            const slot = await deps.runtime.takeSlot(`robot:${robot.name}`, limit.perWindow, limit.windowMs, now());
            if (!slot.ok) {
              log.info({ waiting: raw.length, retryInMs: slot.retryInMs }, 'robot rate window is full; merging and sending later');
              await deps.scheduleFlush(slot.retryInMs + 250);
              return 'limited';
            }
            try {
              await robot.send({ msgtype: 'markdown', markdown: { content } });
            } catch (error) {
              if ((error as { errcode?: unknown }).errcode === RATE_LIMITED) {
                // WeCom counts differently than we do (another sender on the same robot?): back off a full minute.
                log.warn({ waiting: raw.length }, 'robot answered 45009 (rate limit); sending later');
                await deps.scheduleFlush(60_000);
                return 'limited';
              }
              throw error;
            }
            await deps.runtime.robotOutbox.drop(used);
            outcome = 'sent';
            log.info({ sections: used }, 'robot notification sent');
            await deps.onRobotSent?.(items.slice(0, used)).catch((error: unknown) => log.warn({ err: error }, 'could not record robot notification'));
          }
          if ((await deps.runtime.robotOutbox.size()) > 0) await deps.scheduleFlush(0);
          return outcome;
        },
        { ttlMs: 30_000, waitMs: 15_000 },
      );
    },

    async sendApp(users, content) {
      const app = deps.app;
      const to = [...new Set(users.filter(Boolean))];
      if (!app || !to.length) return { invalidUsers: [] };
      const result = await app.send({
        touser: to.join('|'),
        msgtype: 'markdown',
        agentid: app.agentId,
        markdown: { content: cutBytes(content, APP_MARKDOWN_BYTES) },
        // A retried job must not message the advisor twice.
        enable_duplicate_check: 1,
        duplicate_check_interval: 600,
      });
      const invalidUsers = (result.invalidUser ?? '').split('|').filter(Boolean);
      if (invalidUsers.length) log.warn({ invalidUsers }, 'app message not delivered to some advisors (outside the app’s visible range?)');
      return { invalidUsers };
    },
  };
}
