import { Readable } from 'node:stream';
import { z } from 'zod';
import type { AuditLog } from '../core/admin.ts';
import type { Campaign, Invitation, InvitationStore } from '../core/campaigns.ts';
import { NotFoundError } from '../core/errors.ts';
import { itemsOf } from '../http/apiSchemas.ts';
import { discardRest } from '../http/readBody.ts';
import { defineRoute, reply, type Route } from '../http/route.ts';
import { CSV_LIMIT_BYTES, type AudienceUpload } from './audienceUpload.ts';
import type { CampaignService } from './campaignService.ts';
import { audienceBodies, audienceResultSchema, campaignSchema, campaignStatsSchema, invitationSchema } from './campaignsApiSchemas.ts';
import { campaignCreateSchema, campaignPatchSchema } from './campaignTypes.ts';
import { invitationCsvLines, invitationQrPng, invitationStatus } from './invitationExport.ts';
import { invitationUrl } from './planInvitation.ts';

const idParams = z.object({ id: z.string().regex(/^[a-z0-9]{4,24}$/, 'a campaign id') });
const invitationParams = idParams.extend({ invitationId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'an invitation id') });
const tags = ['campaigns'];

/**
 * The campaigns admin API. Viewers read campaigns and stats; admins create and change them,
 * upload audiences (CSV or JSON rows) and download invitations (they hold phone numbers).
 */
