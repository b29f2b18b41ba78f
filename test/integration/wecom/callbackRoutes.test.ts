import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt, getSignature } from '@wecom/crypto';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackVerifier } from '../../../src/channels/wecom/callbackVerifier.ts';
import { createWecomRoutes } from '../../../src/channels/wecom/wecomRoutes.ts';
import { mountRoutes } from '../../../src/http/mountRoutes.ts';
import { createRedisWecomState } from '../../../src/store/redis/redisWecomState.ts';
import { openTestStores } from '../../support/testStores.ts';
import { startHarness, type Harness } from './wecomHarness.ts';

// The official sample (sbzhu/weworkapi_python callback/Sample.py): the channel is configured
// with its token, key and corp id, so the published requests must verify over real HTTP.
const SAMPLE = {
  corpId: 'ww1436e0e65a779aee',
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
};
const VERIFY_QUERY =
  'msg_signature=012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb&timestamp=1476416373&nonce=47744683&echostr=fsi1xnbH4yQh0%2BPJxcOdhhK6TDXkjMyhEPA7xB2TGz6b%2Bg7xyAbEkRxN%2F3cNXW9qdqjnoVzEtpbhnFyq6SVHyA%3D%3D';
const MESSAGE_QUERY = 'msg_signature=0c3914025cb4b4d68103f6bfc8db550f79dcf48e&timestamp=1476422779&nonce=1597212914';
const MESSAGE_BODY =
  '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: 'wecom_routes', channel: { config: SAMPLE } });
});
afterAll(async () => h.close());

async function post(query: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.callbackUrl}?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml', ...headers } });
  return { status: response.status, body: await response.text() };
}

/** A validly signed POST around any ciphertext (for hostile-content cases). */
function signed(ciphertext: string, timestamp = String(Math.floor(Date.now() / 1000)), nonce = '4242') {
  return {
    query: `msg_signature=${getSignature(SAMPLE.token, timestamp, nonce, ciphertext)}&timestamp=${timestamp}&nonce=${nonce}`,
    body: `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><Encrypt><![CDATA[${ciphertext}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
  };
}

const KF_EVENT = (corp: string) =>
  `<xml><ToUserName><![CDATA[${corp}]]></ToUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[T1]]></Token><OpenKfId><![CDATA[wkHOSTILE]]></OpenKfId></xml>`;

describe('official sample vectors over HTTP', () => {
  it('GET answers the bare decrypted echostr within a second', async () => {
    const started = Date.now();
    const response = await fetch(`${h.callbackUrl}?${VERIFY_QUERY}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('1288432023552776189');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('POST of the sample app message is handed on once, even when delivered three times', async () => {
    for (let i = 0; i < 3; i++) expect(await post(MESSAGE_QUERY, MESSAGE_BODY)).toEqual({ status: 200, body: '' });
    await h.idle();
    const mine = h.inbound.filter((m) => m.id === '1456453720');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      kind: 'text',
      text: '你好',
      conversation: { channel: 'wecom-app', accountId: '1000002', customerId: 'ChenJiaShun' },
      sentAt: new Date(1476422779 * 1000),
    });
  });
});

describe('hostile callbacks: 4xx, nothing processed, server unharmed', () => {
  async function expectNothingQueued() {
    await h.idle();
    expect(h.inbound.filter((m) => m.id !== '1456453720')).toEqual([]);
    expect(await h.instances[0]!.redis.get(h.stores.keys.wecomNotifySeq('wkHOSTILE'))).toBeNull();
  }

  it('wrong signature → 401', async () => {
    const good = signed(encrypt(SAMPLE.encodingAesKey, KF_EVENT(SAMPLE.corpId), SAMPLE.corpId));
    const response = await post(good.query.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'0'.repeat(40)}`), good.body);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'WECOM_SIGNATURE_INVALID' } });
    await expectNothingQueued();
  });

  it('wrong corp id inside the ciphertext → 403', async () => {
    const other = signed(encrypt(SAMPLE.encodingAesKey, KF_EVENT('wwintruder'), 'wwintruder'));
    const response = await post(other.query, other.body);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'WECOM_RECEIVE_ID_MISMATCH' } });
    await expectNothingQueued();
  });

  it('broken base64 → 400', async () => {
    const broken = signed('%%%not-base64%%%');
    const response = await post(broken.query, broken.body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'WECOM_DECRYPT_FAILED' } });
    await expectNothingQueued();
  });

  it('broken XML, outer and inner → 400', async () => {
    const outer = await post(MESSAGE_QUERY, '<xml><Encrypt>abc</Encrypt');
    expect(outer.status).toBe(400);
    const inner = signed(encrypt(SAMPLE.encodingAesKey, '<xml><ToUserName>x</xml>', SAMPLE.corpId));
    const response = await post(inner.query, inner.body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'WECOM_XML_INVALID' } });
    await expectNothingQueued();
  });

  it('a DOCTYPE (billion laughs / XXE) → 400 without parsing it', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Encrypt>&c;</Encrypt></xml>`;
    const response = await post(MESSAGE_QUERY, laughs);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'WECOM_XML_DTD_FORBIDDEN' } });
    const innerXxe = signed(encrypt(SAMPLE.encodingAesKey, '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Token>&x;</Token></xml>', SAMPLE.corpId));
    expect((await post(innerXxe.query, innerXxe.body)).status).toBe(400);
    await expectNothingQueued();
  });

  it('an oversized body → 413, with or without Content-Length', async () => {
    const huge = `<xml><Encrypt>${'A'.repeat(70 * 1024)}</Encrypt></xml>`;
    const declared = await post(MESSAGE_QUERY, huge);
    expect(declared.status).toBe(413);
    // Chunked upload without a length: the limit must still cut it off.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.callbackUrl}?${MESSAGE_QUERY}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('A'.repeat(10 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    await expectNothingQueued();
  });

  it('missing query parameters → 400', async () => {
    expect((await fetch(h.callbackUrl)).status).toBe(400);
    expect((await post('', MESSAGE_BODY)).status).toBe(400);
    await expectNothingQueued();
  });

  it('still serves a valid callback after all of that', async () => {
    const response = await fetch(`${h.callbackUrl}?${VERIFY_QUERY}`);
    expect(await response.text()).toBe('1288432023552776189');
    expect((await post(MESSAGE_QUERY, MESSAGE_BODY)).status).toBe(200);
  });
});

