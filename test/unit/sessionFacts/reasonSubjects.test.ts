import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlow, type Flow } from '../../../src/engine/index.ts';
import { reasonSubjects } from '../../../src/sessionFacts/fromSession.ts';

function flow(file: string): Flow {
  const parsed = parseFlow(readFileSync(`flows/${file}`, 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.flow;
}

describe('reasonSubjects: which question a reason step follows up', () => {
  it('NPS reasons follow the NPS question; CSAT and intent follow-ups are marked', () => {
    expect(Object.fromEntries(reasonSubjects(flow('nps-default.yaml')))).toEqual({
      csat_booking_issue: 'csat_booking',
      csat_advisor_issue: 'csat_advisor',
      csat_result_issue: 'csat_result',
      change_mind: 'intent',
    });
  });
  it('a flow without an NPS question keeps all its reasons', () => {
    expect(reasonSubjects(flow('csat-after-service.yaml')).size).toBe(0);
  });
});
