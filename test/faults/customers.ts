import type { Persona } from './personas.ts';
import type { Feed, SimClient } from './simClient.ts';
import { sleep } from './time.ts';

/**
 * Scripted customers. Each one does its persona's steps in order and, like a person, waits for
 * the bot's replies before the next step. A customer whose replies do not come within its
 * patience walks away (stops its script): the suite never writes again to wake a stuck
 * conversation, because nothing accepted may wait for a future message.
 */

/** The nickname every simulated customer has; the greeting names them. */
export const NICKNAME = '顾客';

/** One customer in a scenario. */
export interface CustomerPlan {
  id: string;
  persona: Persona;
  /** How many of the persona's steps to do. */
  take: number;
  /** Step index before which the customer waits for the scenario's fault (none when ≥ take). */
  faultAt: number;
}

/** What a customer did. */
export interface CustomerRun {
  plan: CustomerPlan;
  /** Steps done, with the simulator's message id (none for an entry event). */
  sent: Array<{ index: number; msgid?: string; at: number }>;
  /** Set when the customer walked away: at which step, and why. */
  gaveUp?: { index: number; reason: string };
}

/** When the scenario's fault is on, so patience can stretch over it. */
export interface FaultPhase {
  startedAt?: number;
  endedAt?: number;
}

export interface Patience {
  /** How long a reply may take when no fault is on. */
  normalMs: number;
  /** How long after the fault ended a reply may still take. */
  recoveryMs: number;
  /** Pause after a message that expects no reply, so a wrong reply would show up before the next step. */
  quietMs: number;
  /** Nobody waits past this (the scenario's own deadline). */
  hardDeadline: number;
}

/**
 * Lets customers gather at their fault point: `allArrived` resolves once every expected customer
 * arrived (or walked away before it), `open()` lets them go on.
 */
export class Barrier {
  private waiting: number;
  private opened = false;
  private release!: () => void;
  private arrivedAll!: () => void;
  readonly released = new Promise<void>((resolve) => (this.release = resolve));
  readonly allArrived = new Promise<void>((resolve) => (this.arrivedAll = resolve));

  constructor(expected: number) {
    this.waiting = expected;
    if (expected === 0) this.arrivedAll();
  }

  arrive(): Promise<void> {
    this.countDown();
    return this.released;
  }

  leave(): void {
    this.countDown();
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.release();
  }

  private countDown(): void {
    this.waiting -= 1;
    if (this.waiting <= 0) this.arrivedAll();
  }
}

/** The latest moment a reply to a message sent at `sentAt` may arrive. */
export function replyDeadline(sentAt: number, phase: FaultPhase, patience: Patience): number {
  if (phase.startedAt === undefined) return Math.min(patience.hardDeadline, sentAt + patience.normalMs);
  // While the fault is on, everyone waits it out.
  if (phase.endedAt === undefined) return patience.hardDeadline;
  return Math.min(patience.hardDeadline, Math.max(sentAt + patience.normalMs, phase.endedAt + patience.recoveryMs));
}

export async function runCustomer(deps: { sim: SimClient; feed: Feed; barrier: Barrier; phase: FaultPhase; patience: Patience }, plan: CustomerPlan): Promise<CustomerRun> {
  const { sim, feed, barrier, phase, patience } = deps;
  const run: CustomerRun = { plan, sent: [] };
  let expected = 0;
  let arrived = false;
  try {
    for (let index = 0; index < plan.take; index++) {
      if (index === plan.faultAt) {
        arrived = true;
        await barrier.arrive();
      }
      const step = plan.persona.steps[index]!;
      const at = Date.now();
      try {
        if ('enter' in step.act) {
          await sim.enter(plan.id, { scene: 'faults', sceneParam: step.act.enter, nickname: NICKNAME });
          run.sent.push({ index, at });
        } else {
          const { text, menuId } = 'say' in step.act ? { text: step.act.say, menuId: undefined } : pickMenuItem(feed, plan.id, step.act.click);
          if (text === undefined) {
            run.gaveUp = { index, reason: 'no menu button to press' };
            break;
          }
          const said = await sim.say(plan.id, text, { nickname: NICKNAME, ...(menuId ? { menuId } : {}) });
          run.sent.push({ index, msgid: said.msgid, at });
        }
      } catch (error) {
        run.gaveUp = { index, reason: `could not write: ${(error as Error).message}` };
        break;
      }
      expected += step.replies.length;
      if (step.replies.length === 0) {
        await sleep(patience.quietMs);
        continue;
      }
      if (!(await feed.waitForOuts(plan.id, expected, () => replyDeadline(at, phase, patience)))) {
        run.gaveUp = { index, reason: `no reply within ${Math.round((Date.now() - at) / 1000)} s` };
        break;
      }
    }
  } finally {
    if (!arrived && plan.faultAt < plan.take) barrier.leave();
  }
  return run;
}

/** The button of the newest menu whose label matches, as the customer would press it. */
function pickMenuItem(feed: Feed, customer: string, label: RegExp): { text?: string; menuId?: string } {
  const menu = feed.outs(customer).filter((m) => m.msgtype === 'msgmenu').at(-1);
  const list = (menu?.body as { list?: Array<{ click?: { id: string; content: string } }> } | undefined)?.list ?? [];
  const item = list.map((i) => i.click).find((c) => c !== undefined && label.test(c.content));
  return item ? { text: item.content, menuId: item.id } : {};
}
