import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { WecomReply } from './simulatorTypes.ts';

/**
 * The simulated corp's customer-facing kf links (`kf/add_contact_way`) and 客户联系 mass-send
 * tasks (`externalcontact/add_msg_template`). A link carries an opaque `enc_scene` that stands
 * for its account and scene, as WeCom's do; `resolve` turns an opened link (with the
 * `scene_param` appended, ≤128 bytes URL-encoded) back into what `enter_session` reports.
 */

export const addContactWayBody = z.object({ open_kfid: z.string(), scene: z.string().optional() });
export const addMsgTemplateBody = z
  .object({
    chat_type: z.enum(['single', 'group']).default('single'),
    external_userid: z.array(z.string()).optional(),
    sender: z.string().optional(),
    text: z.object({ content: z.string() }).optional(),
    attachments: z.array(z.object({ msgtype: z.string() }).loose()).max(9).optional(),
  })
  .loose();

/** A link host that is clearly WeCom's shape but never reached: the simulator resolves it itself. */
const LINK_BASE = 'https://work.weixin.qq.com/kf/';
const SCENE_PARAM_MAX_BYTES = 128;

export class SimulatorContactWays {
  /** Mass-send tasks as created (tests and the chat page read them). */
  readonly msgTemplates: Array<z.infer<typeof addMsgTemplateBody> & { msgid: string }> = [];
  private readonly links = new Map<string, { openKfId: string; scene?: string }>();

  constructor(private readonly config: { openKfId: string; servicers: string[] }) {}

  /** POST /cgi-bin/kf/add_contact_way. */
  addContactWay(body: z.infer<typeof addContactWayBody>): WecomReply {
    if (body.open_kfid !== this.config.openKfId) return { errcode: 95000, errmsg: 'invalid open_kfid' };
    if (body.scene !== undefined && !/^[0-9a-zA-Z_-]{1,32}$/.test(body.scene)) return { errcode: 40058, errmsg: 'invalid parameter, scene' };
    const encScene = randomBytes(12).toString('hex');
    this.links.set(encScene, { openKfId: body.open_kfid, ...(body.scene ? { scene: body.scene } : {}) });
    return { errcode: 0, errmsg: 'ok', url: `${LINK_BASE}kfc${randomBytes(8).toString('hex')}?enc_scene=${encScene}` };
  }

  /** POST /cgi-bin/externalcontact/add_msg_template: the sender must be a member; a link attachment needs a url. */
  addMsgTemplate(body: z.infer<typeof addMsgTemplateBody>): WecomReply {
    if (!body.text && !body.attachments?.length) return { errcode: 41048, errmsg: 'text or attachments required' };
    if (body.chat_type === 'single' && !body.external_userid?.length && !body.sender) return { errcode: 40058, errmsg: 'invalid parameter, external_userid or sender' };
    if (body.sender !== undefined && !this.config.servicers.includes(body.sender)) return { errcode: 60111, errmsg: 'invalid userid' };
    for (const a of body.attachments ?? []) {
      const link = (a as { link?: { url?: unknown; title?: unknown } }).link;
      if (a.msgtype === 'link' && (typeof link?.url !== 'string' || typeof link.title !== 'string')) return { errcode: 40058, errmsg: 'invalid parameter, link' };
    }
    const msgid = `msg${randomBytes(10).toString('hex')}`;
    this.msgTemplates.push({ ...structuredClone(body), msgid });
    return { errcode: 0, errmsg: 'ok', fail_list: [], msgid };
  }

  /**
   * What opening `url` in WeChat makes WeCom report: its scene and the appended scene_param.
   * Throws for a link the corp never made or a parameter WeCom would not deliver.
   */
  resolve(url: string): { scene?: string; sceneParam?: string } {
    const parsed = new URL(url);
    const link = this.links.get(parsed.searchParams.get('enc_scene') ?? '');
    if (!`${parsed.origin}${parsed.pathname}`.startsWith(LINK_BASE) || !link) throw new Error(`not a kf link of this corp: ${url}`);
    const raw = /[?&]scene_param=([^&]*)/.exec(parsed.search)?.[1];
    if (raw !== undefined && Buffer.byteLength(raw) > SCENE_PARAM_MAX_BYTES) throw new Error('scene_param is longer than 128 bytes; WeCom would not deliver the event');
    if (raw !== undefined && !link.scene) throw new Error('a link without scene carries no scene_param');
    return { ...(link.scene ? { scene: link.scene } : {}), ...(raw !== undefined ? { sceneParam: decodeURIComponent(raw) } : {}) };
  }
}
