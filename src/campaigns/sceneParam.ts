import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `scene_param` of an invitation link: `hf1.<campaignId>.<invitationId>.<signature>`, about
 * 56 characters, all URL-safe (so it is the same before and after URL encoding and far below
 * WeCom's 128 bytes). The signature is an HMAC-SHA256 (truncated to 96 bits) over the rest with
 * the link secret: a parameter we did not make is recognised without a database read, and an
 * invitation id alone (itself an HMAC, so unguessable) cannot be turned into a working link.
 */

const VERSION = 'hf1';
const SIGNATURE_BYTES = 12;
const PATTERN = /^hf1\.([a-z0-9]{4,24})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{16})$/;

export type SceneParamReading =
  | { kind: 'not_invitation' }
  | { kind: 'forged' }
  | { kind: 'valid'; campaignId: string; invitationId: string };

function signature(secret: Buffer, campaignId: string, invitationId: string): string {
  return createHmac('sha256', secret).update(`scene\n${VERSION}.${campaignId}.${invitationId}`).digest().subarray(0, SIGNATURE_BYTES).toString('base64url');
}

/** The signed parameter for one invitation. */
export function signSceneParam(secret: Buffer, campaignId: string, invitationId: string): string {
  return `${VERSION}.${campaignId}.${invitationId}.${signature(secret, campaignId, invitationId)}`;
}

/**
 * Reads an entry link's parameter (URL-decoded or not). Anything that does not start like one of
 * ours is `not_invitation` (plain `flow` links); ours with a bad shape or
 * signature is `forged`. The comparison takes constant time.
 */
export function readSceneParam(secret: Buffer, raw: string): SceneParamReading {
  let text = raw.trim();
  try {
    text = decodeURIComponent(text);
  } catch {
    // Not URL-encoded: read it as it is.
  }
  if (!text.startsWith(`${VERSION}.`)) return { kind: 'not_invitation' };
  const match = PATTERN.exec(text);
  if (!match) return { kind: 'forged' };
  const [, campaignId, invitationId, given] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(signature(secret, campaignId, invitationId));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { kind: 'forged' };
  return { kind: 'valid', campaignId, invitationId };
}
