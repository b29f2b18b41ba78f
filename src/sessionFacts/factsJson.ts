import { createHash } from 'node:crypto';
import type { ResponseFacts } from './types.ts';

/**
 * Response facts as JSON and back (dates revived), for the facts of open sessions that are kept
 * beside their rollup counters until the session settles into its stored record.
 */
export function factsToJson(facts: ResponseFacts): string {
  return JSON.stringify(facts);
}

export function factsFromJson(json: string): ResponseFacts {
  const raw = JSON.parse(json) as ResponseFacts & Record<string, unknown>;
  const date = (v: unknown) => new Date(v as string);
  return {
    ...raw,
    createdAt: date(raw.createdAt),
    updatedAt: date(raw.updatedAt),
    ...(raw.completedAt ? { completedAt: date(raw.completedAt) } : {}),
    answers: raw.answers.map((a) => ({ ...a, at: date(a.at) })),
    ...(raw.escalation ? { escalation: { ...raw.escalation, at: date(raw.escalation.at) } } : {}),
    ...(raw.contactedAt ? { contactedAt: date(raw.contactedAt) } : {}),
  };
}

/**
 * What the facts say, without when they were saved: two saves that changed nothing analytics
 * reads (e.g. the outbox flush after the last answer) have the same fingerprint.
 */
export function factsFingerprint(facts: ResponseFacts): string {
  const { revision: _revision, updatedAt: _updatedAt, ...content } = facts;
  return createHash('sha1').update(JSON.stringify(content)).digest('base64url');
}

/** A session that can no longer change (completed, opted out, expired): its record is written once. */
export function isSettled(status: ResponseFacts['status']): boolean {
  return status === 'completed' || status === 'opted_out' || status === 'expired';
}
