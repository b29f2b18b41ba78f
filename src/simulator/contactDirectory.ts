import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { WecomReply } from './simulatorTypes.ts';

/**
 * The fake corp's 客户联系 (external contacts): members' customers with their unionids, corp tag
 * groups, and the tags members put on customers. Errcodes are our picks where WeCom's docs are
 * vague: unknown external contact → 84061, customer not followed by that member → 84061,
 * unknown tag id → 40068, empty add and remove → 40058.
 */

export const ContactErrcode = { notExternalContact: 84061, invalidTagId: 40068, invalidParameter: 40058 } as const;

export const addCorpTagBody = z.object({
  group_id: z.string().optional(),
  group_name: z.string().min(1).max(30).optional(),
  order: z.number().optional(),
  tag: z.array(z.object({ name: z.string().min(1).max(30), order: z.number().optional() })).min(1),
  agentid: z.number().optional(),
});
export const corpTagListBody = z.object({ tag_id: z.array(z.string()).optional(), group_id: z.array(z.string()).optional() });
export const markTagBody = z.object({
  userid: z.string().min(1),
  external_userid: z.string().min(1),
  add_tag: z.array(z.string()).optional(),
  remove_tag: z.array(z.string()).optional(),
});
export const byUserBody = z.object({ userid_list: z.array(z.string()).min(1).max(100), cursor: z.string().optional(), limit: z.number().int().min(1).max(100).optional() });

interface TagGroup {
  id: string;
  name: string;
  createdAt: number;
  tags: Array<{ id: string; name: string; createdAt: number }>;
}

interface Contact {
  externalUserId: string;
  unionId?: string;
  name: string;
  /** Member userid → tag ids that member put on the customer. */
  followers: Map<string, Set<string>>;
}

const ok = (fields: Record<string, unknown> = {}): WecomReply => ({ errcode: 0, errmsg: 'ok', ...fields });
const fail = (errcode: number, errmsg: string): WecomReply => ({ errcode, errmsg });

export class ContactDirectory {
  private readonly groups: TagGroup[] = [];
  private readonly contacts = new Map<string, Contact>();
  /** mark_tag calls, for tests. */
  readonly markCalls: Array<z.infer<typeof markTagBody>> = [];

  constructor(
    private readonly members: readonly string[],
    private readonly now: () => number,
  ) {}

  /** Makes a customer an external contact of a member (as when they add an advisor on WeChat). */
  addContact(input: { externalUserId: string; userId: string; unionId?: string; name?: string }): void {
    const existing = this.contacts.get(input.externalUserId);
    const contact = existing ?? { externalUserId: input.externalUserId, name: input.name ?? input.externalUserId, followers: new Map<string, Set<string>>(), ...(input.unionId ? { unionId: input.unionId } : {}) };
    if (!contact.followers.has(input.userId)) contact.followers.set(input.userId, new Set());
    this.contacts.set(contact.externalUserId, contact);
  }

  /** Tag names a member put on a contact (group/name), for tests and the chat page. */
  tagsOf(externalUserId: string): string[] {
    const contact = this.contacts.get(externalUserId);
    if (!contact) return [];
    const names = new Set<string>();
    for (const ids of contact.followers.values()) for (const id of ids) names.add(this.describe(id));
    return [...names].sort();
  }

  private describe(tagId: string): string {
    for (const g of this.groups) for (const t of g.tags) if (t.id === tagId) return `${g.name}/${t.name}`;
    return tagId;
  }

  private tagExists(id: string): boolean {
    return this.groups.some((g) => g.tags.some((t) => t.id === id));
  }

  /** POST externalcontact/get_corp_tag_list. */
  corpTagList(body: z.infer<typeof corpTagListBody>): WecomReply {
    const groups = this.groups.filter((g) => !body.group_id?.length || body.group_id.includes(g.id));
    return ok({
      tag_group: groups.map((g, order) => ({
        group_id: g.id,
        group_name: g.name,
        create_time: Math.floor(g.createdAt / 1000),
        order,
        deleted: false,
        tag: g.tags.filter((t) => body.group_id?.length || !body.tag_id?.length || body.tag_id.includes(t.id)).map((t, i) => ({ id: t.id, name: t.name, create_time: Math.floor(t.createdAt / 1000), order: i, deleted: false })),
      })),
    });
  }

