import { createDecipheriv, createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWecomSimulator,
  decryptCallback,
  encryptCallback,
  sealCallback,
  signCallback,
} from '../../../src/simulator/wecomSimulator.ts';
import { startCallbackReceiver, startSimulatorRig } from '../../support/simulatorHarness.ts';

type Rig = Awaited<ReturnType<typeof startSimulatorRig>>;
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('simulator callbacks', () => {
  it('customerSays POSTs a signed, encrypted kf_msg_or_event that decrypts to the corpid and a sync Token', async () => {
    rig = await startSimulatorRig();
    const { sim, receiver } = rig;
    const { callbackStatus } = await sim.customerSays('wmCustomerA', '你好');
    expect(callbackStatus).toBe(200);
    const [cb] = await receiver.waitFor(1);
    expect(cb?.method).toBe('POST');
    expect(cb?.signatureValid).toBe(true);
    expect(cb?.receiveId).toBe(sim.corpId);
    expect(cb?.outer.ToUserName).toBe(sim.corpId);
    expect(cb?.outer).toHaveProperty('AgentID');
    expect(cb?.rawBody).toMatch(/^<xml><ToUserName><!\[CDATA\[wwsimcorp0001\]\]><\/ToUserName><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><AgentID><!\[CDATA\[\]\]><\/AgentID><\/xml>$/);
    expect(cb?.inner).toMatchObject({ ToUserName: sim.corpId, MsgType: 'event', Event: 'kf_msg_or_event', OpenKfId: sim.openKfId });
    expect(cb?.inner.Token).toMatch(/^\S{8,128}$/);
    expect(Number(cb?.inner.CreateTime)).toBe(Number(cb?.query.get('timestamp')));

    // The Token from the callback lets sync_msg fetch the message.
    const page = await rig.api<{ errcode: number; errmsg: string; msg_list: Array<{ text?: { content: string } }> }>('/cgi-bin/kf/sync_msg', {
      token: cb?.inner.Token,
      open_kfid: sim.openKfId,
    });
    expect(page.errcode).toBe(0);
    expect(page.msg_list.map((m) => m.text?.content)).toEqual(['你好']);
  });

  it('pads to 32-byte blocks with IV = first 16 key bytes, exactly as WeCom (checked with plain node:crypto)', async () => {
    const sim = createWecomSimulator();
    const encrypted = encryptCallback(sim.encodingAesKey, '<xml>报名</xml>', sim.corpId);
    const key = Buffer.from(`${sim.encodingAesKey}=`, 'base64');
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(encrypted, 'base64'), decipher.final()]);
    const pad = plain[plain.length - 1] ?? 0;
    expect(pad).toBeGreaterThanOrEqual(1);
    expect(pad).toBeLessThanOrEqual(32);
    expect(plain.length % 32).toBe(0);
    const body = plain.subarray(0, plain.length - pad);
    const len = body.readUInt32BE(16);
    expect(body.subarray(20, 20 + len).toString('utf8')).toBe('<xml>报名</xml>');
    expect(body.subarray(20 + len).toString('utf8')).toBe(sim.corpId);
    expect(decryptCallback(sim.encodingAesKey, encrypted)).toEqual({ message: '<xml>报名</xml>', receiveId: sim.corpId });

    const expected = createHash('sha1').update(['tok', '1700000000', '42', encrypted].sort().join('')).digest('hex');
    expect(signCallback('tok', 1700000000, '42', encrypted)).toBe(expected);
    const sealed = sealCallback({ token: 'tok', encodingAesKey: sim.encodingAesKey, corpId: sim.corpId, plaintext: 'x', timestamp: 1700000000, nonce: '42' });
    expect(sealed.msgSignature).toBe(signCallback('tok', '1700000000', '42', sealed.encrypted));
  });

  it('redeliverLastCallback posts the identical body and query again', async () => {
    rig = await startSimulatorRig();
    const { sim, receiver } = rig;
    await sim.customerSays('wmCustomerB', 'hi');
    expect(await sim.redeliverLastCallback(2)).toEqual([200, 200]);
    const all = await receiver.waitFor(3);
    expect(new Set(all.map((c) => c.rawBody)).size).toBe(1);
    expect(new Set(all.map((c) => c.query.toString())).size).toBe(1);
    expect(sim.callbackAttempts().map((a) => a.redelivery)).toEqual([false, true, true]);
  });

  it('retries a non-200 callback up to 3 more times when retryCallbacks is on', async () => {
    rig = await startSimulatorRig({ retryCallbacks: true, retryDelayMs: 20 });
    const { sim, receiver } = rig;
    receiver.respondWith(500);
    const { callbackStatus } = await sim.customerSays('wmCustomerC', 'hi');
    expect(callbackStatus).toBe(500);
    const all = await receiver.waitFor(4);
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.received).toHaveLength(4);
    expect(new Set(all.map((c) => c.rawBody)).size).toBe(1);
    expect(sim.callbackAttempts().map((a) => a.status)).toEqual([500, 500, 500, 500]);
  });

  it('stops retrying once the receiver answers 200', async () => {
    rig = await startSimulatorRig({ retryCallbacks: true, retryDelayMs: 20 });
    const { sim, receiver } = rig;
    receiver.respondWith(503);
    await sim.customerSays('wmCustomerD', 'hi');
    receiver.respondWith(200);
    await receiver.waitFor(2);
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.callbackAttempts().map((a) => a.status)).toEqual([503, 200]);
  });

  it('treats a slow receiver as failed (status 0) after the timeout', async () => {
    rig = await startSimulatorRig({ callbackTimeoutMs: 100 });
    rig.receiver.respondWith(200, 400);
    const { callbackStatus } = await rig.sim.customerSays('wmCustomerE', 'hi');
    expect(callbackStatus).toBe(0);
  });

  it('reports 0 and still queues the message when no callback URL is set', async () => {
    const sim = createWecomSimulator();
    try {
      const { msgid, callbackStatus } = await sim.customerSays('wmLonely', 'anyone?');
      expect(callbackStatus).toBe(0);
      expect(sim.transcript('wmLonely').map((m) => m.msgid)).toEqual([msgid]);
    } finally {
      await sim.close();
    }
  });

  it('verifyCallbackUrl sends an encrypted echostr and expects the plaintext back', async () => {
    rig = await startSimulatorRig();
    const result = await rig.sim.verifyCallbackUrl();
    expect(result.ok).toBe(true);
    const [cb] = rig.receiver.received;
    expect(cb?.method).toBe('GET');
    expect(cb?.signatureValid).toBe(true);
    expect(result.body).toBe(cb?.innerXml);

    const wrongKey = await startCallbackReceiver({ token: 'other', encodingAesKey: rig.sim.encodingAesKey });
    try {
      rig.sim.setCallbackUrl(wrongKey.url);
      expect((await rig.sim.verifyCallbackUrl()).ok).toBe(false);
    } finally {
      await wrongKey.close();
    }
  });
});
