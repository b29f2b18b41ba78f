import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatorControl, type SimulatorControl } from '../../../src/simulator/simulatorControl.ts';
import { startSimulatorServer } from '../../../src/simulator/simulatorServer.ts';
import { createWecomSimulator, type WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { startCallbackReceiver, wecomClient, type CallbackReceiver } from '../../support/simulatorHarness.ts';

// The control layer of the standalone simulator (src/cli/simulator.ts), as the fault suite uses it.

interface ControlRig {
  sim: WecomSimulator;
  control: SimulatorControl;
  receiver: CallbackReceiver;
  origin: string;
  server: Server;
}
let rig: ControlRig | undefined;

async function startControlRig(): Promise<ControlRig> {
  const sim = createWecomSimulator();
  const receiver = await startCallbackReceiver(sim);
  const control = createSimulatorControl({ simulator: sim, serviceCallbackUrl: receiver.url });
  const api = control.withApiFaults(sim.handle);
  const { server, origin } = await startSimulatorServer(async (req, res) => (await control.handle(req, res)) || api(req, res), 0, '127.0.0.1');
  sim.apiBase = origin;
  sim.setCallbackUrl(`${origin}${control.relayPath}`);
  return { sim, control, receiver, origin, server };
}

async function setFaults(origin: string, faults: unknown): Promise<Response> {
  return fetch(`${origin}/control/faults`, { method: 'POST', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' } });
}

afterEach(async () => {
  if (!rig) return;
  rig.control.close();
  await rig.sim.close();
  await rig.receiver.close();
  rig.server.closeAllConnections();
  await new Promise<void>((resolve) => rig!.server.close(() => resolve()));
  rig = undefined;
});

describe('simulator control', () => {
  it('relays callbacks to the service unchanged, so their signatures still verify', async () => {
    rig = await startControlRig();
    const { callbackStatus } = await rig.sim.customerSays('wmControlA', '你好');
    expect(callbackStatus).toBe(200);
    const [cb] = await rig.receiver.waitFor(1);
    expect(cb?.signatureValid).toBe(true);
    expect(cb?.inner.Event).toBe('kf_msg_or_event');
  });

  it('feeds every transcript message in order and wakes a waiting reader', async () => {
    rig = await startControlRig();
    const waiting = fetch(`${rig.origin}/control/events?after=0&waitMs=5000`).then((r) => r.json() as Promise<{ seq: number; events: Array<{ customerId: string; message: { direction: string } }> }>);
    await rig.sim.customerSays('wmControlB', '在吗');
    const page = await waiting;
    expect(page.seq).toBeGreaterThanOrEqual(1);
    expect(page.events[0]).toMatchObject({ customerId: 'wmControlB', message: { direction: 'in' } });
  });

  it('answers WeCom API calls with 5xx while the API fault is on, and normally once it is off', async () => {
    rig = await startControlRig();
    const client = wecomClient(rig.origin);
    expect((await setFaults(rig.origin, { api: { mode: 'error', status: 502 } })).status).toBe(200);
    expect((await client.getRaw('/cgi-bin/gettoken', { corpid: rig.sim.corpId, corpsecret: rig.sim.kfSecret })).status).toBe(502);
    await setFaults(rig.origin, { api: { mode: 'none' } });
    const token = await client.get('/cgi-bin/gettoken', { corpid: rig.sim.corpId, corpsecret: rig.sim.kfSecret });
    expect(token.errcode).toBe(0);
  });

  it('does a timed-out call after the delay, though the caller already gave up', async () => {
    rig = await startControlRig();
    const client = wecomClient(rig.origin);
    const { access_token: token } = await client.get('/cgi-bin/gettoken', { corpid: rig.sim.corpId, corpsecret: rig.sim.kfSecret });
    await rig.sim.customerSays('wmControlC', '你好');
    await setFaults(rig.origin, { api: { mode: 'timeout', delayMs: 300 } });
    const body = JSON.stringify({ touser: 'wmControlC', open_kfid: rig.sim.openKfId, msgtype: 'text', text: { content: '迟到的回复' } });
    const call = fetch(`${rig.origin}/cgi-bin/kf/send_msg?access_token=${String(token)}`, { method: 'POST', body, signal: AbortSignal.timeout(100) });
    await expect(call).rejects.toThrow();
    expect(rig.sim.messagesTo('wmControlC')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(rig.sim.messagesTo('wmControlC').map((m) => (m.body as { content: string }).content)).toEqual(['迟到的回复']);
  });

  it('duplicates callbacks when asked, and refuses faults it does not know', async () => {
    rig = await startControlRig();
    await setFaults(rig.origin, { callbacks: { duplicates: 2 } });
    await rig.sim.customerSays('wmControlD', '你好');
    const received = await rig.receiver.waitFor(3, 5_000);
    expect(new Set(received.map((r) => r.rawBody)).size).toBe(1);
    expect((await setFaults(rig.origin, { api: { mode: 'explode' } })).status).toBe(400);
  });
});
