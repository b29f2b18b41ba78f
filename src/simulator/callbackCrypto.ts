import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/**
 * WeCom callback crypto as the WeCom servers do it, on top of @wecom/crypto (which covers
 * AES-256-CBC with IV = key[0..16], 32-byte PKCS#7, the random+length+msg+receiveid layout and
 * the sorted SHA-1 signature). Exported so tests can craft hostile callbacks.
 */

/** Encrypts a plaintext message (XML or JSON) for `receiveId` (the corpid for kf callbacks); returns base64. */
export function encryptCallback(encodingAesKey: string, message: string, receiveId: string): string {
  return encrypt(encodingAesKey, message, receiveId);
}

/** Decrypts an `Encrypt` value; `receiveId` must be checked against the corpid by the caller. */
export function decryptCallback(encodingAesKey: string, encrypted: string): { message: string; receiveId: string } {
  const { message, id } = decrypt(encodingAesKey, encrypted);
  return { message, receiveId: id };
}

/** msg_signature = sha1 of sorted [token, timestamp, nonce, encrypt], lowercase hex. */
export function signCallback(token: string, timestamp: string | number, nonce: string | number, encrypted: string): string {
  return getSignature(token, String(timestamp), String(nonce), encrypted);
}

/** A fresh 43-char EncodingAESKey, as the WeCom console would generate. */
export function generateEncodingAesKey(): string {
  // 32 random bytes → 44 base64 chars ending in '='; WeCom keys are [a-zA-Z0-9] only, so retry until clean.
  for (;;) {
    const key = randomBytes(32).toString('base64').slice(0, 43);
    if (/^[a-zA-Z0-9]{43}$/.test(key) && Buffer.from(`${key}=`, 'base64').length === 32) return key;
  }
}

/** Wraps a value in CDATA, splitting any `]]>` so the XML stays well-formed. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** The decrypted kf callback body WeCom sends when an account has new data to pull. */
export function buildKfEventXml(fields: { corpId: string; createTime: number; syncToken: string; openKfId: string }): string {
  return (
    `<xml><ToUserName>${cdata(fields.corpId)}</ToUserName>` +
    `<CreateTime>${fields.createTime}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata('kf_msg_or_event')}</Event>` +
    `<Token>${cdata(fields.syncToken)}</Token>` +
    `<OpenKfId>${cdata(fields.openKfId)}</OpenKfId></xml>`
  );
}

/** Everything one encrypted callback POST needs: the query string values and the XML body. */
export interface SealedCallback {
  msgSignature: string;
  timestamp: string;
  nonce: string;
  encrypted: string;
  body: string;
}

/** Encrypts and signs a plaintext into the outer `<xml><ToUserName/><Encrypt/><AgentID/></xml>` envelope. */
export function sealCallback(input: {
  token: string;
  encodingAesKey: string;
  corpId: string;
  plaintext: string;
  timestamp: number;
  nonce?: string;
  agentId?: string;
}): SealedCallback {
  const encrypted = encryptCallback(input.encodingAesKey, input.plaintext, input.corpId);
  const timestamp = String(input.timestamp);
  const nonce = input.nonce ?? String(randomBytes(4).readUInt32BE(0));
  return {
    msgSignature: signCallback(input.token, timestamp, nonce, encrypted),
    timestamp,
    nonce,
    encrypted,
    body:
      `<xml><ToUserName>${cdata(input.corpId)}</ToUserName>` +
      `<Encrypt>${cdata(encrypted)}</Encrypt>` +
      `<AgentID>${cdata(input.agentId ?? '')}</AgentID></xml>`,
  };
}

/** Appends msg_signature, timestamp and nonce to a callback URL that may already have a query. */
export function callbackUrlWithQuery(url: string, sealed: Pick<SealedCallback, 'msgSignature' | 'timestamp' | 'nonce'>): string {
  const target = new URL(url);
  target.searchParams.set('msg_signature', sealed.msgSignature);
  target.searchParams.set('timestamp', sealed.timestamp);
  target.searchParams.set('nonce', sealed.nonce);
  return target.toString();
}
