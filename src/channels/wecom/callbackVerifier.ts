import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { z } from 'zod';
import { parseCallbackEnvelope, parseCallbackPayload, type CallbackPayload, type Parsed } from './callbackXml.ts';
import { WecomCallbackError } from './wecomErrors.ts';

/** Callback credentials from the WeCom console. */
export interface CallbackCredentials {
  corpId: string;
  token: string;
  encodingAesKey: string;
  /** Refuse timestamps further than this from our clock; 0 turns the check off (the default here; WECOM_MAX_SKEW_S defaults to 300). */
  maxSkewSeconds?: number;
}

/** Query string values as Koa gives them (a repeated parameter becomes an array). */
export type CallbackQuery = Record<string, string | string[] | undefined>;

/** Verifies and opens WeCom callbacks; every refusal is an expected outcome, never a throw. */
export interface CallbackVerifier {
  /** GET URL verification: returns the decrypted `echostr` to answer with. */
  verifyUrl(query: CallbackQuery): Parsed<string>;
  /** POST delivery: checks the signature over `Encrypt`, decrypts, and parses the inner XML. */
  openMessage(query: CallbackQuery, body: string): Parsed<CallbackPayload>;
}

const signedQuery = z.object({
  msg_signature: z.string().regex(/^[0-9a-fA-F]{40}$/, 'must be 40 hex digits'),
  timestamp: z.string().regex(/^\d{1,12}$/, 'must be unix seconds'),
  nonce: z.string().min(1).max(128),
});
const urlQuery = signedQuery.extend({ echostr: z.string().min(1).max(4096) });

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Builds the verifier for one corp's callback credentials, following WeCom's 加解密方案: SHA-1
 * over the sorted [token, timestamp, nonce, ciphertext] compared in constant time, then
 * AES-256-CBC decrypt with `@wecom/crypto` and a check that the receive id is our corp id.
 *
 * @example
 * const verifier = createCallbackVerifier({ corpId, token, encodingAesKey });
 * const echo = verifier.verifyUrl(ctx.query);
 */
export function createCallbackVerifier(credentials: CallbackCredentials, now: () => number = Date.now): CallbackVerifier {
  const maxSkew = credentials.maxSkewSeconds ?? 0;

  function checkSigned<T extends z.infer<typeof signedQuery>>(parsed: T, ciphertext: string): WecomCallbackError | null {
    if (maxSkew > 0) {
      const skew = Math.abs(Math.floor(now() / 1000) - Number(parsed.timestamp));
      if (skew > maxSkew) {
        return new WecomCallbackError('WECOM_TIMESTAMP_SKEW', `timestamp is ${skew} s away from our clock (limit ${maxSkew} s)`);
      }
    }
    const expected = Buffer.from(getSignature(credentials.token, parsed.timestamp, parsed.nonce, ciphertext), 'utf8');
    const given = Buffer.from(parsed.msg_signature.toLowerCase(), 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return new WecomCallbackError('WECOM_SIGNATURE_INVALID', 'msg_signature does not match');
    }
    return null;
  }

  function open(ciphertext: string): Parsed<string> {
    if (ciphertext.length % 4 !== 0 || !BASE64.test(ciphertext)) {
      return { ok: false, error: new WecomCallbackError('WECOM_DECRYPT_FAILED', 'ciphertext is not base64') };
    }
    const bytes = Buffer.from(ciphertext, 'base64');
    // WeCom pads to 32-byte blocks; the plaintext holds at least 16 random bytes + a 4-byte length.
    if (bytes.length < 32 || bytes.length % 32 !== 0) {
      return { ok: false, error: new WecomCallbackError('WECOM_DECRYPT_FAILED', `ciphertext length ${bytes.length} is not a multiple of 32`) };
    }
    let opened: { message: string; id: string };
    try {
      opened = decrypt(credentials.encodingAesKey, ciphertext);
    } catch (error) {
      return { ok: false, error: new WecomCallbackError('WECOM_DECRYPT_FAILED', `cannot decrypt: ${(error as Error).message}`) };
    }
    if (opened.id !== credentials.corpId) {
      return {
        ok: false,
        error: new WecomCallbackError('WECOM_RECEIVE_ID_MISMATCH', 'receive id in the plaintext is not our corp id', {
          receiveId: opened.id.slice(0, 64),
        }),
      };
    }
    return { ok: true, value: opened.message };
  }

  return {
    verifyUrl(query) {
      const parsed = urlQuery.safeParse(query);
      if (!parsed.success) return { ok: false, error: queryError(parsed.error) };
      const refused = checkSigned(parsed.data, parsed.data.echostr);
      if (refused) return { ok: false, error: refused };
      return open(parsed.data.echostr);
    },

    openMessage(query, body) {
      const parsed = signedQuery.safeParse(query);
      if (!parsed.success) return { ok: false, error: queryError(parsed.error) };
      const envelope = parseCallbackEnvelope(body);
      if (!envelope.ok) return envelope;
      const refused = checkSigned(parsed.data, envelope.value.Encrypt);
      if (refused) return { ok: false, error: refused };
      const plaintext = open(envelope.value.Encrypt);
      if (!plaintext.ok) return plaintext;
      return parseCallbackPayload(plaintext.value);
    },
  };
}

function queryError(error: z.ZodError): WecomCallbackError {
  const problems = error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return new WecomCallbackError('WECOM_PARAMS_INVALID', `query parameters are invalid: ${problems.join('; ')}`);
}
