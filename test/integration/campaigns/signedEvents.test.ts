import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { campaignCall, createCampaign, type LooseJson } from '../../support/campaignApi.ts';
import { isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
let service: RunningService;
let campaignId: string;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('campaign_events', { EVENTS_SIGNING_SECRET: secret }));
  campaignId = await createCampaign(service, { audience: { source: 'events', eventTypes: ['order.completed', 'visit.completed'] } });
  // An upload-only campaign must not receive events.
  await createCampaign(service, { audience: { source: 'upload', eventTypes: [] } });
});
afterAll(async () => {
  await service?.stop();
});

/** POSTs an event signed as the merchant's system would (Standard Webhooks). */
async function send(body: unknown, options: { id?: string; at?: Date; key?: string; raw?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: LooseJson }> {
  const raw = options.raw ?? JSON.stringify(body);
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const at = options.at ?? new Date();
  const signature = new Webhook(options.key ?? secret).sign(id, at, raw);
  const res = await fetch(`${service.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature, ...options.headers },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

const order = (ref: string, extra: Record<string, unknown> = {}) => ({
  type: 'order.completed',
  customer: { ref, name: '林女士' },
  store: '静安店',
  orderId: `O-${ref}`,
  products: ['水光针'],
  touchpoint: '购买',
  occurredAt: '2026-11-30T15:00:00+08:00',
  ...extra,
});

describe('signed events (POST /api/events)', () => {
  it('a validly signed event creates an invitation in each active campaign that takes it', async () => {
    const res = await send(order('V001'));
    expect(res.status).toBe(200);
    expect(res.json.invitations).toEqual([
      {
        campaignId,
        invitationId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        customerRef: 'V001',
        sceneParam: expect.stringMatching(/^hf1\./),
        url: expect.stringMatching(/scene_param=hf1\./),
        sendAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
    const stats = (await campaignCall(service, 'GET', `/api/campaigns/${campaignId}/stats`)).json();
    expect(stats.invited).toBe(1);
  });

  it('refuses a bad signature, a missing one and one made with another secret', async () => {
    const tampered = await send(order('V002'), { raw: JSON.stringify(order('V002')), headers: { 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' } });
    expect(tampered.status).toBe(401);
    expect(tampered.json.error.code).toBe('EVENT_SIGNATURE_INVALID');
    const otherKey = await send(order('V002'), { key: `whsec_${randomBytes(24).toString('base64')}` });
    expect(otherKey.json.error.code).toBe('EVENT_SIGNATURE_INVALID');
    const missing = await fetch(`${service.url}/api/events`, { method: 'POST', body: JSON.stringify(order('V002')) });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('EVENT_SIGNATURE_MISSING');
    // The body changed after signing.
    const id = 'msg_changed';
    const at = new Date();
    const signature = new Webhook(secret).sign(id, at, JSON.stringify(order('V002')));
    const changed = await fetch(`${service.url}/api/events`, {
      method: 'POST',
      headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature },
      body: JSON.stringify(order('V003')),
    });
    expect(changed.status).toBe(401);
    expect((await campaignCall(service, 'GET', `/api/campaigns/${campaignId}/stats`)).json().invited).toBe(1);
  });

  it('refuses a replay of a handled webhook-id with the first outcome, creating one invitation', async () => {
    const id = `msg_${randomBytes(6).toString('hex')}`;
    const first = await send(order('V010'), { id });
    expect(first.status).toBe(200);
    // The exact same delivery again, and a re-signed retry of the same id a minute later.
    const replay = await send(order('V010'), { id });
    const retry = await send(order('V010'), { id, at: new Date(Date.now() + 60_000) });
    for (const again of [replay, retry]) {
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe('EVENT_REPLAYED');
      expect(again.json.outcome).toEqual(first.json);
    }
    // Another id for the same order is the same invitation: skipped as a duplicate.
    const sameOrder = await send(order('V010'));
    expect(sameOrder.json).toMatchObject({ invitations: [], skipped: [{ campaignId, reason: 'duplicate', invitationId: first.json.invitations[0].invitationId }] });
    expect((await campaignCall(service, 'GET', `/api/campaigns/${campaignId}/stats`)).json().invited).toBe(2);
  });

  it('refuses timestamps more than 5 minutes old or ahead', async () => {
    const stale = await send(order('V020'), { at: new Date(Date.now() - 6 * 60_000) });
    expect(stale.status).toBe(401);
    expect(stale.json.error.code).toBe('EVENT_STALE');
    const ahead = await send(order('V021'), { at: new Date(Date.now() + 6 * 60_000) });
    expect(ahead.json.error.code).toBe('EVENT_STALE');
    // Within the window is fine.
    expect((await send(order('V022'), { at: new Date(Date.now() - 4 * 60_000) })).status).toBe(200);
  });

  it('validates the body, routes by type, and may name one campaign', async () => {
    const bad = await send({ type: 'order.completed', customer: { ref: 'V030' }, occurredAt: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('EVENT_INVALID');
    const unknownType = await send(order('V031', { type: 'refund.completed' }));
    expect(unknownType.json).toMatchObject({ invitations: [], skipped: [{ campaignId: null, reason: 'no_campaign' }] });
    const named = await send(order('V032', { type: 'visit.completed', customer: 'V032', campaignId }));
    expect(named.json.invitations).toHaveLength(1);
  });
});
