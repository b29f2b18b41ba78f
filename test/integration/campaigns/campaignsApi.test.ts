import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { campaignCall, createCampaign, type LooseJson } from '../../support/campaignApi.ts';
import { ADMIN_TOKEN, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;

beforeAll(async () => {
  service = await startTestService(isolatedEnv('campaigns_api'));
});
afterAll(async () => {
  await service?.stop();
});

/** Uploads `bytes` as a streamed body written `size` bytes at a time. */
async function uploadInChunks(id: string, bytes: Buffer, size: number) {
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
  const res = await fetch(`${service.url}/api/campaigns/${id}/audience`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
    body,
    duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text) as LooseJson };
}

const csv = [
  '客户编号,姓名,手机号,门店,订单号,项目,服务类型,到店时间',
  'C001,张女士,13800138000,静安店,O-1,"水光针、热玛吉",护理,2026-11-28 14:30',
  'C002,李先生,,徐汇店,O-2,,到店,2026-11-29 10:00',
  'C003,王女士,,静安店,O-3,皮秒,护理,2026-11-29 11:00',
].join('\n');

describe('campaigns API', () => {
  it('creates a working campaign from just name, flow, status and quietHours: null, with documented defaults', async () => {
    const res = await campaignCall(service, 'POST', '/api/campaigns', { json: { name: '双十二回访', flowId: 'nps-default', status: 'active', quietHours: null } });
    expect(res.status).toBe(201);
    const campaign = res.json();
    expect(campaign).toMatchObject({
      id: expect.stringMatching(/^c[a-z0-9]{11}$/),
      name: '双十二回访',
      flowId: 'nps-default',
      status: 'active',
      quietHours: null,
      delayMinutes: 120,
      samplingRate: 1,
      dailyCap: null,
      expiresAfterHours: 168,
      reminder: { afterHours: 48 },
      audience: { source: 'both', eventTypes: [] },
      massSend: { enabled: false },
      openKfId: service.simulator!.openKfId,
      scene: `hf_${campaign.id}`,
      contactWay: null,
    });
    expect((await campaignCall(service, 'GET', `/api/campaigns/${campaign.id}`)).json()).toMatchObject({ id: campaign.id });
    expect((await campaignCall(service, 'GET', '/api/campaigns')).json().items.map((c: { id: string }) => c.id)).toContain(campaign.id);
  });

  it('refuses an unknown flow, bad fields and callers without the admin role', async () => {
    expect((await campaignCall(service, 'POST', '/api/campaigns', { json: { name: 'x', flowId: 'no-such-flow' } })).json().error.code).toBe('FLOW_NOT_PUBLISHED');
    const bad = await campaignCall(service, 'POST', '/api/campaigns', { json: { name: 'x', flowId: 'nps-default', quietHours: { start: '25:00', end: '09:00' }, samplingRate: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('BODY_INVALID');
    const anonymous = await fetch(`${service.url}/api/campaigns`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
  });

  it('refuses a mass-send text that names anything but an invitation field ({{constructor}} rendered a function)', async () => {
    for (const text of ['{{constructor}}好', '{{__proto__}}', '{{name}}{{toString|x}}']) {
      const res = await campaignCall(service, 'POST', '/api/campaigns', { json: { name: 'x', flowId: 'nps-default', massSend: { enabled: true, text } } });
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe('BODY_INVALID');
      expect(res.text).toMatch(/unknown field \{\{(constructor|__proto__|toString)\}\}; a mass-send text may use \{\{name\}\}/);
    }
    const id = await createCampaign(service);
    const patched = await campaignCall(service, 'PATCH', `/api/campaigns/${id}`, { json: { massSend: { enabled: true, reminderText: '{{hasOwnProperty}}' } } });
    expect(patched.status).toBe(400);
    const fine = await campaignCall(service, 'PATCH', `/api/campaigns/${id}`, { json: { massSend: { enabled: true, text: '{{ name | 您 }}好，{{visit}}' } } });
    expect(fine.status).toBe(200);
  });

  it('imports a CSV: invitations with a signed scene_param and a kf link, one per customer and touchpoint', async () => {
    const id = await createCampaign(service);
    const res = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ campaignId: id, received: 3, invited: 3, skippedCount: 0, rowsNumberedBy: 'line' });
    expect(body.invitations.map((i: { customerRef: string; line: number }) => [i.customerRef, i.line])).toEqual([['C001', 2], ['C002', 3], ['C003', 4]]);
    for (const i of body.invitations) {
      expect(i.sceneParam).toMatch(new RegExp(`^hf1\\.${id}\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{16}$`));
      expect(Buffer.byteLength(encodeURIComponent(i.sceneParam))).toBeLessThanOrEqual(128);
      expect(i.url).toMatch(/^https:\/\/work\.weixin\.qq\.com\/kf\/kfc[0-9a-f]+\?enc_scene=[0-9a-f]+&scene_param=hf1\./);
    }
    // The link was asked for once and kept on the campaign.
    const campaign = (await campaignCall(service, 'GET', `/api/campaigns/${id}`)).json();
    expect(body.invitations[0].url.startsWith(campaign.contactWay.url)).toBe(true);

    // The same file again: every row is the same invitation.
    const again = (await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv })).json();
    expect(again).toMatchObject({ invited: 0, skippedCount: 3, skippedByReason: { duplicate: 3 } });
    expect(again.skipped.map((s: { invitationId: string }) => s.invitationId)).toEqual(body.invitations.map((i: { invitationId: string }) => i.invitationId));

    const stats = (await campaignCall(service, 'GET', `/api/campaigns/${id}/stats`)).json();
    expect(stats).toMatchObject({ invited: 3, opened: 0, completed: 0, responseRate: 0, skipped: { duplicate: 3 }, skippedTotal: 3 });
  });

  it('refuses a CSV with bad rows, naming each line, and imports nothing of it', async () => {
    const id = await createCampaign(service);
    // Customers not invited by the other tests (fatigue spans campaigns, and knows them by phone too).
    const good = csv.replace(/C00/g, 'B00').replace('13800138000', '13900139000');
    const bad = `${good}\n,无编号,,,,,,\nC005,电话错,12ab,,,,,\nC006,时间错,,,,,,2026-13-40`;
    const res = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv: bad });
    expect(res.status).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('AUDIENCE_INVALID');
    expect(error.message).toMatch(/3 row\(s\) have problems; nothing was imported/);
    expect(error.problems).toEqual([
      { line: 5, field: 'customerRef', message: 'required' },
      { line: 6, field: 'phone', message: expect.any(String) },
      { line: 7, field: 'visitAt', message: expect.any(String) },
    ]);
    expect((await campaignCall(service, 'GET', `/api/campaigns/${id}/stats`)).json()).toMatchObject({ invited: 0, skippedTotal: 0 });
    // The good rows alone then go in (nothing was reserved for them by the refused upload).
    expect((await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv: good })).json()).toMatchObject({ invited: 3 });
  });

  it('reads a GBK file (named in the Content-Type, or detected) like its UTF-8 twin', async () => {
    const rows = ['客户编号,姓名,门店,服务类型,到店时间', 'G001,赵女士,静安店,护理,2026-11-28 15:00', 'G002,钱先生,浦东店,购买,2026-11-28 16:00'].join('\r\n');
    const gbk = iconv.encode(rows, 'gbk');
    const named = await createCampaign(service);
    const a = await campaignCall(service, 'POST', `/api/campaigns/${named}/audience`, { csv: gbk, contentType: 'text/csv; charset=GBK' });
    expect(a.status).toBe(200);
    expect(a.json()).toMatchObject({ invited: 2 });
    const detected = await createCampaign(service);
    const b = await campaignCall(service, 'POST', `/api/campaigns/${detected}/audience`, { csv: gbk });
    expect(b.json()).toMatchObject({ invited: 0, skippedByReason: { fatigue: 2 } });
    // Fatigue keys by the same customer refs: the text was read alike. The invitation shows the name and store.
    const invitationId = a.json().invitations[0].invitationId as string;
    const one = (await campaignCall(service, 'GET', `/api/campaigns/${named}/invitations/${invitationId}`)).json();
    expect(one).toMatchObject({ customerRef: 'G001', name: '赵女士', store: '静安店', touchpoint: '护理', status: 'invited' });
  });

  it('refuses a UTF-8 file with one invalid byte in its last row the same way however its body is chunked', async () => {
    const id = await createCampaign(service);
    const rows = Array.from({ length: 3_000 }, (_, n) => `U${n},张三${n},静安店`);
    const bytes = Buffer.concat([Buffer.from(['客户编号,姓名,门店', ...rows, 'U3000,李'].join('\n')), Buffer.from([0xe5, 0x9b]), Buffer.from(',徐汇店\n')]);
    const answers = [];
    for (const size of [1, 1000, 16 * 1024, bytes.length]) {
      const res = await uploadInChunks(id, bytes, size === 1 ? 7 : size);
      expect(res.status).toBe(400);
      answers.push(res.json());
    }
    for (const answer of answers) {
      expect(answer.error).toMatchObject({ code: 'AUDIENCE_ENCODING', problems: [{ line: 3_002, message: expect.stringMatching(/not valid UTF-8/) }] });
    }
    expect((await campaignCall(service, 'GET', `/api/campaigns/${id}/stats`)).json()).toMatchObject({ invited: 0 });
  });

  it('refuses invalid GBK bytes and a BOM with a header in the middle of a file, by line; a UTF-8 file with a BOM imports', async () => {
    const id = await createCampaign(service);
    const gbk = Buffer.concat([iconv.encode('客户编号,姓名\r\nK1,周女士\r\nK2,吴', 'gbk'), Buffer.from([0xff]), iconv.encode('先生\r\n', 'gbk')]);
    for (const contentType of ['text/csv; charset=GBK', 'text/csv']) {
      const res = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv: gbk, contentType });
      expect(res.status).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'AUDIENCE_ENCODING', problems: [{ line: 3, message: expect.stringMatching(/GBK/) }] });
    }
    const joined = '\uFEFF客户编号,姓名\nK3,郑女士\n\uFEFF客户编号,姓名\nK4,王先生\n';
    const refused = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv: joined });
    expect(refused.json().error).toMatchObject({ code: 'AUDIENCE_ENCODING', problems: [{ line: 3, message: expect.stringMatching(/byte-order mark/) }] });
    const ok = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv: '\uFEFF客户编号,姓名\nK3,郑女士\n' });
    expect(ok.json()).toMatchObject({ invited: 1 });
    const one = (await campaignCall(service, 'GET', `/api/campaigns/${id}/invitations/${ok.json().invitations[0].invitationId}`)).json();
    expect(one).toMatchObject({ customerRef: 'K3', name: '郑女士' });
  });

  it('takes JSON rows, reports bad ones by row number, and lists invitations as CSV and QR codes', async () => {
    const id = await createCampaign(service);
    const refused = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { json: { rows: [{ customerRef: 'J1' }, { name: '没有编号' }] } });
    expect(refused.status).toBe(400);
    expect(refused.json().error.problems).toEqual([{ row: 2, field: 'customerRef', message: expect.any(String) }]);
    const ok = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { json: [{ customerRef: 'J1', name: '孙女士', products: ['水光针'], store: '=HYPERLINK("x")' }, { customerRef: 'J2' }] });
    expect(ok.json()).toMatchObject({ invited: 2, rowsNumberedBy: 'row' });

    const download = await campaignCall(service, 'GET', `/api/campaigns/${id}/invitations.csv`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = download.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('customerRef,name,phone,externalUserId,advisorUserId,store,orderId,products,touchpoint,visitAt,sendAt,expiresAt,status,openedAt,completedAt,url,sceneParam');
    expect(lines).toHaveLength(3);
    const j1 = lines.find((l) => l.startsWith('J1,'))!;
    expect(j1).toContain(`"'=HYPERLINK(""x"")"`);
    expect(j1).toContain(ok.json().invitations[0].url);

    const qr = await campaignCall(service, 'GET', `/api/campaigns/${id}/invitations/${ok.json().invitations[0].invitationId}/qr.png`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/png');
    expect(qr.bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  });

  it('refuses uploads to a campaign that is not active', async () => {
    const id = await createCampaign(service, { status: 'draft' });
    const res = await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv });
    expect(res.status).toBe(409);
    expect(res.json().error.code).toBe('CAMPAIGN_NOT_ACTIVE');
    const patched = await campaignCall(service, 'PATCH', `/api/campaigns/${id}`, { json: { status: 'active', samplingRate: 0 } });
    expect(patched.json()).toMatchObject({ status: 'active', samplingRate: 0 });
    expect((await campaignCall(service, 'POST', `/api/campaigns/${id}/audience`, { csv })).json()).toMatchObject({ invited: 0, skippedByReason: { sampled_out: 3 } });
  });

  it('documents the campaign routes and the session attributes in /api/openapi.json', async () => {
    const doc = (await (await fetch(`${service.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    for (const path of ['/api/campaigns', '/api/campaigns/{id}', '/api/campaigns/{id}/audience', '/api/campaigns/{id}/stats', '/api/campaigns/{id}/invitations.csv', '/api/events']) expect(doc.paths).toHaveProperty([path]);
    expect(Object.keys(doc.components.schemas.Session!.properties!)).toEqual(expect.arrayContaining(['campaignId', 'invitationId', 'store', 'orderId', 'touchpoint', 'products', 'visitAt']));
  });
});
