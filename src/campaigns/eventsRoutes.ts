import { z } from 'zod';
import { readRawBody } from '../http/readBody.ts';
import { defineRoute, reply, type Route } from '../http/route.ts';
import { eventOutcomeSchema } from './campaignsApiSchemas.ts';
import { audienceEventSchema } from './campaignTypes.ts';
import { EventReplayedError, type createEventIntake } from './eventIntake.ts';

const signatureHeaders = z.object({ 'webhook-id': z.string(), 'webhook-timestamp': z.string(), 'webhook-signature': z.string() });

/**
 * `POST /api/events`: purchases and visits pushed by the merchant's systems, signed with
 * Standard Webhooks (no bearer token: the signature is the authentication). 200 with the
 * invitations created (or the reasons none was); 401 for a missing, bad or stale signature; 409
 * EVENT_REPLAYED, with the first delivery's outcome, for a `webhook-id` seen before.
 */
export function eventsRoutes(deps: { intake: ReturnType<typeof createEventIntake> }): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/events',
      auth: 'signed',
      tags: ['campaigns'],
      summary: 'A purchase or visit from the merchant’s systems, signed (Standard Webhooks); the same webhook-id is handled once',
      description:
        'webhook-signature = v1,<base64 HMAC-SHA256 of "id.timestamp.body"> with EVENTS_SIGNING_SECRET. Creates an invitation in each active campaign that takes the ' +
        'event type (or the one named by campaignId).',
      input: { headers: signatureHeaders, rawBody: { 'application/json': audienceEventSchema } },
      output: { description: 'Handled', schema: eventOutcomeSchema },
      errors: {
        400: 'EVENT_INVALID, BODY_NOT_JSON, EVENT_ID_INVALID',
        401: 'EVENT_SIGNATURE_MISSING, EVENT_SIGNATURE_INVALID, EVENT_STALE (timestamp more than 5 minutes away)',
        409: 'EVENT_REPLAYED (this webhook-id was handled; `outcome` repeats what it did), EVENT_IN_PROGRESS, CAMPAIGN_NOT_ACCEPTING_EVENTS',
        413: 'BODY_TOO_LARGE: an event is at most 64 KB',
        503: 'EVENTS_NOT_CONFIGURED: EVENTS_SIGNING_SECRET is not set',
      },
      handler: async ({ stream, header }) => {
        const raw = await readRawBody(stream, { limit: '64kb', tooLarge: 'An event is at most 64 KB' });
        const get = (name: string) => header(name) || undefined;
        const { eventId, body } = deps.intake.verify(raw, { 'webhook-id': get('webhook-id'), 'webhook-timestamp': get('webhook-timestamp'), 'webhook-signature': get('webhook-signature') });
        try {
          return await deps.intake.accept(eventId, body);
        } catch (error) {
          if (!(error instanceof EventReplayedError)) throw error;
          return reply({ status: 409, body: { error: { code: error.code, message: error.message }, ...(error.outcome ? { outcome: error.outcome } : {}) } });
        }
      },
    }),
  ];
}
