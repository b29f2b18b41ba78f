import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Campaign, CampaignState } from '../core/campaigns.ts';
import { AppError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { readAudienceRow } from './audienceRow.ts';
import { importAudience, type ImportDeps, type SourcedRow } from './audienceImport.ts';
import type { CampaignService } from './campaignService.ts';
import { audienceEventSchema, type AudienceEvent, type AudienceRow, type AudienceRowInput } from './campaignTypes.ts';
import { invitationUrl } from './planInvitation.ts';

/** Standard Webhooks' tolerance: timestamps further than this from now are refused. */
export const EVENT_TOLERANCE_SECONDS = 5 * 60;

/** What one event did, per campaign; stored under its id and shown again to a replay. */
export interface EventOutcome {
  eventId: string;
  invitations: Array<{ campaignId: string; invitationId: string; customerRef: string; sceneParam: string; url: string; sendAt: string; expiresAt: string }>;
  skipped: Array<{ campaignId: string | null; invitationId?: string; reason: string }>;
}

export class EventReplayedError extends AppError {
  readonly outcome: EventOutcome | null;
  constructor(eventId: string, outcome: EventOutcome | null) {
    super(outcome ? 'EVENT_REPLAYED' : 'EVENT_IN_PROGRESS', outcome ? `Event ${eventId} was handled already; it is not handled twice` : `Event ${eventId} is being handled by another delivery`, {
      status: 409,
      context: { eventId },
    });
    this.outcome = outcome;
  }
}

const unauthorized = (code: string, message: string) => new AppError(code, message, { status: 401 });

/**
 * Merchant events (`POST /api/events`): the body's Standard Webhooks signature (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`, HMAC-SHA256 with the `whsec_` secret) is checked
 * against the raw bytes with the service's clock, timestamps more than 5 minutes away are
 * refused, and each `webhook-id` is handled once: a replay gets 409 and the first outcome.
 */
export function createEventIntake(deps: {
  signingSecret: string | undefined;
  campaigns: CampaignService;
  state: CampaignState;
  importDeps: ImportDeps;
  timeZone: string;
  now: () => Date;
  logger: Logger;
}) {
  const log = deps.logger.child({ module: 'campaign-events' });
  const webhook = deps.signingSecret ? new Webhook(deps.signingSecret) : null;

  /** Checks the signature; returns the event id and the parsed body. Never logs the signature. */
  function verify(raw: string, headers: Record<string, string | undefined>): { eventId: string; body: unknown } {
    if (!webhook) throw new AppError('EVENTS_NOT_CONFIGURED', 'Events are off: set EVENTS_SIGNING_SECRET (a whsec_ secret) to accept them', { status: 503, expose: true });
    const eventId = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signature = headers['webhook-signature'];
    if (!eventId || !timestamp || !signature) throw unauthorized('EVENT_SIGNATURE_MISSING', 'Sign the event: webhook-id, webhook-timestamp and webhook-signature headers are required');
    if (!/^[\w.:-]{1,128}$/.test(eventId)) throw new ValidationError('EVENT_ID_INVALID', 'webhook-id must be 1–128 letters, digits, _ . : or -');
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(seconds)) throw unauthorized('EVENT_SIGNATURE_INVALID', 'webhook-timestamp must be whole seconds since 1970');
    if (Math.abs(deps.now().getTime() / 1000 - seconds) > EVENT_TOLERANCE_SECONDS) {
      log.warn({ eventId }, 'event refused: timestamp outside the 5-minute window');
      throw unauthorized('EVENT_STALE', 'webhook-timestamp is more than 5 minutes from now; sign each delivery with the current time');
    }
    const expected = Buffer.from(webhook.sign(eventId, new Date(seconds * 1000), raw).split(',')[1] ?? '');
    const matches = signature.split(' ').some((entry) => {
      const [version, value] = entry.split(',');
      const given = Buffer.from(value ?? '');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!matches) {
      log.warn({ eventId }, 'event refused: bad signature');
      throw unauthorized('EVENT_SIGNATURE_INVALID', 'The signature does not match the body; sign the exact bytes sent with the EVENTS_SIGNING_SECRET');
    }
    try {
      return { eventId, body: JSON.parse(raw) as unknown };
    } catch {
      throw new ValidationError('BODY_NOT_JSON', 'Request body is not valid JSON');
    }
  }

  /** Handles a verified event once per id. */
  async function accept(eventId: string, body: unknown): Promise<EventOutcome> {
    const parsed = audienceEventSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new ValidationError('EVENT_INVALID', problems.map((p) => `${p.path || '(body)'}: ${p.message}`).join('; '), { problems });
    }
    const event = parsed.data;
    const row = readAudienceRow(rowInputOf(event), { timeZone: deps.timeZone, now: deps.now() });
    if (!row.ok) throw new ValidationError('EVENT_INVALID', row.problems.map((p) => `${p.field ?? '(event)'}: ${p.message}`).join('; '), { problems: row.problems });
    const begun = await deps.state.beginEvent(eventId);
    if (begun.state === 'busy') throw new EventReplayedError(eventId, null);
    if (begun.state === 'done') {
      log.warn({ eventId }, 'event replay refused');
      throw new EventReplayedError(eventId, JSON.parse(begun.outcome) as EventOutcome);
    }
    try {
      const outcome = await invite(eventId, event, row.row);
      await deps.state.finishEvent(eventId, JSON.stringify(outcome));
      log.info({ eventId, type: event.type, invitations: outcome.invitations.length, skipped: outcome.skipped.map((s) => s.reason) }, 'event handled');
      return outcome;
    } catch (error) {
      // Not handled: a retry of the same id may try again.
      await deps.state.finishEvent(eventId, null).catch(() => undefined);
      throw error;
    }
  }

  async function invite(eventId: string, event: AudienceEvent, row: AudienceRow): Promise<EventOutcome> {
    const targets = await campaignsFor(event);
    const outcome: EventOutcome = { eventId, invitations: [], skipped: [] };
    if (!targets.length) outcome.skipped.push({ campaignId: null, reason: 'no_campaign' });
    for (const target of targets) {
      const campaign = await deps.campaigns.withLink(target);
      for await (const result of importAudience(deps.importDeps, campaign, oneRow(row), { now: deps.now(), source: 'event' })) {
        if ('invited' in result) {
          const i = result.invited;
          outcome.invitations.push({
            campaignId: campaign.id,
            invitationId: i.id,
            customerRef: i.customerRef,
            sceneParam: i.sceneParam,
            url: invitationUrl(campaign.contactWay.url, i.sceneParam),
            sendAt: i.sendAt.toISOString(),
            expiresAt: i.expiresAt.toISOString(),
          });
        } else outcome.skipped.push({ campaignId: campaign.id, invitationId: result.invitationId, reason: result.skipped });
      }
    }
    return outcome;
  }

  async function campaignsFor(event: AudienceEvent): Promise<Campaign[]> {
    if (!event.campaignId) return deps.campaigns.activeForEvent(event.type);
    const campaign = await deps.campaigns.cached(event.campaignId);
    if (!campaign) throw new ValidationError('CAMPAIGN_NOT_FOUND', `No campaign ${event.campaignId}`);
    if (campaign.status !== 'active' || campaign.audience.source === 'upload') {
      throw new AppError('CAMPAIGN_NOT_ACCEPTING_EVENTS', `Campaign ${campaign.id} is ${campaign.status} and takes ${campaign.audience.source}; it accepts no events now`, { status: 409 });
    }
    return [campaign];
  }

  return { verify, accept };
}

function rowInputOf(event: AudienceEvent): AudienceRowInput {
  const customer = typeof event.customer === 'string' ? { ref: event.customer } : event.customer;
  return {
    customerRef: customer.ref,
    name: 'name' in customer ? customer.name : undefined,
    phone: 'phone' in customer ? customer.phone : undefined,
    externalUserId: 'externalUserId' in customer ? customer.externalUserId : undefined,
    advisorUserId: 'advisorUserId' in customer ? customer.advisorUserId : undefined,
    store: event.store,
    orderId: event.orderId,
    products: event.products,
    touchpoint: event.touchpoint,
    visitAt: event.occurredAt,
  };
}

async function* oneRow(row: AudienceRow): AsyncGenerator<SourcedRow> {
  yield { at: 1, row };
}