export function campaignsRoutes(deps: {
  campaigns: CampaignService;
  invitations: InvitationStore;
  upload: AudienceUpload;
  audit: AuditLog;
  timeZone: string;
  now: () => Date;
}): Route[] {
  async function find(params: z.infer<typeof invitationParams>): Promise<{ campaign: Campaign & { contactWay: NonNullable<Campaign['contactWay']> }; invitation: Invitation }> {
    const campaign = await deps.campaigns.withLink(await deps.campaigns.get(params.id));
    const invitation = await deps.invitations.get(params.id, params.invitationId);
    if (!invitation) throw new NotFoundError('INVITATION_NOT_FOUND', `No invitation ${params.invitationId} in campaign ${params.id}`);
    return { campaign, invitation };
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/campaigns',
      auth: 'viewer',
      tags,
      summary: 'Campaigns, newest first',
      output: itemsOf(campaignSchema),
      handler: async () => ({ items: (await deps.campaigns.list()).map(view) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/campaigns',
      auth: 'admin',
      tags,
      summary:
        'Create a campaign. Only name and flowId are required; `{ name, flowId, status: "active", quietHours: null }` is a working campaign (quiet hours off, other fields at their defaults)',
      input: { body: campaignCreateSchema },
      output: { status: 201, description: 'Created, with its id', schema: campaignSchema },
      errors: { 400: 'FLOW_NOT_PUBLISHED, CAMPAIGN_KF_ACCOUNT_REQUIRED' },
      handler: async ({ body, principal }) => {
        const campaign = await deps.campaigns.create(body, principal.name);
        await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'campaign.created', note: `${campaign.id} ${campaign.name}`, details: { campaignId: campaign.id, flowId: campaign.flowId } });
        return reply({ status: 201, body: view(campaign) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/campaigns/:id',
      auth: 'viewer',
      tags,
      summary: 'One campaign',
      input: { params: idParams },
      output: campaignSchema,
      errors: { 404: 'CAMPAIGN_NOT_FOUND' },
      handler: async ({ params }) => view(await deps.campaigns.get(params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/campaigns/:id',
      auth: 'admin',
      tags,
      summary: 'Change fields (e.g. status active/paused/ended, samplingRate, dailyCap, quietHours)',
      input: { params: idParams, body: campaignPatchSchema },
      output: campaignSchema,
      errors: { 400: 'FLOW_NOT_PUBLISHED', 404: 'CAMPAIGN_NOT_FOUND' },
      handler: async ({ params: { id }, body: patch, principal }) => {
        const campaign = await deps.campaigns.update(id, patch, principal.name);
        await deps.audit.record({ actor: principal.name, actorRole: principal.role, action: 'campaign.changed', note: `${id}: ${Object.keys(patch).join(', ')}`, details: { campaignId: id, ...(patch.status ? { status: patch.status } : {}) } });
        return view(campaign);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/campaigns/:id/stats',
      auth: 'viewer',
      tags,
      summary: 'Invited, opened, started, completed, response rate, skipped by reason, today against the daily cap',
      input: { params: idParams },
      output: campaignStatsSchema,
      errors: { 404: 'CAMPAIGN_NOT_FOUND' },
      handler: ({ params }) => deps.campaigns.stats(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/api/campaigns/:id/audience',
      auth: 'admin',
      tags,
      summary: 'Invite an audience from a CSV file (UTF-8 or GBK) or JSON rows; any bad row refuses the whole upload',
      description:
        'CSV charset: a leading BOM, else the charset in Content-Type or `?encoding=utf-8|gbk|gb2312|gb18030`, else detected on the whole file; `?details=summary` leaves the ' +
        'invitation and skipped lists out. Every line is decoded strictly and every row validated first: bytes invalid in the charset or a BOM past the start refuse the ' +
        'upload (400 AUDIENCE_ENCODING), and so does any bad row (400 AUDIENCE_INVALID, the first 50 problems with line numbers, `more` counting the rest); nothing is ' +
        'imported. Limits: CSV 64 MB, 200,000 rows, 16 KB per line or record, 100 columns; JSON 8 MB, 20,000 rows (BODY_TOO_COMPLEX past 800,000 values). Then each row ' +
        'is sampled and gated (opt-out, one invitation per customer per fatigue window across campaigns, daily cap) before its invitation is created.',
      input: { params: idParams, rawBody: audienceBodies },
      output: { description: 'Invitations created and rows skipped, with reasons', schema: audienceResultSchema },
      errors: {
        400: 'AUDIENCE_INVALID (problems: line or row, field, message; more), AUDIENCE_ENCODING (problems: line, message), AUDIENCE_LINE_TOO_LONG, AUDIENCE_EMPTY, BODY_NOT_JSON, BODY_TOO_COMPLEX',
        404: 'CAMPAIGN_NOT_FOUND',
        409: 'CAMPAIGN_NOT_ACTIVE',
        413: 'BODY_TOO_LARGE, AUDIENCE_TOO_MANY_ROWS',
        415: 'UNSUPPORTED_MEDIA_TYPE',
        502: 'CAMPAIGN_LINK_UNAVAILABLE: WeCom gave no kf link',
      },
      handler: async ({ params: { id }, principal, stream, header, rawQuery }) => {
        const campaign = await deps.campaigns.get(id);
        let result;
        try {
          // Not destroyed when reading stops early: the request is drained below instead.
          const body = stream.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>;
          result = await deps.upload.receive({ body, contentType: header('content-type'), query: rawQuery }, campaign);
        } catch (error) {
          discardRest(stream, CSV_LIMIT_BYTES);
          throw error;
        }
        await deps.audit.record({
          actor: principal.name,
          actorRole: principal.role,
          action: 'campaign.audience_imported',
          note: `${id}: ${result.summary.received} rows, ${result.summary.invited} invited, ${result.summary.skipped} skipped`,
          details: { campaignId: id, ...result.summary },
        });
        return reply({ type: 'application/json', body: Readable.from(result.body) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/campaigns/:id/invitations.csv',
      auth: 'admin',
      tags,
      summary: 'Every invitation of the campaign as CSV (UTF-8 with BOM) for SMS or app push: customer, link, send time, expiry, status',
      input: { params: idParams },
      output: { description: 'CSV', type: 'text/csv' },
      errors: { 404: 'CAMPAIGN_NOT_FOUND' },
      handler: async ({ params }) => {
        const campaign = await deps.campaigns.withLink(await deps.campaigns.get(params.id));
        const lines = invitationCsvLines(deps.invitations.stream(campaign.id), { urlOf: (i) => invitationUrl(campaign.contactWay.url, i.sceneParam), timeZone: deps.timeZone, now: deps.now() });
        return reply({ type: 'text/csv; charset=utf-8', attachment: `invitations-${campaign.id}.csv`, body: Readable.from(lines) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/campaigns/:id/invitations/:invitationId',
      auth: 'admin',
      tags,
      summary: 'One invitation with its link and status',
      input: { params: invitationParams },
      output: invitationSchema,
      errors: { 404: 'CAMPAIGN_NOT_FOUND, INVITATION_NOT_FOUND' },
      handler: async ({ params }) => {
        const { campaign, invitation } = await find(params);
        return { ...invitation, url: invitationUrl(campaign.contactWay.url, invitation.sceneParam), status: invitationStatus(invitation, deps.now()) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/campaigns/:id/invitations/:invitationId/qr.png',
      auth: 'admin',
      tags,
      summary: 'The invitation link as a QR code',
      input: { params: invitationParams },
      output: { description: 'PNG', type: 'image/png', schema: z.string().meta({ format: 'binary' }) },
      errors: { 404: 'CAMPAIGN_NOT_FOUND, INVITATION_NOT_FOUND' },
      handler: async ({ params }) => {
        const { campaign, invitation } = await find(params);
        return reply({ type: 'image/png', headers: { 'cache-control': 'private, max-age=3600' }, body: await invitationQrPng(invitationUrl(campaign.contactWay.url, invitation.sceneParam)) });
      },
    }),
  ];
}

/** A campaign as the API shows it (the kf link included once obtained). */
export function view(campaign: Campaign) {
  return { ...campaign, contactWay: campaign.contactWay ?? null };
}
