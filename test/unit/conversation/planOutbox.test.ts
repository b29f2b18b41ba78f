import { describe, expect, it } from 'vitest';
import { planOutbox, type TurnOutput } from '../../../src/conversation/planOutbox.ts';
import type { EngineEffect } from '../../../src/engine/index.ts';

const now = new Date('2026-11-23T02:00:00Z');
const inbound = { direction: 'in' as const, author: 'customer' as const, text: '8分', at: now, messageId: 'm1' };
const turn = (fields: Partial<TurnOutput> = {}): TurnOutput => ({
  messages: [{ kind: 'text', text: '谢谢！' }],
  effects: [],
  awaiting: { stepId: 'why', question: 'reason' },
  status: 'active',
  ...fields,
});

describe('planOutbox', () => {
  it('gives the inbound message and each reply the next transcript positions, and remembers the question asked', () => {
    const plan = planOutbox({ status: 'active', transcriptLength: 4, askedSteps: ['nps'] }, turn(), { keyBase: 's-5', inbound, now });
    expect(plan.outbox).toEqual([
      { kind: 'transcript', entries: [{ ...inbound, seq: 4 }] },
      { kind: 'send', key: 's-5-0', message: { kind: 'text', text: '谢谢！' }, stepId: 'why', seq: 5 },
      { kind: 'record' },
    ]);
    expect(plan).toMatchObject({ transcriptLength: 6, askedSteps: ['nps', 'why'], lastBotText: '谢谢！' });
  });

  it('turns escalations, a hand-over, an opt-out and timers into effects after the replies', () => {
    const effects: EngineEffect[] = [
      { type: 'escalate', trigger: 'intent', reason: '转人工', stepId: 'nps', advisors: ['a1'] },
      { type: 'schedule.reminder', afterHours: 24, stepId: 'nps' },
      { type: 'schedule.expiry', afterHours: 72 },
    ];
    const plan = planOutbox({ status: 'active', transcriptLength: 0, askedSteps: [] }, turn({ effects, status: 'escalated', awaiting: null }), { keyBase: 'k', now });
    expect(plan.outbox.map((e) => e.kind)).toEqual(['send', 'escalation', 'timer', 'timer', 'followup', 'record']);
    expect(plan.outbox[1]).toEqual({ kind: 'escalation', requests: [{ trigger: 'intent', reason: '转人工', stepId: 'nps', advisors: ['a1'] }], handedOver: true });
    expect(plan.outbox[2]).toEqual({ kind: 'timer', timer: 'reminder', dueAt: new Date('2026-11-24T02:00:00Z') });
    expect(planOutbox({ transcriptLength: 0, askedSteps: [] }, turn({ effects: [{ type: 'opt_out' }], status: 'opted_out' }), { keyBase: 'k', now }).outbox.map((e) => e.kind)).toEqual([
      'send',
      'opt_out',
      'cancel_timers',
      'followup',
      'record',
    ]);
  });

  it('merges what a welcome code can carry into one message and sends the rest normally', () => {
    const plan = planOutbox(
      { transcriptLength: 0, askedSteps: [] },
      turn({ messages: [{ kind: 'text', text: '您好！' }, { kind: 'menu', head: '预约满意吗？', items: [{ id: 'a', label: '满意' }] }, { kind: 'text', text: '补充' }] }),
      { keyBase: 'k', welcomeCode: 'wc', now },
    );
    expect(plan.outbox).toEqual([
      { kind: 'send', key: 'k-w', welcomeCode: 'wc', message: { kind: 'menu', head: '您好！\n\n预约满意吗？', items: [{ id: 'a', label: '满意' }] }, stepId: 'why', seq: 0 },
      { kind: 'send', key: 'k-0', message: { kind: 'text', text: '补充' }, stepId: 'why', seq: 1 },
      { kind: 'record' },
    ]);
  });

  it('says nothing and owes only the record when a message is only recorded', () => {
    const plan = planOutbox({ status: 'escalated', transcriptLength: 9, askedSteps: ['nps'] }, turn({ messages: [], status: 'escalated' }), { keyBase: 'k', inbound, now });
    expect(plan.outbox).toEqual([{ kind: 'transcript', entries: [{ ...inbound, seq: 9 }] }, { kind: 'record' }]);
    expect(plan.lastBotText).toBeUndefined();
  });

  it('tells follow-up of each milestone once, when the status changes to it', () => {
    const milestones = (from: Parameters<typeof planOutbox>[0]['status'], fields: Partial<TurnOutput>) =>
      planOutbox({ status: from, transcriptLength: 0, askedSteps: [] }, turn(fields), { keyBase: 'k', now }).outbox.filter((e) => e.kind === 'followup');
    expect(milestones('active', { status: 'completed', awaiting: null })).toEqual([{ kind: 'followup', event: 'completed', at: now }]);
    expect(milestones('escalated', { status: 'completed', awaiting: null })).toEqual([{ kind: 'followup', event: 'completed', at: now }]);
    expect(milestones('completed', { status: 'completed', awaiting: null })).toEqual([]);
    expect(milestones('active', { status: 'escalated', awaiting: null })).toEqual([{ kind: 'followup', event: 'escalated', at: now }]);
    expect(milestones('escalated', { status: 'escalated', awaiting: null })).toEqual([]);
    expect(milestones('active', { status: 'opted_out', effects: [{ type: 'opt_out' }] })).toEqual([{ kind: 'followup', event: 'opted_out', at: now }]);
    expect(milestones('active', {})).toEqual([]);
  });
});
