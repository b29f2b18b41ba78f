import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAudience, type ImportDeps, type RowOutcome } from '../../../src/campaigns/audienceImport.ts';
import { createCampaignService, type CampaignService } from '../../../src/campaigns/campaignService.ts';
import { campaignCreateSchema } from '../../../src/campaigns/campaignTypes.ts';
import { createEntryResolver } from '../../../src/campaigns/entryResolver.ts';
import { createMassSender } from '../../../src/campaigns/massSend.ts';
import { createReminderPolicy } from '../../../src/campaigns/reminderPolicy.ts';
import type { AudienceRow, Campaign, CampaignState, InvitationStore } from '../../../src/core/campaigns.ts';
import type { SessionRecord } from '../../../src/core/sessions.ts';
import { createCampaignRepository, createInvitationRepository } from '../../../src/store/mongo/campaignRepository.ts';
import { createRedisCampaignState } from '../../../src/store/redis/redisCampaignState.ts';
import { createRedisTimers } from '../../../src/store/redis/redisTimers.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

// Campaign rules against real Redis and FerretDB, with the clock in the test's hand.
const tz = 'Asia/Shanghai';
const local = (text: string) => new Date(`${text}+08:00`);
let clock = local('2026-12-01T10:00:00');
const now = () => clock;

let stores: TestStores;
let state: CampaignState;
let invitations: InvitationStore;
let campaigns: CampaignService;
let deps: ImportDeps;
const sent: Array<{ sender: string; externalUserId: string; text: string; url: string }> = [];

beforeAll(async () => {
  stores = await openTestStores('campaign_clock');
  state = createRedisCampaignState(stores.redis, stores.keys);
  invitations = createInvitationRepository(stores.mongo);
  campaigns = createCampaignService({
    store: createCampaignRepository(stores.mongo),
    state,
    wecom: { addContactWay: async (_kf, scene) => `https://work.weixin.qq.com/kf/kfcTEST?enc_scene=${scene}` },
    flowExists: async () => true,
    defaultOpenKfId: 'wkTEST',
    timeZone: tz,
    now,
    logger: stores.logger,
  });
  deps = { invitations, state, secret: Buffer.from('clock-test-secret-clock-test-secret!!'), timeZone: tz, fatigueDays: 30 };
});
afterAll(async () => {
  await stores?.close();
});

async function campaign(fields: Record<string, unknown> = {}): Promise<Campaign> {
  return campaigns.create(campaignCreateSchema.parse({ name: 'c', flowId: 'nps-default', status: 'active', ...fields }), 'test');
}

async function run(target: Campaign, rows: AudienceRow[]): Promise<RowOutcome[]> {
  const out: RowOutcome[] = [];
  async function* source() {
    for (const [i, row] of rows.entries()) yield { at: i + 1, row };
  }
  for await (const o of importAudience(deps, target, source(), { now: clock, source: 'upload' })) out.push(o);
  return out;
}
const reasons = (outcomes: RowOutcome[]) => outcomes.map((o) => ('invited' in o ? 'invited' : o.skipped));