  /** POST externalcontact/add_corp_tag: a new group by name, or tags added to an existing one. */
  addCorpTag(body: z.infer<typeof addCorpTagBody>): WecomReply {
    let group = body.group_id ? this.groups.find((g) => g.id === body.group_id) : this.groups.find((g) => g.name === body.group_name);
    if (!group) {
      if (!body.group_name) return fail(ContactErrcode.invalidParameter, 'group_name required for a new group');
      group = { id: `et${randomBytes(8).toString('hex')}`, name: body.group_name, createdAt: this.now(), tags: [] };
      this.groups.push(group);
    }
    const created = [];
    for (const t of body.tag) {
      const existing = group.tags.find((x) => x.name === t.name);
      const tag = existing ?? { id: `et${randomBytes(10).toString('hex')}`, name: t.name, createdAt: this.now() };
      if (!existing) group.tags.push(tag);
      created.push(tag);
    }
    return ok({
      tag_group: { group_id: group.id, group_name: group.name, create_time: Math.floor(group.createdAt / 1000), order: 0, tag: created.map((t, i) => ({ id: t.id, name: t.name, create_time: Math.floor(t.createdAt / 1000), order: i })) },
    });
  }

  /** POST externalcontact/mark_tag: the customer must be an external contact of `userid`. */
  markTag(body: z.infer<typeof markTagBody>): WecomReply {
    const add = body.add_tag ?? [];
    const remove = body.remove_tag ?? [];
    if (!add.length && !remove.length) return fail(ContactErrcode.invalidParameter, 'add_tag and remove_tag can not both be empty');
    const tags = this.contacts.get(body.external_userid)?.followers.get(body.userid);
    if (!tags) return fail(ContactErrcode.notExternalContact, 'not external contact');
    const unknown = [...add, ...remove].find((id) => !this.tagExists(id));
    if (unknown) return fail(ContactErrcode.invalidTagId, `invalid tagid ${unknown}`);
    for (const id of remove) tags.delete(id);
    for (const id of add) tags.add(id);
    this.markCalls.push(structuredClone(body));
    return ok();
  }

  /** GET externalcontact/get?external_userid=. */
  get(externalUserId: string | null): WecomReply {
    const c = externalUserId ? this.contacts.get(externalUserId) : undefined;
    if (!c) return fail(ContactErrcode.notExternalContact, 'not external contact');
    return ok({
      external_contact: { external_userid: c.externalUserId, name: c.name, type: 1, ...(c.unionId ? { unionid: c.unionId } : {}) },
      follow_user: [...c.followers].map(([userid, tags]) => ({ userid, tags: [...tags].map((id) => ({ tag_id: id, type: 1, tag_name: this.describe(id).split('/')[1] ?? id, group_name: this.describe(id).split('/')[0] ?? '' })) })),
    });
  }

  /** GET externalcontact/get_follow_user_list. */
  followUserList(): WecomReply {
    return ok({ follow_user: [...this.members] });
  }

  /** POST externalcontact/batch/get_by_user: pages of (contact, member) pairs. */
  byUser(body: z.infer<typeof byUserBody>): WecomReply {
    const pairs = [...this.contacts.values()].flatMap((c) => [...c.followers.keys()].filter((u) => body.userid_list.includes(u)).map((userid) => ({ c, userid })));
    const start = Number(body.cursor || 0) || 0;
    const limit = body.limit ?? 50;
    const page = pairs.slice(start, start + limit);
    return ok({
      external_contact_list: page.map(({ c, userid }) => ({
        external_contact: { external_userid: c.externalUserId, name: c.name, type: 1, ...(c.unionId ? { unionid: c.unionId } : {}) },
        follow_info: { userid, tag_id: [...(c.followers.get(userid) ?? [])] },
      })),
      next_cursor: start + limit < pairs.length ? String(start + limit) : '',
    });
  }
}
