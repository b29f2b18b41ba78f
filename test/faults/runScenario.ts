import { Barrier, runCustomer, type CustomerPlan, type CustomerRun, type FaultPhase, type Patience } from './customers.ts';
import type { Persona, PersonaName } from './personas.ts';
import type { Rig } from './rig.ts';
import type { Scenario, ScenarioContext } from './scenarios.ts';
import { pollUntil, sleep, within } from './time.ts';
import { addTally, emptyTally, verifyCustomer, type StoredEscalation, type StoredSession, type Tally } from './verify.ts';

/** What one scenario found. */
export interface ScenarioResult {
  name: string;
  customers: number;
  messages: number;
  tally: Tally;
  seconds: number;
  notes: string[];
  /** Reasons the scenario cannot pass besides the counts (fault not exercised, a step failed). */
  invalid: string[];
  /** Customers who walked away, and why. */
  gaveUp: string[];
}

const DEFAULT_PATIENCE = { normalMs: 45_000, recoveryMs: 90_000, quietMs: 2_000 };
/** Escalation alerts may wait for the robot's 20-per-62-s window; chats must be quiet this long. */
const SETTLE_MS = 75_000;
const QUIET_MS = 3_000;

/**
 * Runs one scenario: customers start together, gather at their fault point, the fault strikes
 * and heals, customers finish (or walk away), the service gets time to settle, then every
 * customer is checked. Ends by its budget whatever the service does.
 */