describe('timestamp freshness when WECOM_MAX_SKEW_S is set', () => {
  it('refuses a stale but otherwise valid callback with 401', async () => {
    const strict = await startHarness({ label: 'wecom_routes_skew', channel: { config: { ...SAMPLE, maxSkewSeconds: 300 } } });
    try {
      const response = await fetch(`${strict.callbackUrl}?${VERIFY_QUERY}`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'WECOM_TIMESTAMP_SKEW' } });
      const fresh = signed(encrypt(SAMPLE.encodingAesKey, KF_EVENT(SAMPLE.corpId).replace('wkHOSTILE', 'wkFRESH'), SAMPLE.corpId));
      const ok = await fetch(`${strict.callbackUrl}?${fresh.query}`, { method: 'POST', body: fresh.body });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('replayed callbacks inside the window (WECOM_MAX_SKEW_S)', () => {
  const fresh = (nonce: string, openKfId: string) =>
    signed(encrypt(SAMPLE.encodingAesKey, KF_EVENT(SAMPLE.corpId).replace('wkHOSTILE', openKfId), SAMPLE.corpId), undefined, nonce);

  it('refuses a second delivery of an accepted signed callback with 409, and remembers it only while its timestamp is in the window', async () => {
    const strict = await startHarness({ label: 'wecom_routes_replay', channel: { config: { ...SAMPLE, maxSkewSeconds: 300 } } });
    try {
      const send = (c: { query: string; body: string }) => fetch(`${strict.callbackUrl}?${c.query}`, { method: 'POST', body: c.body });
      const first = fresh('replay-1', 'wkREPLAY');
      expect((await send(first)).status).toBe(200);
      const again = await send(first);
      expect(again.status).toBe(409);
      expect(await again.json()).toEqual({ error: { code: 'WECOM_CALLBACK_REPLAYED', message: 'this signed callback (timestamp and nonce) was already accepted' } });
      // Another nonce is another callback.
      expect((await send(fresh('replay-2', 'wkREPLAY'))).status).toBe(200);
      const remembered = await strict.stores.redis.keys(strict.stores.keys.wecomNonce('*'));
      expect(remembered).toHaveLength(2);
      for (const key of remembered) {
        const ttl = await strict.stores.redis.ttl(key);
        expect(ttl).toBeGreaterThan(290);
        expect(ttl).toBeLessThanOrEqual(301);
      }
    } finally {
      await strict.close();
    }
  });

  it('does not remember a callback it failed to queue, so WeCom\'s retry gets through', async () => {
    const stores = await openTestStores('wecom_routes_replay_retry');
    let accepts = 0;
    const app = new Koa();
    app.use(
      mountRoutes(createWecomRoutes({
        verifier: createCallbackVerifier({ ...SAMPLE, maxSkewSeconds: 300 }),
        accept: async () => {
          if (++accepts === 1) throw new Error('queue unavailable');
        },
        logger: stores.logger,
        replays: { nonces: createRedisWecomState(stores.redis, stores.keys).nonces, windowSeconds: 300 },
      })).routes(),
    );
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise<void>((r) => server.once('listening', () => r()));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
      const callback = fresh('retry-1', 'wkRETRY');
      const send = async () => (await fetch(`${url}?${callback.query}`, { method: 'POST', body: callback.body })).status;
      expect(await send()).toBe(503);
      expect(await send()).toBe(200);
      expect(await send()).toBe(409);
      expect(accepts).toBe(2);
    } finally {
      await new Promise((r) => server.close(r));
      await stores.close();
    }
  });
});
