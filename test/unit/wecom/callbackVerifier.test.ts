import { encrypt, getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { createCallbackVerifier } from '../../../src/channels/wecom/callbackVerifier.ts';

// WeCom's published sample vectors: sbzhu/weworkapi_python callback/Sample.py (official
// WXBizMsgCrypt demo). Their timestamps are from 2016, so the skew check must be off by default.
const SAMPLE = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
  verify: {
    msg_signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
    timestamp: '1476416373',
    nonce: '47744683',
    echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
    plaintext: '1288432023552776189',
  },
  message: {
    msg_signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
    timestamp: '1476422779',
    nonce: '1597212914',
    body:
      '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>',
  },
};

const verifier = createCallbackVerifier(SAMPLE);

/** Seals `plaintext` like WeCom does, with a valid signature, for hostile-input tests. */
function seal(plaintext: string, options: { corpId?: string; timestamp?: string; ciphertext?: string } = {}) {
  const ciphertext = options.ciphertext ?? encrypt(SAMPLE.encodingAesKey, plaintext, options.corpId ?? SAMPLE.corpId);
  const timestamp = options.timestamp ?? '1700000000';
  const nonce = '12345';
  return {
    query: { msg_signature: getSignature(SAMPLE.token, timestamp, nonce, ciphertext), timestamp, nonce },
    body: `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><Encrypt><![CDATA[${ciphertext}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
    ciphertext,
  };
}

const KF_EVENT =
  '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR]]></Token><OpenKfId><![CDATA[wkxxxxxxx]]></OpenKfId></xml>';

describe('WeCom official sample vectors', () => {
  it('verifies the sample URL and answers the decrypted echostr', () => {
    const { plaintext, ...query } = SAMPLE.verify;
    expect(verifier.verifyUrl(query)).toEqual({ ok: true, value: plaintext });
  });

  it('decrypts the sample app message into a typed payload', () => {
    const { body, ...query } = SAMPLE.message;
    expect(verifier.openMessage(query, body)).toEqual({
      ok: true,
      value: { type: 'app_message', msgId: '1456453720', fromUser: 'ChenJiaShun', agentId: '1000002', msgType: 'text', content: '你好', createTime: 1476422779 },
    });
  });

  it('accepts an upper-case signature (hex compare is case-insensitive)', () => {
    const { plaintext: _p, ...query } = SAMPLE.verify;
    expect(verifier.verifyUrl({ ...query, msg_signature: query.msg_signature.toUpperCase() }).ok).toBe(true);
  });
});

describe('timestamp freshness (WECOM_MAX_SKEW_S)', () => {
  const { plaintext: _p, ...query } = SAMPLE.verify;
  it('is off when 0, so the 2016 vectors verify', () => {
    const strictZero = createCallbackVerifier({ ...SAMPLE, maxSkewSeconds: 0 }, () => Date.parse('2030-01-01'));
    expect(strictZero.verifyUrl(query).ok).toBe(true);
  });
  it('refuses old timestamps when set', () => {
    const strict = createCallbackVerifier({ ...SAMPLE, maxSkewSeconds: 300 }, () => Date.parse('2030-01-01'));
    const result = strict.verifyUrl(query);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('WECOM_TIMESTAMP_SKEW');
  });
  it('accepts timestamps inside the window', () => {
    const strict = createCallbackVerifier({ ...SAMPLE, maxSkewSeconds: 300 }, () => (Number(query.timestamp) + 299) * 1000);
    expect(strict.verifyUrl(query).ok).toBe(true);
  });
});

describe('hostile callbacks are refused with a stable code', () => {
  function refusal(result: ReturnType<typeof verifier.openMessage> | ReturnType<typeof verifier.verifyUrl>) {
    expect(result.ok).toBe(false);
    return result.ok ? undefined : { code: result.error.code, status: result.error.status };
  }

  it('wrong signature → 401 WECOM_SIGNATURE_INVALID', () => {
    const { body, ...query } = SAMPLE.message;
    expect(refusal(verifier.openMessage({ ...query, msg_signature: 'f'.repeat(40) }, body))).toEqual({ code: 'WECOM_SIGNATURE_INVALID', status: 401 });
    const { plaintext: _p, ...get } = SAMPLE.verify;
    expect(refusal(verifier.verifyUrl({ ...get, nonce: '47744684' }))).toEqual({ code: 'WECOM_SIGNATURE_INVALID', status: 401 });
  });

  it('another corp id in the plaintext → 403 WECOM_RECEIVE_ID_MISMATCH', () => {
    const sealed = seal(KF_EVENT, { corpId: 'wwSOMEONEELSE' });
    expect(refusal(verifier.openMessage(sealed.query, sealed.body))).toEqual({ code: 'WECOM_RECEIVE_ID_MISMATCH', status: 403 });
    const other = createCallbackVerifier({ ...SAMPLE, corpId: 'wwother' });
    const { plaintext: _p, ...get } = SAMPLE.verify;
    expect(refusal(other.verifyUrl(get))).toEqual({ code: 'WECOM_RECEIVE_ID_MISMATCH', status: 403 });
  });

  it('broken base64 (validly signed) → 400 WECOM_DECRYPT_FAILED', () => {
    for (const ciphertext of ['not*base64!', 'QUJD', 'A'.repeat(42) + '==', Buffer.alloc(48).toString('base64')]) {
      const sealed = seal('', { ciphertext });
      expect(refusal(verifier.openMessage(sealed.query, sealed.body))).toEqual({ code: 'WECOM_DECRYPT_FAILED', status: 400 });
    }
  });

  it('random bytes of a valid length decrypt to garbage → refused, never thrown', () => {
    const sealed = seal('', { ciphertext: Buffer.alloc(64, 7).toString('base64') });
    const result = verifier.openMessage(sealed.query, sealed.body);
    expect(result.ok).toBe(false);
  });

  it('malformed outer XML → 400 WECOM_XML_INVALID', () => {
    const { body: _b, ...query } = SAMPLE.message;
    for (const body of ['', 'hello', '<xml><Encrypt>abc</xml>', '<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>', '<other/>']) {
      expect(refusal(verifier.openMessage(query, body))).toEqual({ code: 'WECOM_XML_INVALID', status: 400 });
    }
  });

  it('malformed inner XML (validly sealed) → 400 WECOM_XML_INVALID', () => {
    for (const inner of ['<xml><ToUserName>x</ToUserName>', 'plain text', '<xml><MsgType>text</MsgType></xml>']) {
      const sealed = seal(inner);
      expect(refusal(verifier.openMessage(sealed.query, sealed.body))).toEqual({ code: 'WECOM_XML_INVALID', status: 400 });
    }
  });

  it('a DOCTYPE or ENTITY outside or inside → 400 WECOM_XML_DTD_FORBIDDEN', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><ToUserName>&lol2;</ToUserName></xml>';
    const { body: _b, ...query } = SAMPLE.message;
    expect(refusal(verifier.openMessage(query, laughs))).toEqual({ code: 'WECOM_XML_DTD_FORBIDDEN', status: 400 });
    const sealed = seal(laughs);
    expect(refusal(verifier.openMessage(sealed.query, sealed.body))).toEqual({ code: 'WECOM_XML_DTD_FORBIDDEN', status: 400 });
    const xxe = '<!doctype xml [<!entity x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>';
    expect(refusal(verifier.openMessage(query, xxe))).toEqual({ code: 'WECOM_XML_DTD_FORBIDDEN', status: 400 });
  });

  it('missing, repeated or malformed query parameters → 400 WECOM_PARAMS_INVALID', () => {
    const { plaintext: _p, ...get } = SAMPLE.verify;
    const { body, ...post } = SAMPLE.message;
    expect(refusal(verifier.verifyUrl({ ...get, echostr: undefined }))).toEqual({ code: 'WECOM_PARAMS_INVALID', status: 400 });
    expect(refusal(verifier.verifyUrl({ ...get, nonce: ['1', '2'] }))).toEqual({ code: 'WECOM_PARAMS_INVALID', status: 400 });
    expect(refusal(verifier.openMessage({ ...post, timestamp: 'yesterday' }, body))).toEqual({ code: 'WECOM_PARAMS_INVALID', status: 400 });
    expect(refusal(verifier.openMessage({ ...post, msg_signature: 'abc' }, body))).toEqual({ code: 'WECOM_PARAMS_INVALID', status: 400 });
  });

  it('entities are left as text, never expanded', () => {
    const inner = KF_EVENT.replace('wkxxxxxxx', 'wk&amp;x');
    const sealed = seal(inner);
    const result = verifier.openMessage(sealed.query, sealed.body);
    expect(result.ok && result.value.type === 'kf_notification' && result.value.openKfId).toBe('wk&amp;x');
  });
});

describe('callback payloads', () => {
  it('reads a kf_msg_or_event notification', () => {
    const sealed = seal(KF_EVENT);
    expect(verifier.openMessage(sealed.query, sealed.body)).toEqual({
      ok: true,
      value: { type: 'kf_notification', token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR', openKfId: 'wkxxxxxxx', createTime: 1700000000 },
    });
  });

  it('keeps a 19-digit MsgId exact (no number parsing)', () => {
    const inner =
      '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>u1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>image</MsgType><PicUrl>http://x</PicUrl><MsgId>4561255354251345929</MsgId><AgentID>218</AgentID></xml>';
    const sealed = seal(inner);
    const result = verifier.openMessage(sealed.query, sealed.body);
    expect(result.ok && result.value).toMatchObject({ type: 'app_message', msgId: '4561255354251345929', msgType: 'image', agentId: '218' });
  });

  it('treats other events as ignorable', () => {
    const inner =
      '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>u1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event><AgentID>218</AgentID></xml>';
    const sealed = seal(inner);
    expect(verifier.openMessage(sealed.query, sealed.body)).toEqual({ ok: true, value: { type: 'other', msgType: 'event', event: 'enter_agent' } });
  });
});
