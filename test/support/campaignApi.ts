import type { RunningService } from '../../src/main.ts';
import { ADMIN_TOKEN } from './serviceHarness.ts';

/** A JSON answer read loosely (any path may be read; the assertions check the shapes). */
export type LooseJson = ReturnType<typeof JSON.parse>;

/** Raw calls to the campaigns API (CSV bodies, binary answers) as the ADMIN_TOKEN holder. */
export async function campaignCall(
  service: RunningService,
  method: string,
  path: string,
  body?: { json?: unknown; csv?: string | Buffer; contentType?: string },
): Promise<{ status: number; headers: Headers; text: string; bytes: Buffer; json: () => LooseJson }> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  let payload: string | Buffer | undefined;
  if (body?.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body?.csv !== undefined) {
    headers['content-type'] = body.contentType ?? 'text/csv';
    payload = body.csv;
  }
  const res = await fetch(`${service.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  return { status: res.status, headers: res.headers, text, bytes, json: (): LooseJson => JSON.parse(text) };
}

/** Creates an active campaign (quiet hours off unless given) and returns its id. */
export async function createCampaign(service: RunningService, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await campaignCall(service, 'POST', '/api/campaigns', { json: { name: '回访活动', flowId: 'nps-default', status: 'active', quietHours: null, ...fields } });
  if (res.status !== 201) throw new Error(`campaign not created: ${res.status} ${res.text}`);
  return String(res.json().id);
}
