import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planPeriods } from '../../../src/analytics/rollupPeriods.ts';
import { sessionContribution } from '../../../src/analytics/fields.ts';
import { readEscalation, readSession, sessionRevision } from '../../../src/sessionFacts/fromSession.ts';
import { stepsAskedIn } from '../../../src/core/sessions.ts';
import { stepCatalog } from '../../../src/sessionFacts/stepCatalog.ts';
import { summarize } from '../../../src/analytics/summarize.ts';
import { addCounts, emptyTally } from '../../../src/analytics/tally.ts';
import { parseFlow, type Flow } from '../../../src/engine/index.ts';
import { generateSessions } from '../../support/generateSessions.ts';
import { handSummary, interestShape, type HandSession } from '../../support/handAnalytics.ts';

const parsed = parseFlow(readFileSync('flows/nps-default.yaml', 'utf8'));
if (!parsed.ok) throw new Error('nps-default does not parse');
const flow: Flow = parsed.flow;
const TZ = 'Asia/Shanghai';

/** Rollups kept in memory the way the store keeps them: per day and month, per cell. */
function rollUp(sessions: ReturnType<typeof generateSessions>) {
  const byPeriod = new Map<string, Map<string, Map<string, number>>>();
  for (const s of sessions) {
    const c = sessionContribution(readSession(s, flow), TZ);
    for (const line of c.lines) {
      for (const key of [`d:${line.day}`, `m:${line.day.slice(0, 7)}`]) {
        const cells = byPeriod.get(key) ?? byPeriod.set(key, new Map()).get(key)!;
        const counts = cells.get(c.cell!.id) ?? cells.set(c.cell!.id, new Map()).get(c.cell!.id)!;
        for (const f of line.fields) counts.set(f, (counts.get(f) ?? 0) + 1);
      }
    }
  }
  return byPeriod;
}

function summaryFromRollups(byPeriod: ReturnType<typeof rollUp>, range: { from?: string; to?: string }, cellFilter?: (cell: string) => boolean) {
  const months = [...new Set([...byPeriod.keys()].filter((k) => k.startsWith('m:')).map((k) => k.slice(2)))];
  const plan = planPeriods(range, months);
  const tally = emptyTally();
  for (const key of [...plan.months.map((m) => `m:${m}`), ...plan.days.map((d) => `d:${d}`)]) {
    for (const [cell, counts] of byPeriod.get(key) ?? []) if (!cellFilter || cellFilter(cell)) addCounts(tally, counts);
  }
  return summarize(tally, stepCatalog([flow]), { minResponses: 30 });
}

const toHand = (s: ReturnType<typeof generateSessions>[number]): HandSession => JSON.parse(JSON.stringify(s)) as HandSession;

describe('rollup counters give the same numbers as a hand computation over whole sessions', () => {
  const sessions = generateSessions({ count: 400, seed: 7, end: new Date('2026-11-30T16:00:00Z'), days: 75 });
  const byPeriod = rollUp(sessions);
  const hand = sessions.map(toHand);

  it.each([
    ['all time', {}],
    ['a range across month edges', { from: '2026-10-03', to: '2026-11-17' }],
    ['one day', { from: '2026-11-10', to: '2026-11-10' }],
    ['a range with no data', { from: '2020-01-01', to: '2020-02-01' }],
  ])('%s', (_what, range) => {
    const got = summaryFromRollups(byPeriod, range);
    const want = handSummary(hand, range);
    expect({ responses: got.nps.responses, promoters: got.nps.promoters, passives: got.nps.passives, detractors: got.nps.detractors }).toEqual({
      responses: want.nps.responses,
      promoters: want.nps.promoters,
      passives: want.nps.passives,
      detractors: want.nps.detractors,
    });
    if (want.nps.score === null) expect(got.nps.score).toBeNull();
    else expect(got.nps.score).toBeCloseTo(want.nps.score, 9);
    if (want.nps.marginOfError !== null) expect(got.nps.marginOfError).toBeCloseTo(want.nps.marginOfError, 9);
    for (const row of want.csat) {
      const c = got.csat.find((x) => x.stepId === row.stepId)!;
      expect(c.n).toBe(row.n);
      if (row.mean === null) expect(c.mean).toBeNull();
      else expect(c.mean).toBeCloseTo(row.mean, 9);
    }
    expect(got.repurchase.n).toBe(want.repurchase.n);
    expect(Object.fromEntries(Object.entries(got.repurchase.timing).filter(([, n]) => n > 0))).toEqual(want.repurchase.timing);
    // Products and factors once per session (from any answer), by purchase window and segment.
    expect(interestShape(got.repurchase)).toEqual({ products: want.repurchase.products, factors: want.repurchase.factors, openInterest: want.repurchase.openInterest });
    for (const [group, r] of Object.entries(want.reasons)) {
      const g = got.reasons[group as 'promoter'];
      expect(g.n).toBe(r.n);
      expect(g.sentiment.negative).toBe(r.negative);
      expect(Object.fromEntries(g.topics.map((t) => [t.topic, t.n]))).toEqual(r.topics);
    }
    expect(got.sessions.started).toBe(want.sessions.started);
    expect(Object.fromEntries(Object.entries(got.sessions.outcomes).filter(([, n]) => n > 0))).toEqual(want.sessions.outcomes);
    expect(got.sessions.medianSecondsToComplete).toBe(want.sessions.medianSecondsToComplete);
    for (const [stepId, row] of Object.entries(want.funnel)) {
      expect(got.funnel.find((x) => x.stepId === stepId), stepId).toMatchObject(row);
    }
    expect(got.segments).toEqual(want.segments);
  });

  it('counts per segment and store through the cells', () => {
    const cellsOf = new Map<string, Record<string, string>>();
    for (const s of sessions) {
      const c = sessionContribution(readSession(s, flow), TZ).cell!;
      cellsOf.set(c.id, c.dims);
    }
    const got = summaryFromRollups(byPeriod, {}, (cell) => cellsOf.get(cell)?.['d.store'] === '静安店' && cellsOf.get(cell)?.seg === 'loyal');
    const want = handSummary(hand, { store: '静安店', segment: 'loyal' });
    expect(got.nps.responses).toBe(want.nps.responses);
    expect(got.nps.promoters).toBe(want.nps.promoters);
    expect(got.segments.loyal).toBe(want.segments.loyal);
    expect(want.nps.responses).toBeGreaterThan(0);
  });
});