export async function runScenario(rig: Rig, scenario: Scenario, personas: Record<PersonaName, Persona>, options: { quick: boolean; runId: string }): Promise<ScenarioResult> {
  const started = Date.now();
  const deadline = started + scenario.budgetMs(options.quick);
  const notes: string[] = [];
  const invalid: string[] = [];
  await within(scenario.prepare?.(rig) ?? Promise.resolve(), 120_000, 'preparing the scenario took over 2 minutes');
  await within(rig.ensureHealthy(scenario.serviceEnv?.(rig) ?? {}), 180_000, 'the rig did not become healthy within 3 minutes');

  const customers: CustomerPlan[] = scenario.cast(options.quick).flatMap((entry) =>
    Array.from({ length: entry.count }, (_, n) => {
      const persona = personas[entry.persona];
      return {
        id: `${options.runId}-${scenario.name}-${entry.persona}-${n + 1}`.slice(0, 64),
        persona,
        take: Math.min(entry.take ?? persona.steps.length, persona.steps.length),
        faultAt: entry.faultAt ?? persona.faultAt,
      };
    }),
  );
  const barrier = new Barrier(customers.filter((c) => c.faultAt < c.take).length);
  const phase: FaultPhase = {};
  // Checks and settling need the last part of the budget.
  const patience: Patience = { ...DEFAULT_PATIENCE, ...scenario.patience, hardDeadline: deadline - SETTLE_MS - 30_000 };
  const ctx: ScenarioContext = {
    rig,
    quick: options.quick,
    customers,
    release: () => barrier.open(),
    note: (text) => notes.push(text),
    invalid: (reason) => invalid.push(reason),
  };

  let runs: CustomerRun[] = [];
  try {
    await scenario.setup?.(ctx);
    const running = Promise.all(customers.map((plan) => runCustomer({ sim: rig.sim, feed: rig.feed, barrier, phase, patience }, plan)));
    const gathered = await Promise.race([barrier.allArrived.then(() => true), sleep(Math.max(0, patience.hardDeadline - Date.now())).then(() => false)]);
    if (!gathered) invalid.push('customers did not reach their fault point in time');
    phase.startedAt = Date.now();
    try {
      await within(scenario.strike(ctx), Math.max(1_000, patience.hardDeadline - Date.now()), 'the fault did not end within the budget');
    } catch (error) {
      invalid.push(`fault step failed: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      barrier.open();
      phase.endedAt = Date.now();
    }
    runs = await running;
    await settle(rig, runs, Math.min(deadline - 20_000, Date.now() + SETTLE_MS));
    await scenario.check?.(ctx).catch((error: unknown) => invalid.push(`check failed: ${(error as Error).message}`));
  } catch (error) {
    // The scenario still ends with a verdict: whatever the customers did so far is checked.
    invalid.push(`scenario step failed: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await scenario.teardown?.(ctx).catch((error: unknown) => notes.push(`teardown failed: ${(error as Error).message}`));
  }

  const tally = emptyTally();
  try {
    addTally(tally, await within(verifyAll(rig, runs), 60_000, 'reading the results took over a minute'));
  } catch (error) {
    invalid.push(`could not verify: ${(error as Error).message}`);
  }
  return {
    name: scenario.name,
    customers: customers.length,
    messages: runs.reduce((n, r) => n + r.sent.length, 0),
    tally,
    seconds: Math.round((Date.now() - started) / 1000),
    notes,
    invalid,
    gaveUp: runs.filter((r) => r.gaveUp).map((r) => `${r.plan.id} at step ${r.gaveUp!.index + 1}: ${r.gaveUp!.reason}`),
  };
}

/** Waits (bounded) until the chats are quiet and every handed-over escalation reached the robot. */
async function settle(rig: Rig, runs: CustomerRun[], until: number): Promise<void> {
  // Customers who walked away already count as failures; waiting for their alerts only costs time.
  const handedOver = runs
    .filter((r) => !r.gaveUp && r.sent.some((s) => r.plan.persona.steps[s.index]!.escalation === 'handedOver'))
    .map((r) => r.plan.id);
  await pollUntil(async () => {
    if (runs.some((r) => Date.now() - rig.feed.lastActivity(r.plan.id) < QUIET_MS)) return false;
    if (!handedOver.length) return true;
    const escalations = await rig.mongo.collection('escalations').find({ customerId: { $in: handedOver } }).toArray();
    const robot = robotTexts((await rig.sim.notifications()).robot).join('\n');
    return handedOver.every((id) => escalations.some((e) => e.customerId === id && robot.includes(`/escalations/${String(e._id)}`)));
  }, until, 1_000);
  // Time for a late duplicate to show up.
  await sleep(QUIET_MS);
}

async function verifyAll(rig: Rig, runs: CustomerRun[]): Promise<Tally> {
  const ids = runs.map((r) => r.plan.id);
  const [sessions, escalations, customers, notifications] = await Promise.all([
    rig.mongo.collection('surveysessions').find({ customerId: { $in: ids } }).sort({ createdAt: 1 }).toArray(),
    rig.mongo.collection('escalations').find({ customerId: { $in: ids } }).sort({ createdAt: 1 }).toArray(),
    rig.mongo.collection('customers').find({ customerId: { $in: ids } }).toArray(),
    rig.sim.notifications(),
  ]);
  await attachTranscripts(rig, sessions);
  const texts = robotTexts(notifications.robot);
  const tally = emptyTally();
  // A few at a time: the simulator answers transcripts quickly, but 200 at once is a burst.
  for (let i = 0; i < runs.length; i += 20) {
    const batch = runs.slice(i, i + 20);
    const transcripts = await Promise.all(batch.map((r) => rig.sim.transcript(r.plan.id)));
    batch.forEach((run, j) => {
      const t = transcripts[j]!;
      addTally(
        tally,
        verifyCustomer(run, {
          transcript: t.messages,
          wecomState: t.state,
          sessions: sessions.filter((s) => s.customerId === run.plan.id) as unknown as StoredSession[],
          escalations: escalations.filter((e) => e.customerId === run.plan.id) as unknown as StoredEscalation[],
          robotTexts: texts,
          customer: customers.find((c) => c.customerId === run.plan.id) as { optedOut?: boolean } | undefined,
        }),
      );
    });
  }
  return tally;
}

/**
 * Puts each session's transcript on it, as stored: entries in chunk documents of the `transcripts`
 * collection (one entry per position), after whatever an older session kept inside itself.
 */
async function attachTranscripts(rig: Rig, sessions: Array<Record<string, unknown>>): Promise<void> {
  const ids = sessions.map((s) => String(s._id));
  const chunks = await rig.mongo.collection('transcripts').find({ sessionId: { $in: ids } }).toArray();
  for (const session of sessions) {
    const own = chunks
      .filter((c) => c.sessionId === String(session._id))
      .flatMap((c) => Object.values((c.entries ?? {}) as Record<string, { seq: number }>))
      .sort((a, b) => a.seq - b.seq);
    session.transcript = [...((session.transcript as unknown[] | undefined) ?? []), ...own];
  }
}

function robotTexts(bodies: unknown[]): string[] {
  return bodies.map((b) => {
    const body = b as { markdown?: { content?: string }; markdown_v2?: { content?: string }; text?: { content?: string } };
    return body.markdown?.content ?? body.markdown_v2?.content ?? body.text?.content ?? JSON.stringify(b);
  });
}
