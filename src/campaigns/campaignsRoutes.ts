import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { principalOf, errorDetails, type AdminAuth } from '../admin/api/adminAuth.ts';
import { parseInput, readAdminBody } from '../admin/api/readAdminBody.ts';
import type { AuditLog } from '../core/admin.ts';
import type { Campaign, Invitation, InvitationStore } from '../core/campaigns.ts';
import { NotFoundError } from '../core/errors.ts';
import { CSV_LIMIT_BYTES, type AudienceUpload } from './audienceUpload.ts';
import type { CampaignService } from './campaignService.ts';
import { campaignCreateSchema, campaignPatchSchema } from './campaignTypes.ts';
import { invitationCsvLines, invitationQrPng, invitationStatus } from './invitationExport.ts';
import { invitationUrl } from './planInvitation.ts';
import { z } from 'zod';

const idParams = z.object({ id: z.string().regex(/^[a-z0-9]{4,24}$/, 'a campaign id') });
const invitationParams = idParams.extend({ invitationId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'an invitation id') });

/**
 * The campaigns admin API. Viewers read campaigns and stats; admins create and change them,
 * upload audiences (CSV or JSON rows) and download invitations (they hold phone numbers).
 */
export function createCampaignsRoutes(deps: {
  campaigns: CampaignService;
  invitations: InvitationStore;
  upload: AudienceUpload;
  audit: AuditLog;
  auth: AdminAuth;
  timeZone: string;
  now: () => Date;
}): Router {
  const router = new Router({ prefix: '/api/campaigns' });
  router.use(errorDetails);
  const admin: Middleware = deps.auth('admin');
  const viewer: Middleware = deps.auth('viewer');

  router.get('/', viewer, async (ctx) => {
    ctx.body = { items: (await deps.campaigns.list()).map(view) };
  });

  router.post('/', admin, async (ctx) => {
    const input = await readAdminBody(ctx, campaignCreateSchema);
    const principal = principalOf(ctx.state);
    const campaign = await deps.campaigns.create(input, principal.name);
    await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'campaign.created', note: `${campaign.id} ${campaign.name}`, details: { campaignId: campaign.id, flowId: campaign.flowId } });
    ctx.status = 201;
    ctx.body = view(campaign);
  });

  router.get('/:id', viewer, async (ctx) => {
    ctx.body = view(await deps.campaigns.get(parseInput(idParams, ctx.params).id));
  });

  router.patch('/:id', admin, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params);
    const patch = await readAdminBody(ctx, campaignPatchSchema);
    const principal = principalOf(ctx.state);
    const campaign = await deps.campaigns.update(id, patch, principal.name);
    await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'campaign.changed', note: `${id}: ${Object.keys(patch).join(', ')}`, details: { campaignId: id, ...(patch.status ? { status: patch.status } : {}) } });
    ctx.body = view(campaign);
  });

  router.get('/:id/stats', viewer, async (ctx) => {
    ctx.body = await deps.campaigns.stats(parseInput(idParams, ctx.params).id);
  });

  router.post('/:id/audience', admin, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params);
    const principal = principalOf(ctx.state);
    const campaign = await deps.campaigns.get(id);
    let result;
    try {
      // Not destroyed when reading stops early: the request is drained below instead.
      const body = ctx.req.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>;
      result = await deps.upload.receive({ body, contentType: ctx.get('content-type'), query: ctx.query }, campaign);
    } catch (error) {
      discardRest(ctx.req, CSV_LIMIT_BYTES);
      throw error;
    }
    await deps.audit.record({
      actor: principal.name,
      actorRole: principal.role,
      action: 'campaign.audience_imported',
      note: `${id}: ${result.summary.received} rows, ${result.summary.invited} invited, ${result.summary.skipped} skipped`,
      details: { campaignId: id, ...result.summary },
    });
    ctx.type = 'application/json';
    ctx.body = Readable.from(result.body);
  });

  router.get('/:id/invitations.csv', admin, async (ctx) => {
    const campaign = await deps.campaigns.withLink(await deps.campaigns.get(parseInput(idParams, ctx.params).id));
    const lines = invitationCsvLines(deps.invitations.stream(campaign.id), { urlOf: (i) => invitationUrl(campaign.contactWay.url, i.sceneParam), timeZone: deps.timeZone, now: deps.now() });
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment(`invitations-${campaign.id}.csv`);
    ctx.body = Readable.from(lines);
  });

  router.get('/:id/invitations/:invitationId', admin, async (ctx) => {
    const { campaign, invitation } = await find(ctx.params);
    ctx.body = { ...invitation, url: invitationUrl(campaign.contactWay.url, invitation.sceneParam), status: invitationStatus(invitation, deps.now()) };
  });

  router.get('/:id/invitations/:invitationId/qr.png', admin, async (ctx) => {
    const { campaign, invitation } = await find(ctx.params);
    ctx.type = 'image/png';
    ctx.set('cache-control', 'private, max-age=3600');
    ctx.body = await invitationQrPng(invitationUrl(campaign.contactWay.url, invitation.sceneParam));
  });

  async function find(params: unknown): Promise<{ campaign: Campaign & { contactWay: NonNullable<Campaign['contactWay']> }; invitation: Invitation }> {
    const { id, invitationId } = parseInput(invitationParams, params);
    const campaign = await deps.campaigns.withLink(await deps.campaigns.get(id));
    const invitation = await deps.invitations.get(id, invitationId);
    if (!invitation) throw new NotFoundError('INVITATION_NOT_FOUND', `No invitation ${invitationId} in campaign ${id}`);
    return { campaign, invitation };
  }

  return router;
}

/**
 * A refusal can come before the whole body arrived (a line too long, a body too large): the rest
 * is read and thrown away, up to `limit` more bytes, so the client gets the answer instead of a
 * reset connection; past that the connection is cut.
 */
function discardRest(request: IncomingMessage, limit: number): void {
  if (request.readableEnded || request.destroyed) return;
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) request.destroy();
  });
  request.resume();
}

/** A campaign as the API shows it (the kf link included once obtained). */
export function view(campaign: Campaign) {
  return { ...campaign, contactWay: campaign.contactWay ?? null };
}
