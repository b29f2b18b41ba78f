import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { campaignCall, createCampaign, type LooseJson } from '../../support/campaignApi.ts';
import { adminGet, botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
let sim: WecomSimulator;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('campaign_entry'));
  sim = service.simulator!;
});
afterAll(async () => {
  await service?.stop();
});

interface Link {
  customerRef: string;
  invitationId: string;
  sceneParam: string;
  url: string;
}

async function invite(campaignId: string, rows: Array<Record<string, unknown>>): Promise<Link[]> {
  const res = await campaignCall(service, 'POST', `/api/campaigns/${campaignId}/audience`, { json: rows });
  if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
  return res.json().invitations as unknown as Link[];
}

async function sessionOf(customerId: string): Promise<LooseJson> {
  const list = await adminGet<{ items: Array<{ id: string }> }>(service, `/api/sessions?customer=${customerId}`);
  const id = list.body.items[0]?.id;
  if (!id) throw new Error(`no session for ${customerId}`);
  return (await adminGet<LooseJson>(service, `/api/sessions/${id}`)).body;
}

async function stats(campaignId: string): Promise<LooseJson> {
  return (await campaignCall(service, 'GET', `/api/campaigns/${campaignId}/stats`)).json();
}

async function opens(customerId: string, link: string): Promise<string[]> {
  await sim.customerOpensLink(customerId, link);
  await service.idle();
  return botTexts(sim, customerId);
}

