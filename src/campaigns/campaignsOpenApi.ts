import { z } from 'zod';
import { campaignCreateSchema, campaignPatchSchema, audienceEventSchema } from './campaignTypes.ts';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
};
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const ok = (description: string, schema: Json): Json => ({ description, content: json(schema) });
const error = (description: string): Json => ({ description, content: json(ref('ErrorWithDetails')) });
const role = (r: string) => ({ 'x-required-role': r });
const campaignId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9]{4,24}$' } };
const invitationId = { name: 'invitationId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } };
const dateTime = { type: 'string', format: 'date-time' };
const auth = { 401: error('No valid bearer token'), 403: error('The role may not do this') };

/** The campaigns part of `/api/openapi.json`: paths and component schemas. */
export function campaignsOpenApi(): { paths: Json; schemas: Json } {
  return {
    paths: {
      '/api/campaigns': {
        get: { summary: 'Campaigns, newest first', tags: ['campaigns'], ...role('viewer'), responses: { 200: ok('Campaigns', { type: 'object', properties: { items: { type: 'array', items: ref('Campaign') } } }), ...auth } },
        post: {
          summary: 'Create a campaign. Only name and flowId are required; `{ name, flowId, status: "active", quietHours: null }` is a working campaign (quiet hours off, other fields at their defaults)',
          tags: ['campaigns'],
          ...role('admin'),
          requestBody: { required: true, content: json(jsonSchema(campaignCreateSchema)) },
          responses: { 201: ok('Created, with its id', ref('Campaign')), 400: error('Invalid: BODY_INVALID, FLOW_NOT_PUBLISHED, CAMPAIGN_KF_ACCOUNT_REQUIRED'), ...auth },
        },
      },
      '/api/campaigns/{id}': {
        get: { summary: 'One campaign', tags: ['campaigns'], ...role('viewer'), parameters: [campaignId], responses: { 200: ok('Campaign', ref('Campaign')), 404: error('CAMPAIGN_NOT_FOUND'), ...auth } },
        patch: {
          summary: 'Change fields (e.g. status active/paused/ended, samplingRate, dailyCap, quietHours)',
          tags: ['campaigns'],
          ...role('admin'),
          parameters: [campaignId],
          requestBody: { required: true, content: json(jsonSchema(campaignPatchSchema)) },
          responses: { 200: ok('Changed', ref('Campaign')), 400: error('BODY_INVALID, FLOW_NOT_PUBLISHED'), 404: error('CAMPAIGN_NOT_FOUND'), ...auth },
        },
      },
      '/api/campaigns/{id}/audience': {
        post: {
          summary:
            'Invite an audience: CSV (text/csv, UTF-8 or GBK; a leading BOM, else the charset in Content-Type or ?encoding=gbk, else detected on the whole file) or JSON rows. ' +
            'Every line is decoded strictly and every row validated first: bytes invalid in the charset or a BOM past the start refuse the upload (400 AUDIENCE_ENCODING), ' +
            'and so does any bad row (400 AUDIENCE_INVALID, the first 50 problems with line numbers, `more` counting the rest); nothing is imported. ' +
            'Limits: CSV 64 MB, 200,000 rows, 16 KB per line or record, 100 columns; JSON 8 MB, 20,000 rows (BODY_TOO_COMPLEX past 800,000 values). Then each row is sampled and gated ' +
            '(opt-out, one invitation per customer per fatigue window across campaigns, daily cap) before its invitation is created',
          tags: ['campaigns'],
          ...role('admin'),
          parameters: [
            campaignId,
            { name: 'encoding', in: 'query', required: false, schema: { type: 'string', enum: ['utf-8', 'gbk', 'gb2312', 'gb18030'] } },
            { name: 'details', in: 'query', required: false, description: '`summary` leaves the invitation and skipped lists out', schema: { type: 'string', enum: ['full', 'summary'] } },
          ],
          requestBody: {
            required: true,
            content: {
              'text/csv': { schema: { type: 'string', description: 'Header line, then one customer per line. Columns (English or Chinese): customerRef/客户编号 (required), name/姓名, phone/手机号, externalUserId/外部联系人ID, advisorUserId/顾问, store/门店, orderId/订单号, products/项目 (separated by 、 , ;), touchpoint/服务类型, visitAt/到店时间 (2026-11-28 14:30 in SURVEY_TIMEZONE, or ISO 8601)' } },
              'application/json': { schema: { oneOf: [{ type: 'array', items: ref('AudienceRow') }, { type: 'object', properties: { rows: { type: 'array', items: ref('AudienceRow') } }, required: ['rows'] }] } },
            },
          },
          responses: {
            200: ok('Invitations created and rows skipped, with reasons', ref('AudienceResult')),
            400: error('AUDIENCE_INVALID (problems: line or row, field, message; more), AUDIENCE_ENCODING (problems: line, message), AUDIENCE_LINE_TOO_LONG, AUDIENCE_EMPTY, BODY_NOT_JSON, BODY_TOO_COMPLEX'),
            409: error('CAMPAIGN_NOT_ACTIVE'),
            413: error('BODY_TOO_LARGE, AUDIENCE_TOO_MANY_ROWS'),
            415: error('UNSUPPORTED_MEDIA_TYPE'),
            502: error('CAMPAIGN_LINK_UNAVAILABLE: WeCom gave no kf link'),
            ...auth,
          },
        },
      },
      '/api/campaigns/{id}/stats': {
        get: { summary: 'Invited, opened, started, completed, response rate, skipped by reason, today against the daily cap', tags: ['campaigns'], ...role('viewer'), parameters: [campaignId], responses: { 200: ok('Stats', ref('CampaignStats')), 404: error('CAMPAIGN_NOT_FOUND'), ...auth } },
      },
      '/api/campaigns/{id}/invitations.csv': {
        get: {
          summary: 'Every invitation of the campaign as CSV (UTF-8 with BOM) for SMS or app push: customer, link, send time, expiry, status',
          tags: ['campaigns'],
          ...role('admin'),
          parameters: [campaignId],
          responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 404: error('CAMPAIGN_NOT_FOUND'), ...auth },
        },
      },
      '/api/campaigns/{id}/invitations/{invitationId}': {
        get: { summary: 'One invitation with its link and status', tags: ['campaigns'], ...role('admin'), parameters: [campaignId, invitationId], responses: { 200: ok('Invitation', ref('Invitation')), 404: error('CAMPAIGN_NOT_FOUND, INVITATION_NOT_FOUND'), ...auth } },
      },
      '/api/campaigns/{id}/invitations/{invitationId}/qr.png': {
        get: {
          summary: 'The invitation link as a QR code',
          tags: ['campaigns'],
          ...role('admin'),
          parameters: [campaignId, invitationId],
          responses: { 200: { description: 'PNG', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } }, 404: error('INVITATION_NOT_FOUND'), ...auth },
        },
      },
      '/api/events': {
        post: {
          summary:
            'A purchase or visit from the merchant’s systems (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature = v1,<base64 HMAC-SHA256 of "id.timestamp.body"> with EVENTS_SIGNING_SECRET). ' +
            'Creates an invitation in each active campaign that takes the event type (or the one named by campaignId). The same webhook-id is handled once',
          tags: ['campaigns'],
          security: [],
          parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })),
          requestBody: { required: true, content: json(jsonSchema(audienceEventSchema)) },
          responses: {
            200: ok('Handled', ref('EventOutcome')),
            400: error('EVENT_INVALID, BODY_NOT_JSON, EVENT_ID_INVALID'),
            401: error('EVENT_SIGNATURE_MISSING, EVENT_SIGNATURE_INVALID, EVENT_STALE (timestamp more than 5 minutes away)'),
            409: { description: 'EVENT_REPLAYED (this webhook-id was handled; `outcome` repeats what it did), EVENT_IN_PROGRESS, CAMPAIGN_NOT_ACCEPTING_EVENTS', content: json({ type: 'object', properties: { error: ref('Error'), outcome: ref('EventOutcome') } }) },
            503: error('EVENTS_NOT_CONFIGURED: EVENTS_SIGNING_SECRET is not set'),
          },
        },
      },
    },
    schemas: {
      Campaign: {
        allOf: [
          jsonSchema(campaignCreateSchema, 'output'),
          {
            type: 'object',
            properties: {
              id: { type: 'string' },
              scene: { type: 'string', description: 'WeCom scene of the campaign’s kf link' },
              contactWay: { type: ['object', 'null'], properties: { url: { type: 'string' }, openKfId: { type: 'string' }, createdAt: dateTime } },
              createdBy: { type: 'string' },
              createdAt: dateTime,
              updatedAt: dateTime,
            },
            required: ['id'],
          },
        ],
      },
      AudienceRow: {
        type: 'object',
        required: ['customerRef'],
        properties: {
          ...Object.fromEntries(['customerRef', 'name', 'phone', 'externalUserId', 'advisorUserId', 'store', 'orderId', 'touchpoint', 'visitAt'].map((k): [string, Json] => [k, { type: 'string' }])),
          products: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
        },
      },
      InvitationLink: {
        type: 'object',
        properties: { line: { type: 'integer' }, row: { type: 'integer' }, customerRef: { type: 'string' }, invitationId: { type: 'string' }, sceneParam: { type: 'string', maxLength: 128 }, url: { type: 'string' }, sendAt: dateTime, expiresAt: dateTime },
        required: ['customerRef', 'sceneParam', 'url'],
      },
      AudienceResult: {
        type: 'object',
        properties: {
          campaignId: { type: 'string' },
          received: { type: 'integer' },
          invited: { type: 'integer' },
          skippedCount: { type: 'integer' },
          skippedByReason: { type: 'object', additionalProperties: { type: 'integer' } },
          ignoredColumns: { type: 'array', items: { type: 'string' } },
          rowsNumberedBy: { type: 'string', enum: ['line', 'row'] },
          invitations: { type: 'array', items: ref('InvitationLink') },
          skipped: {
            type: 'array',
            items: { type: 'object', properties: { line: { type: 'integer' }, row: { type: 'integer' }, customerRef: { type: 'string' }, reason: { type: 'string', enum: ['duplicate', 'opted_out', 'fatigue', 'sampled_out', 'daily_cap'] }, invitationId: { type: 'string' } } },
          },
        },
      },
      Invitation: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          campaignId: { type: 'string' },
          customerRef: { type: 'string' },
          sceneParam: { type: 'string' },
          url: { type: 'string' },
          status: { type: 'string', enum: ['invited', 'opened', 'started', 'completed', 'expired'] },
          sendAt: dateTime,
          expiresAt: dateTime,
          openedAt: dateTime,
          completedAt: dateTime,
        },
      },
      CampaignStats: {
        type: 'object',
        properties: {
          campaignId: { type: 'string' },
          invited: { type: 'integer' },
          opened: { type: 'integer' },
          started: { type: 'integer', description: 'Entered and answered at least one question' },
          completed: { type: 'integer' },
          responseRate: { type: 'number', description: 'completed ÷ invited' },
          openRate: { type: 'number' },
          skipped: { type: 'object', additionalProperties: { type: 'integer' } },
          skippedTotal: { type: 'integer' },
          today: { type: 'object', properties: { day: { type: 'string' }, invited: { type: 'integer' }, cap: { type: ['integer', 'null'] } } },
        },
      },
      EventOutcome: {
        type: 'object',
        properties: {
          eventId: { type: 'string' },
          invitations: { type: 'array', items: { allOf: [ref('InvitationLink'), { type: 'object', properties: { campaignId: { type: 'string' } } }] } },
          skipped: { type: 'array', items: { type: 'object', properties: { campaignId: { type: ['string', 'null'] }, invitationId: { type: 'string' }, reason: { type: 'string' } } } },
        },
      },
    },
  };
}
