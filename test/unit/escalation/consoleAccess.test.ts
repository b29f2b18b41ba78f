import { describe, expect, it } from 'vitest';
import { escalationAccess, requireHandler, requireSight } from '../../../src/escalation/consoleAccess.ts';
import { taskAccess } from '../../../src/followup/tasks/taskAccess.ts';

const li = { id: 'li', wecomUserId: 'advisor1', admin: false };
const zhou = { id: 'zhou', admin: false };
const admin = { id: 'admin', admin: true };

describe('escalationAccess', () => {
  const base = { id: 'e1', status: 'open' as const, advisors: [] as string[] };
  it.each([
    ['unassigned, flow names no advisors', base, li, 'masked'],
    ['unassigned, the flow names li', { ...base, advisors: ['advisor1', 'advisor2'] }, li, 'masked'],
    ['unassigned, the flow names others only', { ...base, advisors: ['advisor2'] }, zhou, 'none'],
    ['claimed by li', { ...base, status: 'assigned' as const, assignedTo: 'li' }, li, 'full'],
    ['claimed by li, seen by zhou', { ...base, status: 'assigned' as const, assignedTo: 'li' }, zhou, 'none'],
    ['held in WeCom by li', { ...base, status: 'assigned' as const, assignedTo: 'wecom:advisor1', servicerId: 'advisor1' }, li, 'full'],
    ['held in WeCom by a servicer without a console account', { ...base, status: 'assigned' as const, assignedTo: 'wecom:advisor9', servicerId: 'advisor9' }, zhou, 'masked'],
    ['resolved by li', { ...base, status: 'resolved' as const, assignedTo: 'li', resolvedBy: 'li' }, li, 'full'],
    ['resolved by li, seen by zhou', { ...base, status: 'resolved' as const, resolvedBy: 'li' }, zhou, 'none'],
    ['anything, for an admin', { ...base, status: 'assigned' as const, assignedTo: 'li' }, admin, 'full'],
  ])('%s → %s', (_name, e, viewer, expected) => {
    expect(escalationAccess(e, viewer)).toBe(expected);
  });

  it('says with a code whether to claim first or keep out', () => {
    expect(() => requireHandler({ ...base }, li)).toThrow(expect.objectContaining({ code: 'ESCALATION_NOT_CLAIMED', status: 403 }));
    expect(() => requireSight({ ...base, status: 'assigned', assignedTo: 'li' }, zhou)).toThrow(expect.objectContaining({ code: 'ESCALATION_NOT_YOURS', status: 403 }));
  });
});

describe('taskAccess', () => {
  it.each([
    ['open, unclaimed', { id: 't', status: 'open' as const }, zhou, 'masked'],
    ['claimed by li', { id: 't', status: 'claimed' as const, claimedBy: 'li' }, li, 'full'],
    ['claimed by li, seen by zhou', { id: 't', status: 'claimed' as const, claimedBy: 'li' }, zhou, 'none'],
    ['closed by li', { id: 't', status: 'closed' as const, claimedBy: 'li', closedBy: 'li' }, li, 'full'],
    ['claimed by li, for an admin', { id: 't', status: 'claimed' as const, claimedBy: 'li' }, admin, 'full'],
  ])('%s → %s', (_name, task, viewer, expected) => {
    expect(taskAccess(task, viewer)).toBe(expected);
  });
});