describe('entering through an invitation link', () => {
  it('starts the campaign’s flow, greets by name and visit, and records the invitation on the session', async () => {
    const id = await createCampaign(service);
    const [link] = await invite(id, [{ customerRef: 'E001', name: '张女士', store: '静安店', touchpoint: '护理', orderId: 'O-77', products: ['水光针', '热玛吉'], visitAt: '2026-11-28 14:30' }]);
    const entered = await sim.customerOpensLink('wm_e001', link!.url);
    await service.idle();
    // The customer has not written, so send_msg would be refused (95002): the greeting went out
    // through the welcome code, inside its 20 s.
    expect(entered.welcomeCode).not.toBe('');
    const said = botTexts(sim, 'wm_e001');
    expect(said[0]).toMatch(/^张女士好！我是本店的回访小助手。关于11月28日在静安店的护理，想占用您两分钟，听听您的感受。\n如果满分10分/);

    const session = await sessionOf('wm_e001');
    expect(session).toMatchObject({
      flowId: 'nps-default',
      campaign: id,
      campaignId: id,
      invitationId: link!.invitationId,
      store: '静安店',
      orderId: 'O-77',
      touchpoint: '护理',
      products: ['水光针', '热玛吉'],
      visitAt: new Date('2026-11-28T14:30:00+08:00').toISOString(),
      customerFields: expect.objectContaining({ name: '张女士', visit: '11月28日在静安店的护理', visitDate: '11月28日' }),
    });
    expect(await stats(id)).toMatchObject({ invited: 1, opened: 1, started: 0, completed: 0 });
    const invitation = (await campaignCall(service, 'GET', `/api/campaigns/${id}/invitations/${link!.invitationId}`)).json();
    expect(invitation).toMatchObject({ status: 'opened', conversationKey: expect.stringContaining('wm_e001') });
  });

  it('counts opened, started and completed, and the response rate', async () => {
    const id = await createCampaign(service, { flowId: 'csat-after-service' });
    const links = await invite(id, [{ customerRef: 'E101', name: '周先生' }, { customerRef: 'E102' }]);
    const said = await opens('wm_e101', links[0]!.url);
    expect(said[0]).toMatch(/^周先生好！感谢您选择本店/);
    const c = customer(service, sim, 'wm_e101');
    expect((await c.clicks(/5/)).join('\n')).toMatch(/感谢您的反馈/);
    expect(await stats(id)).toMatchObject({ invited: 2, opened: 1, started: 1, completed: 1, responseRate: 0.5, openRate: 0.5 });
    expect((await sessionOf('wm_e101')).status).toBe('completed');
    const invitation = (await campaignCall(service, 'GET', `/api/campaigns/${id}/invitations/${links[0]!.invitationId}`)).json();
    expect(invitation).toMatchObject({ status: 'completed', sessionId: expect.any(String) });
  });

  it('refuses a forged parameter: the default flow starts, nothing is attributed', async () => {
    const id = await createCampaign(service, { flowId: 'csat-after-service' });
    const [link] = await invite(id, [{ customerRef: 'E201', name: '假冒者' }]);
    const [v, campaign, invitation, signature] = link!.sceneParam.split('.') as [string, string, string, string];
    const forged = [v, campaign, invitation, `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`].join('.');
    await sim.customerEnters('wm_e201', { scene: `hf_${id}`, sceneParam: forged });
    await service.idle();
    const session = await sessionOf('wm_e201');
    expect(session).toMatchObject({ flowId: 'nps-default', campaignId: null, invitationId: null, store: null, campaign: null });
    expect(session.customerFields).not.toHaveProperty('name');
    expect(botTexts(sim, 'wm_e201')[0]).not.toContain('假冒者');
    // A made-up invitation under a real campaign, and a parameter that is ours in shape only.
    await sim.customerEnters('wm_e202', { scene: `hf_${id}`, sceneParam: `hf1.${id}.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA` });
    await sim.customerEnters('wm_e203', { scene: `hf_${id}`, sceneParam: 'hf1.garbage' });
    await service.idle();
    expect(await sessionOf('wm_e202')).toMatchObject({ flowId: 'nps-default', campaignId: null });
    expect(await sessionOf('wm_e203')).toMatchObject({ flowId: 'nps-default', campaignId: null });
    expect(await stats(id)).toMatchObject({ opened: 0 });
  });

  it('refuses a reused link and one meant for another WeCom customer', async () => {
    const id = await createCampaign(service, { flowId: 'csat-after-service' });
    const [shared, bound] = await invite(id, [{ customerRef: 'E301', name: '吴女士' }, { customerRef: 'E302', name: '郑女士', externalUserId: 'wm_e302' }]);
    await opens('wm_e301', shared!.url);
    expect(await sessionOf('wm_e301')).toMatchObject({ flowId: 'csat-after-service', invitationId: shared!.invitationId });
    // Forwarded to a friend: the default flow, not attributed, the first session untouched.
    const friend = await opens('wm_friend', shared!.url);
    expect(friend[0]).not.toContain('吴女士');
    expect(await sessionOf('wm_friend')).toMatchObject({ flowId: 'nps-default', invitationId: null });
    // Meant for wm_e302 only.
    await opens('wm_stranger', bound!.url);
    expect(await sessionOf('wm_stranger')).toMatchObject({ flowId: 'nps-default', invitationId: null });
    await opens('wm_e302', bound!.url);
    expect(await sessionOf('wm_e302')).toMatchObject({ flowId: 'csat-after-service', invitationId: bound!.invitationId });
    expect(await stats(id)).toMatchObject({ opened: 2 });
  });

  it('a link of an ended campaign starts the default flow, and an ended campaign stays ended', async () => {
    const id = await createCampaign(service, { flowId: 'csat-after-service' });
    const [link] = await invite(id, [{ customerRef: 'E351' }]);
    expect((await campaignCall(service, 'PATCH', `/api/campaigns/${id}`, { json: { status: 'ended' } })).json()).toMatchObject({ status: 'ended' });
    const reopen = await campaignCall(service, 'PATCH', `/api/campaigns/${id}`, { json: { status: 'active' } });
    expect(reopen.status).toBe(409);
    expect(reopen.json().error.code).toBe('CAMPAIGN_ENDED');
    // This process dropped its cached copy on the change (others within 5 s).
    await opens('wm_e351', link!.url);
    expect(await sessionOf('wm_e351')).toMatchObject({ flowId: 'nps-default', campaignId: null });
  });

  it('an opt-out said in a campaign survey keeps that customer out of later campaigns', async () => {
    const first = await createCampaign(service, { flowId: 'csat-after-service' });
    const [link] = await invite(first, [{ customerRef: 'E401', phone: '13700137000' }]);
    await opens('wm_e401', link!.url);
    await customer(service, sim, 'wm_e401').says('不要再发了');
    expect((await sessionOf('wm_e401')).status).toBe('opted_out');
    const second = await createCampaign(service, { flowId: 'csat-after-service' });
    const res = (await campaignCall(service, 'POST', `/api/campaigns/${second}/audience`, { json: [{ customerRef: 'E401' }, { customerRef: 'E402', phone: '13700137000' }, { customerRef: 'E403', externalUserId: 'wm_e401' }] })).json();
    expect(res).toMatchObject({ invited: 0, skippedByReason: { opted_out: 3 } });
    expect((await stats(second)).skipped).toMatchObject({ opted_out: 3 });
  });

  it('creates a mass-send task for the customer’s advisor with the link attached (simulated 客户联系)', async () => {
    const id = await createCampaign(service, { flowId: 'csat-after-service', delayMinutes: 0, massSend: { enabled: true } });
    const [link] = await invite(id, [{ customerRef: 'E601', name: '陈女士', externalUserId: 'wm_e601', advisorUserId: 'advisor1', store: '静安店' }, { customerRef: 'E602' }]);
    await service.campaigns.runDueTimers();
    const tasks = sim.msgTemplates().filter((t) => JSON.stringify(t).includes(link!.sceneParam));
    expect(tasks).toEqual([
      expect.objectContaining({
        chat_type: 'single',
        sender: 'advisor1',
        external_userid: ['wm_e601'],
        text: { content: expect.stringMatching(/^陈女士好！关于在静安店的服务，想请您花两分钟聊聊感受/) },
        attachments: [{ msgtype: 'link', link: expect.objectContaining({ url: link!.url }) }],
      }),
    ]);
    // Sent once: the next sweep finds nothing due.
    await service.campaigns.runDueTimers();
    expect(sim.msgTemplates().filter((t) => JSON.stringify(t).includes(link!.sceneParam))).toHaveLength(1);
    // The simulator refuses links it never made and parameters WeCom would drop.
    await expect(sim.customerOpensLink('wm_e601', 'https://work.weixin.qq.com/kf/kfcNOPE?enc_scene=nope&scene_param=x')).rejects.toThrow(/not a kf link/);
    await expect(sim.customerOpensLink('wm_e601', `${link!.url}${'x'.repeat(100)}`)).rejects.toThrow(/128 bytes/);
  });

  it('an unsigned flow:<campaignId> parameter names the flow only: no attribution, not in the campaign’s stats or analytics', async () => {
    const id = await createCampaign(service);
    const [link] = await invite(id, [{ customerRef: 'E501', name: '林女士' }]);
    const responses = async (query: string): Promise<number> =>
      (await adminGet<{ nps: { responses: number } }>(service, `/api/analytics/summary?flowId=nps-default${query}`)).body.nps.responses;
    const everyone = await responses('');
    // Anyone who learns the campaign id can type it after a flow id; they must not count as its customers.
    await sim.customerEnters('wm_e501', { scene: 'survey', sceneParam: `nps-default:${id}` });
    await service.idle();
    await customer(service, sim, 'wm_e501').says('9');
    expect(await sessionOf('wm_e501')).toMatchObject({ flowId: 'nps-default', campaign: null, campaignId: null, invitationId: null });
    expect((await sessionOf('wm_e501')).customerFields).not.toHaveProperty('campaign');
    // The signed invitation of the same campaign still attributes its customer.
    await opens('wm_e502', link!.url);
    await customer(service, sim, 'wm_e502').says('9');
    expect(await sessionOf('wm_e502')).toMatchObject({ flowId: 'nps-default', campaign: id, campaignId: id, invitationId: link!.invitationId });
    await expect.poll(() => responses('')).toBe(everyone + 2);
    expect(await responses(`&campaign=${id}`)).toBe(1);
    expect(await stats(id)).toMatchObject({ invited: 1, opened: 1, started: 1 });
  });
});
