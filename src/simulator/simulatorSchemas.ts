import { z } from 'zod';

/**
 * zod shapes of the request bodies the simulator accepts. They check structure only (what WeCom
 * rejects as "invalid parameter", 40058); rules with their own WeCom errcode (byte limits, menu
 * size, states) are checked in simulatorState.ts so each gets the right code.
 */

const anyObject = z.record(z.string(), z.unknown());

const menuItem = z.object({
  type: z.string(),
  click: z.object({ id: z.string(), content: z.string() }).optional(),
  view: z.object({ url: z.string(), content: z.string() }).optional(),
  miniprogram: z.object({ appid: z.string(), pagepath: z.string(), content: z.string() }).optional(),
  text: z.object({ content: z.string(), no_newline: z.union([z.literal(0), z.literal(1)]).optional() }).optional(),
});

/** The type-named payloads shared by send_msg and send_msg_on_event. */
const messageContent = {
  msgtype: z.string().min(1),
  text: z.object({ content: z.string() }).optional(),
  msgmenu: z
    .object({
      head_content: z.string().optional(),
      list: z.array(menuItem).default([]),
      tail_content: z.string().optional(),
    })
    .optional(),
  image: z.object({ media_id: z.string() }).optional(),
  voice: z.object({ media_id: z.string() }).optional(),
  video: z.object({ media_id: z.string() }).optional(),
  file: z.object({ media_id: z.string() }).optional(),
  link: anyObject.optional(),
  miniprogram: anyObject.optional(),
  location: anyObject.optional(),
  business_card: anyObject.optional(),
  ca_link: anyObject.optional(),
};

export const syncMsgBody = z.object({
  cursor: z.string().optional(),
  token: z.string().optional(),
  limit: z.number().int().optional(),
  voice_format: z.union([z.literal(0), z.literal(1)]).optional(),
  open_kfid: z.string().optional(),
});
export type SyncMsgBody = z.infer<typeof syncMsgBody>;

export const sendMsgBody = z.object({
  touser: z.string(),
  open_kfid: z.string(),
  msgid: z.string().optional(),
  ...messageContent,
});
export type SendMsgBody = z.infer<typeof sendMsgBody>;

export const sendMsgOnEventBody = z.object({
  code: z.string(),
  msgid: z.string().optional(),
  ...messageContent,
});
export type SendMsgOnEventBody = z.infer<typeof sendMsgOnEventBody>;

/** The part of a send body that carries content, shared by both send APIs. */
export type MessageContent = Pick<SendMsgBody, keyof typeof messageContent>;

export const serviceStateGetBody = z.object({ open_kfid: z.string(), external_userid: z.string() });
export type ServiceStateGetBody = z.infer<typeof serviceStateGetBody>;

export const serviceStateTransBody = z.object({
  open_kfid: z.string(),
  external_userid: z.string(),
  service_state: z.number().int(),
  servicer_userid: z.string().optional(),
});
export type ServiceStateTransBody = z.infer<typeof serviceStateTransBody>;

export const customerBatchgetBody = z.object({
  external_userid_list: z.array(z.string()),
  need_enter_session_context: z.union([z.literal(0), z.literal(1)]).optional(),
});
export type CustomerBatchgetBody = z.infer<typeof customerBatchgetBody>;

export const robotBody = z
  .object({
    msgtype: z.string(),
    text: z
      .object({
        content: z.string(),
        mentioned_list: z.array(z.string()).optional(),
        mentioned_mobile_list: z.array(z.string()).optional(),
      })
      .optional(),
    markdown: z.object({ content: z.string() }).optional(),
  })
  .loose();
export type RobotBody = z.infer<typeof robotBody>;

export const appMessageBody = z
  .object({
    touser: z.string().optional(),
    toparty: z.string().optional(),
    totag: z.string().optional(),
    msgtype: z.string(),
    agentid: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
    text: z.object({ content: z.string() }).optional(),
  })
  .loose();
export type AppMessageBody = z.infer<typeof appMessageBody>;

// Chat page endpoints (not WeCom): plain 400s on bad input.
const customerId = z.string().trim().min(1).max(64).regex(/^[0-9a-zA-Z_-]+$/, 'letters, digits, _ and - only');
const nickname = z.string().trim().max(32).optional();

export const pageSayBody = z.object({
  customer: customerId,
  text: z.string().min(1).max(2000),
  menuId: z.string().min(1).max(64).optional(),
  nickname,
});
export const pageEnterBody = z.object({
  customer: customerId,
  scene: z.string().max(32).optional(),
  sceneParam: z.string().max(128).optional(),
  /** An invitation link (from kf/add_contact_way plus &scene_param=): entered as WeChat would. */
  link: z.string().url().max(2048).optional(),
  nickname,
});
/** A picture or voice note from the page: the built-in sample, or an uploaded file (base64, ≤ 1 MB). */
export const pageMediaBody = z.object({
  customer: customerId,
  nickname,
  dataBase64: z.string().max(1_400_000).regex(/^[A-Za-z0-9+/]*={0,2}$/).optional(),
  contentType: z.string().max(100).optional(),
});
export const pageServicerBody = z.object({ customer: customerId, servicerId: z.string().min(1), text: z.string().min(1).max(2000) });
export const pageStateBody = z.object({
  customer: customerId,
  state: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  servicerId: z.string().min(1).optional(),
});