describe('fatigue (one invitation per customer per 30 days, across campaigns)', () => {
  it('holds a customer for 30 days from the invitation, then lets them be invited again', async () => {
    clock = local('2026-12-01T10:00:00');
    const a = await campaign();
    const b = await campaign();
    expect(reasons(await run(a, [{ customerRef: 'F1' }, { customerRef: 'F2', phone: '13600136000' }]))).toEqual(['invited', 'invited']);
    clock = local('2026-12-20T10:00:00');
    // Another campaign, the same customer by ref or by phone: not within 30 days.
    expect(reasons(await run(b, [{ customerRef: 'F1' }, { customerRef: 'F2-other-ref', phone: '13600136000' }, { customerRef: 'F3' }]))).toEqual(['fatigue', 'fatigue', 'invited']);
    // The first campaign's own invitation again is a duplicate, not fatigue.
    expect(reasons(await run(a, [{ customerRef: 'F1' }]))).toEqual(['duplicate']);
    clock = local('2026-12-31T10:00:01');
    expect(reasons(await run(b, [{ customerRef: 'F1' }, { customerRef: 'F3', touchpoint: '复诊' }]))).toEqual(['invited', 'fatigue']);
    const stats = await campaigns.stats(b.id);
    expect(stats).toMatchObject({ invited: 2, skipped: { fatigue: 3 }, skippedTotal: 3 });
  });

  it('caps invitations per local day of sending, and counts the skips', async () => {
    clock = local('2026-12-02T10:00:00');
    const capped = await campaign({ dailyCap: 2, delayMinutes: 0, quietHours: null });
    const rows = ['D1', 'D2', 'D3', 'D4'].map((customerRef) => ({ customerRef }));
    expect(reasons(await run(capped, rows))).toEqual(['invited', 'invited', 'daily_cap', 'daily_cap']);
    clock = local('2026-12-03T08:00:00');
    expect(reasons(await run(capped, rows))).toEqual(['duplicate', 'duplicate', 'invited', 'invited']);
    expect(await campaigns.stats(capped.id)).toMatchObject({ invited: 4, skipped: { daily_cap: 2, duplicate: 2 }, today: { day: '2026-12-03', invited: 2, cap: 2 } });
  });

  it('samples before the gate: a sampled-out customer is not held by fatigue', async () => {
    clock = local('2026-12-04T10:00:00');
    const none = await campaign({ samplingRate: 0 });
    const all = await campaign();
    expect(reasons(await run(none, [{ customerRef: 'S1' }]))).toEqual(['sampled_out']);
    expect(reasons(await run(all, [{ customerRef: 'S1' }]))).toEqual(['invited']);
  });
});

describe('quiet hours (21:00–09:00 in SURVEY_TIMEZONE)', () => {
  it('send times move to the morning; quietHours null sends at once', async () => {
    clock = local('2026-12-05T22:30:00');
    const quiet = await campaign({ delayMinutes: 0 });
    const open = await campaign({ delayMinutes: 0, quietHours: null });
    const [q] = await run(quiet, [{ customerRef: 'Q1' }]);
    const [o] = await run(open, [{ customerRef: 'Q2' }]);
    expect('invited' in q! && q.invited.sendAt).toEqual(local('2026-12-06T09:00:00'));
    expect('invited' in o! && o.invited.sendAt).toEqual(local('2026-12-05T22:30:00'));
    // The day a capped send counts against is the morning's.
    expect(await state.capUsed(quiet.id, '2026-12-06')).toBe(1);
  });

  it('a half-way survey gets at most one reminder, outside quiet hours and within WeCom’s 48 h', async () => {
    const c = await campaign();
    const open = await campaign({ quietHours: null });
    const off = await campaign({ reminder: null });
    const policy = createReminderPolicy({ campaigns, state, timeZone: tz });
    const session = (id: string, campaignId: string | undefined, lastCustomerAt: Date) => ({ id, campaignId, lastCustomerAt }) as SessionRecord;

    const wrote = local('2026-12-06T20:00:00');
    expect(await policy.decide(session('s1', c.id, wrote), local('2026-12-06T23:00:00'))).toEqual({ action: 'defer', until: local('2026-12-07T09:00:00') });
    expect(await policy.decide(session('s1', c.id, wrote), local('2026-12-07T09:00:00'))).toEqual({ action: 'send' });
    expect(await policy.decide(session('s1', c.id, wrote), local('2026-12-07T15:00:00'))).toEqual({ action: 'skip', reason: 'already_reminded' });
    // The window would close before the morning.
    expect(await policy.decide(session('s2', c.id, local('2026-12-05T06:00:00')), local('2026-12-06T23:00:00'))).toEqual({ action: 'skip', reason: 'quiet_until_window_closes' });
    expect(await policy.decide(session('s3', c.id, local('2026-12-04T06:00:00')), local('2026-12-06T12:00:00'))).toEqual({ action: 'skip', reason: 'outside_wecom_window' });
    expect(await policy.decide(session('s4', open.id, wrote), local('2026-12-06T23:00:00'))).toEqual({ action: 'send' });
    expect(await policy.decide(session('s5', off.id, wrote), local('2026-12-07T10:00:00'))).toEqual({ action: 'skip', reason: 'reminders_off' });
    // Sessions outside campaigns keep the engine's reminders as they were.
    expect(await policy.decide(session('s6', undefined, wrote), local('2026-12-06T23:00:00'))).toEqual({ action: 'send' });
  });

  it('mass sends wait for the morning, and an unopened invitation gets one reminder', async () => {
    clock = local('2026-12-08T21:30:00');
    const c = await campaign({ delayMinutes: 60, massSend: { enabled: true } });
    const timers = createRedisTimers(stores.redis, { ...stores.keys, timersDue: stores.keys.campaignTimersDue, timersPayload: stores.keys.campaignTimersPayload });
    const sender = createMassSender({
      campaigns,
      invitations,
      state,
      timers,
      timeZone: tz,
      now,
      logger: stores.logger,
      wecom: {
        addContactWay: async () => 'https://work.weixin.qq.com/kf/kfcTEST?enc_scene=m',
        addMsgTemplate: async (r) => {
          sent.push({ sender: r.sender, externalUserId: r.externalUserId, text: r.text, url: r.link.url });
          return { msgId: `m${sent.length}`, failed: false };
        },
      },
    });
    const outcomes = await importAudience({ ...deps, onCreated: (target, created) => sender.schedule(target, created) }, await campaigns.withLink(c), (async function* () {
      yield { at: 1, row: { customerRef: 'M1', name: '何女士', externalUserId: 'wm_m1', advisorUserId: 'advisor1', store: '静安店', touchpoint: '护理', visitAt: local('2026-12-08T19:00:00') } };
      yield { at: 2, row: { customerRef: 'M2', externalUserId: 'wm_m2' } };
    })(), { now: clock, source: 'upload' });
    const invited = [];
    for await (const o of outcomes) if ('invited' in o) invited.push(o.invited);
    expect(invited[0]!.sendAt).toEqual(local('2026-12-09T09:00:00'));

    clock = local('2026-12-08T23:00:00');
    await sender.runDue();
    expect(sent).toHaveLength(0);
    clock = local('2026-12-09T09:00:05');
    await sender.runDue();
    // Only the invitation with both the customer's WeCom id and their advisor.
    expect(sent).toEqual([{ sender: 'advisor1', externalUserId: 'wm_m1', text: expect.stringMatching(/^何女士好！关于12月8日在静安店的护理，想请您花两分钟聊聊感受/), url: expect.stringContaining(invited[0]!.sceneParam) }]);
    clock = local('2026-12-11T09:00:05');
    await sender.runDue();
    await sender.runDue();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text).toMatch(/还没完成/);
    clock = local('2026-12-14T09:00:05');
    await sender.runDue();
    expect(sent).toHaveLength(2);
  });
});

