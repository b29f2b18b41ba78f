import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { WecomCallbackError } from './wecomErrors.ts';

/** A parse result: the value, or why the input was refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: WecomCallbackError };

// Checked on the raw text before any parser sees it: no DTD means no entity expansion tricks.
const DTD_PATTERN = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Keep every value a string (ids such as MsgId exceed 2^53); zod decides what is a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/**
 * Parses a WeCom XML document and returns the fields under its `<xml>` root. Refuses any DTD
 * or entity declaration, malformed XML and documents without an `<xml>` root.
 */
export function parseWecomXml(text: string): Parsed<Record<string, unknown>> {
  if (DTD_PATTERN.test(text)) {
    return { ok: false, error: new WecomCallbackError('WECOM_XML_DTD_FORBIDDEN', 'XML with a DTD or entity declaration is refused') };
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    return {
      ok: false,
      error: new WecomCallbackError('WECOM_XML_INVALID', `XML is malformed: ${validation.err.msg} (line ${validation.err.line})`),
    };
  }
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error) {
    return { ok: false, error: new WecomCallbackError('WECOM_XML_INVALID', `XML is malformed: ${(error as Error).message}`) };
  }
  const root = (document as { xml?: unknown } | null)?.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    return { ok: false, error: new WecomCallbackError('WECOM_XML_INVALID', 'XML has no <xml> root with fields') };
  }
  return { ok: true, value: root as Record<string, unknown> };
}

const envelopeSchema = z.object({
  Encrypt: z.string().min(1),
  ToUserName: z.string().optional(),
  AgentID: z.string().optional(),
});

/** The outer POST body: `<xml><ToUserName/><Encrypt/><AgentID/></xml>`. */
export type CallbackEnvelope = z.infer<typeof envelopeSchema>;

/** Parses the outer (still encrypted) callback body. */
export function parseCallbackEnvelope(body: string): Parsed<CallbackEnvelope> {
  const xml = parseWecomXml(body);
  if (!xml.ok) return xml;
  const parsed = envelopeSchema.safeParse(xml.value);
  if (!parsed.success) return { ok: false, error: fieldError('callback body', parsed.error) };
  return { ok: true, value: parsed.data };
}

const digits = z.string().regex(/^\d{1,20}$/);

const payloadSchema = z.object({
  ToUserName: z.string(),
  FromUserName: z.string().optional(),
  CreateTime: digits,
  MsgType: z.string().min(1),
  Event: z.string().optional(),
  Token: z.string().optional(),
  OpenKfId: z.string().optional(),
  Content: z.string().optional(),
  MsgId: z.string().optional(),
  AgentID: z.string().optional(),
});

/** What a decrypted callback asks us to do. */
export type CallbackPayload =
  /** kf: new messages or events are waiting; pull them with sync_msg and this token. */
  | { type: 'kf_notification'; token: string; openKfId?: string; createTime: number }
  /** Self-built app: a member sent the app a message (text or otherwise). */
  | {
      type: 'app_message';
      msgId: string;
      fromUser: string;
      agentId: string;
      msgType: string;
      content?: string;
      createTime: number;
    }
  /** Anything else (app events, other kf events): acknowledged and ignored. */
  | { type: 'other'; msgType: string; event?: string };

/** Parses the decrypted inner XML of a callback into a typed payload. */
export function parseCallbackPayload(xmlText: string): Parsed<CallbackPayload> {
  const xml = parseWecomXml(xmlText);
  if (!xml.ok) return xml;
  const parsed = payloadSchema.safeParse(xml.value);
  if (!parsed.success) return { ok: false, error: fieldError('decrypted callback', parsed.error) };
  const p = parsed.data;
  const createTime = Number(p.CreateTime);
  if (p.MsgType === 'event' && p.Event === 'kf_msg_or_event') {
    if (!p.Token) return { ok: false, error: new WecomCallbackError('WECOM_XML_INVALID', 'kf_msg_or_event callback has no Token') };
    return { ok: true, value: { type: 'kf_notification', token: p.Token, openKfId: p.OpenKfId || undefined, createTime } };
  }
  if (p.MsgId && p.MsgType !== 'event') {
    if (!p.FromUserName) return { ok: false, error: new WecomCallbackError('WECOM_XML_INVALID', 'app message has no FromUserName') };
    return {
      ok: true,
      value: {
        type: 'app_message',
        msgId: p.MsgId,
        fromUser: p.FromUserName,
        agentId: p.AgentID ?? '',
        msgType: p.MsgType,
        content: p.Content,
        createTime,
      },
    };
  }
  return { ok: true, value: { type: 'other', msgType: p.MsgType, event: p.Event } };
}

function fieldError(what: string, error: z.ZodError): WecomCallbackError {
  const problems = error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return new WecomCallbackError('WECOM_XML_INVALID', `${what} has unexpected fields: ${problems.join('; ')}`);
}