describe('readSession', () => {
  it('reads answers, asked steps and the segment of a session', () => {
    const [s] = generateSessions({ count: 1, seed: 3, end: new Date('2026-11-30T16:00:00Z'), days: 1 });
    const completed = { ...s!, status: 'completed' as const, completedAt: s!.updatedAt };
    const facts = readSession(completed, flow);
    expect(facts.revision).toBe(sessionRevision(s!));
    expect(facts.answers.map((a) => a.stepId)).toEqual(Object.keys(s!.answers).sort((a, b) => flow.steps.findIndex((x) => x.id === a) - flow.steps.findIndex((x) => x.id === b)));
    expect(facts.segment).toBeDefined();
    expect(facts.asked[0]).toBe('nps');
  });

  it('counts only questions that reached the customer as asked', () => {
    expect(
      stepsAskedIn([
        { direction: 'out', stepId: 'nps', delivery: 'sent' },
        { direction: 'in' },
        { direction: 'out', stepId: 'why', delivery: 'blocked' },
        { direction: 'out', stepId: 'nps' },
        { direction: 'out', stepId: 'csat', delivery: 'failed' },
        { direction: 'out', stepId: 'intent' },
      ]),
    ).toEqual(['nps', 'intent']);
  });

  it('gives an unfinished session no segment, and a session with no answers no NPS', () => {
    const [s] = generateSessions({ count: 1, seed: 5, end: new Date('2026-11-30T16:00:00Z'), days: 1 });
    const facts = readSession({ ...s!, status: 'active', answers: {}, analysis: {}, askedSteps: [] }, flow);
    expect(facts.segment).toBeUndefined();
    expect(facts.group).toBeUndefined();
    expect(facts.outcome).toBe('in_progress');
    const c = sessionContribution(facts, TZ);
    expect(c.lines.flatMap((l) => l.fields)).toEqual(['s', 'o:in_progress']);
  });
});

describe('readEscalation', () => {
  const base = { id: 'e1', sessionId: 's1', flowId: 'f', trigger: 'detractor', createdAt: new Date('2026-11-23T02:00:00Z'), status: 'open' as const };
  it('orders by milestone before save time, so a late copy never undoes a first reply or a resolution', () => {
    const opened = readEscalation({ ...base, updatedAt: new Date('2026-11-23T05:00:00Z') });
    const replied = readEscalation({ ...base, updatedAt: new Date('2026-11-23T02:01:00Z'), firstReplySeconds: 42 });
    const resolved = readEscalation({ ...base, status: 'resolved', updatedAt: new Date('2026-11-23T02:00:30Z'), firstReplySeconds: 42 });
    expect(opened.revision).toBeLessThan(replied.revision);
    expect(replied.revision).toBeLessThan(resolved.revision);
    expect(resolved).toMatchObject({ resolved: true, firstReplySeconds: 42 });
  });
});