describe('entries with the clock', () => {
  it('an expired invitation is refused; a live one is attributed once', async () => {
    clock = local('2026-12-10T10:00:00');
    const c = await campaigns.withLink(await campaign({ delayMinutes: 0, expiresAfterHours: 24, quietHours: null }));
    const [o] = await run(c, [{ customerRef: 'X1', name: '冯女士' }]);
    const param = 'invited' in o! ? o.invited.sceneParam : '';
    const resolver = createEntryResolver({ campaigns, invitations, state, secret: deps.secret, timeZone: tz, logger: stores.logger });
    const conversation = { channel: 'wecom-kf', accountId: 'wkTEST', customerId: 'wm_x1' };
    const late = await resolver.resolve({ conversation, sceneParam: param, messageId: 'm1', now: local('2026-12-11T10:00:01') });
    expect(late).toEqual({ kind: 'refused', reason: 'expired' });
    const inTime = await resolver.resolve({ conversation, sceneParam: param, messageId: 'm2', now: local('2026-12-11T09:59:00') });
    expect(inTime).toMatchObject({ kind: 'invitation', flowId: 'nps-default', attribution: { campaignId: c.id }, customerFields: { name: '冯女士' } });
    // The same entry replayed resolves alike; another entry is a reuse.
    expect((await resolver.resolve({ conversation, sceneParam: param, messageId: 'm2', now: local('2026-12-11T09:59:30') })).kind).toBe('invitation');
    expect(await resolver.resolve({ conversation, sceneParam: param, messageId: 'm3', now: local('2026-12-11T09:59:40') })).toEqual({ kind: 'refused', reason: 'reused' });
  });
});
