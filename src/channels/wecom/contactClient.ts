import { z } from 'zod';
import type { KfClient } from './kfClient.ts';
import { WecomApiError } from './wecomErrors.ts';

/**
 * 客户联系 (external contact) APIs for tagging customers, over a client built with the 客户联系
 * secret: corp tags (get_corp_tag_list, add_corp_tag), mark_tag, and finding a customer
 * (externalcontact/get, get_follow_user_list, batch/get_by_user). See ../shared/notes/wecom.md §5.
 */

/** errcodes meaning "no such external contact (for this corp)": not an error, an answer. */
const NOT_A_CONTACT = new Set([40096, 84061]);

const tagGroupSchema = z.object({
  group_id: z.string(),
  group_name: z.string(),
  deleted: z.boolean().optional(),
  tag: z.array(z.object({ id: z.string(), name: z.string(), deleted: z.boolean().optional() })).default([]),
});
const tagListResponse = z.object({ tag_group: z.array(tagGroupSchema).default([]) });
const addTagResponse = z.object({ tag_group: tagGroupSchema });
const ok = z.object({ errcode: z.number().optional() });
const contactResponse = z.object({
  external_contact: z.object({ external_userid: z.string(), unionid: z.string().optional() }),
  follow_user: z.array(z.object({ userid: z.string() })).default([]),
});
const followUsersResponse = z.object({ follow_user: z.array(z.string()).default([]) });
const byUserResponse = z.object({
  external_contact_list: z
    .array(z.object({ external_contact: z.object({ external_userid: z.string(), unionid: z.string().optional() }), follow_info: z.object({ userid: z.string() }) }))
    .default([]),
  next_cursor: z.string().default(''),
});

export interface CorpTagGroup {
  groupId: string;
  groupName: string;
  tags: Array<{ id: string; name: string }>;
}

export interface ExternalContactLink {
  externalUserId: string;
  /** A member (userid) who has the customer as an external contact: mark_tag acts through them. */
  userId: string;
  unionId?: string;
}

export interface ContactClient {
  corpTags(): Promise<CorpTagGroup[]>;
  /** Creates tags in a group (by name: WeCom creates the group when it is new). */
  addCorpTags(groupName: string, names: string[]): Promise<CorpTagGroup>;
  markTag(request: { userId: string; externalUserId: string; add: string[]; remove: string[] }): Promise<void>;
  /** The contact and a member who follows them; null when WeCom says it is not an external contact. */
  contact(externalUserId: string): Promise<ExternalContactLink | null>;
  /** Members with 客户联系 enabled. */
  followUsers(): Promise<string[]>;
  /** Every external contact of these members (≤100), paged through. */
  contactsOf(userIds: string[]): Promise<ExternalContactLink[]>;
}

/**
 * @example
 * const contacts = createContactClient(createKfClient({ corpId, secret: contactSecret, apiBase, tokens, logger }));
 * await contacts.markTag({ userId: 'zhangsan', externalUserId: 'wm…', add: ['et…'], remove: [] });
 */
export function createContactClient(client: Pick<KfClient, 'post' | 'get'>): ContactClient {
  return {
    async corpTags() {
      const data = await client.post('/cgi-bin/externalcontact/get_corp_tag_list', {}, tagListResponse);
      return data.tag_group.filter((g) => !g.deleted).map(toGroup);
    },
    async addCorpTags(groupName, names) {
      const data = await client.post('/cgi-bin/externalcontact/add_corp_tag', { group_name: groupName, tag: names.map((name) => ({ name })) }, addTagResponse);
      return toGroup(data.tag_group);
    },
    async markTag(request) {
      await client.post(
        '/cgi-bin/externalcontact/mark_tag',
        { userid: request.userId, external_userid: request.externalUserId, ...(request.add.length ? { add_tag: request.add } : {}), ...(request.remove.length ? { remove_tag: request.remove } : {}) },
        ok,
      );
    },
    async contact(externalUserId) {
      try {
        const data = await client.get('/cgi-bin/externalcontact/get', { external_userid: externalUserId }, contactResponse);
        const userId = data.follow_user[0]?.userid;
        if (!userId) return null;
        return { externalUserId: data.external_contact.external_userid, userId, ...(data.external_contact.unionid ? { unionId: data.external_contact.unionid } : {}) };
      } catch (error) {
        if (error instanceof WecomApiError && NOT_A_CONTACT.has(error.errcode)) return null;
        throw error;
      }
    },
    async followUsers() {
      return (await client.get('/cgi-bin/externalcontact/get_follow_user_list', {}, followUsersResponse)).follow_user;
    },
    async contactsOf(userIds) {
      const out: ExternalContactLink[] = [];
      let cursor = '';
      do {
        const data = await client.post('/cgi-bin/externalcontact/batch/get_by_user', { userid_list: userIds, cursor, limit: 100 }, byUserResponse);
        for (const c of data.external_contact_list) {
          out.push({ externalUserId: c.external_contact.external_userid, userId: c.follow_info.userid, ...(c.external_contact.unionid ? { unionId: c.external_contact.unionid } : {}) });
        }
        cursor = data.next_cursor;
      } while (cursor);
      return out;
    },
  };
}

function toGroup(g: z.infer<typeof tagGroupSchema>): CorpTagGroup {
  return { groupId: g.group_id, groupName: g.group_name, tags: g.tag.filter((t) => !t.deleted).map((t) => ({ id: t.id, name: t.name })) };
}
