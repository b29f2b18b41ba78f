import type { ContactClient, ExternalContactLink } from '../../channels/wecom/contactClient.ts';
import type { Logger } from '../../core/logger.ts';
import type { ConversationRef } from '../../core/messages.ts';
import type { CustomerTagStore, FollowUpLog, WecomTagState } from '../ports.ts';
import { TAG_GROUP_NAMES } from '../rules.ts';
import type { CustomerTag } from '../types.ts';

/** A tag job: put a customer's huifang tags on their WeCom external contact. */
export interface TagJob {
  conversationKey: string;
  conversation: ConversationRef;
  sessionId: string;
}

export interface TagSyncDeps {
  contacts: ContactClient;
  /** The kf customer's unionid (kf/customer/batchget), when WeCom knows it. */
  unionIdOf: (customerId: string) => Promise<string | undefined>;
  state: WecomTagState;
  tags: CustomerTagStore;
  log: FollowUpLog;
  logger: Logger;
  now?: () => Date;
}

const CONTACT_REFRESH_SECONDS = 600;

/**
 * Sets a customer's tags in WeCom (客户联系): finds the customer as an external contact (the kf
 * id itself, or through their unionid), creates missing corp tags on first use, then one
 * `mark_tag` adding the current tags and removing the ones huifang set before and no longer
 * holds. A kf-only visitor (no contact relationship) is tagged in huifang only. Runs as a job.
 */
export function createTagSync(deps: TagSyncDeps) {
  const log = deps.logger.child({ module: 'wecom-tags' });
  const clock = deps.now ?? (() => new Date());

  async function findContact(ref: ConversationRef): Promise<ExternalContactLink | null> {
    // kf and 客户联系 may share one id space (undocumented): ask with the kf id first.
    const direct = await deps.contacts.contact(ref.customerId);
    if (direct) return direct;
    const unionId = await deps.unionIdOf(ref.customerId);
    if (!unionId) return null;
    const known = await deps.state.contactByUnionId(unionId);
    if (known) return known;
    if (!(await deps.state.claimContactRefresh(CONTACT_REFRESH_SECONDS))) return null;
    const members = await deps.contacts.followUsers();
    const links: ExternalContactLink[] = [];
    for (let i = 0; i < members.length; i += 100) links.push(...(await deps.contacts.contactsOf(members.slice(i, i + 100))));
    await deps.state.replaceContacts(links);
    return deps.state.contactByUnionId(unionId);
  }

  /** Corp tag ids for the tags, creating the ones WeCom does not have yet. */
  async function tagIds(tags: CustomerTag[]): Promise<string[]> {
    const ids = await Promise.all(tags.map((t) => deps.state.tagId(TAG_GROUP_NAMES[t.group] ?? t.group, t.name)));
    if (ids.every((id) => id)) return ids as string[];
    // Re-read the corp's tags (another process or an admin may have made them), then add the rest.
    const groups = await deps.contacts.corpTags();
    await deps.state.rememberTagIds(groups.flatMap((g) => g.tags.map((t) => ({ group: g.groupName, name: t.name, id: t.id }))));
    const byGroup = new Map<string, string[]>();
    for (const t of tags) {
      const group = TAG_GROUP_NAMES[t.group] ?? t.group;
      if (!(await deps.state.tagId(group, t.name))) byGroup.set(group, [...(byGroup.get(group) ?? []), t.name]);
    }
    for (const [group, names] of byGroup) {
      const created = await deps.contacts.addCorpTags(group, names);
      await deps.state.rememberTagIds(created.tags.map((t) => ({ group: created.groupName, name: t.name, id: t.id })));
    }
    const all = await Promise.all(tags.map((t) => deps.state.tagId(TAG_GROUP_NAMES[t.group] ?? t.group, t.name)));
    return all.filter((id): id is string => !!id);
  }

  async function sync(job: TagJob): Promise<void> {
    const current = await deps.tags.get(job.conversationKey);
    if (!current || current.sessionId !== job.sessionId) return; // a later session's job carries newer tags
    const at = clock();
    const contact = await findContact(job.conversation);
    if (!contact) {
      await deps.tags.setWecom(job.conversationKey, { status: 'not_a_contact', at });
      await deps.log.append(job.sessionId, [{ key: `tags_wecom:${job.sessionId}:none`, at, by: 'system', action: 'tags_wecom_skipped', detail: '顾客不是企业微信外部联系人（仅微信客服访客），只在回访系统中打标签' }]);
      return;
    }
    const ids = await tagIds(current.tags);
    const remove = (current.wecom?.tagIds ?? []).filter((id) => !ids.includes(id));
    if (ids.length || remove.length) await deps.contacts.markTag({ userId: contact.userId, externalUserId: contact.externalUserId, add: ids, remove });
    await deps.tags.setWecom(job.conversationKey, { status: 'synced', at, externalUserId: contact.externalUserId, userId: contact.userId, tagIds: ids });
    await deps.log.append(job.sessionId, [{ key: `tags_wecom:${job.sessionId}:${ids.join(',')}`, at, by: 'system', action: 'tags_wecom_set', detail: `mark_tag ${contact.userId} → ${current.tags.map((t) => t.name).join('、')}` }]);
    log.info({ conversationKey: job.conversationKey, tags: ids.length, removed: remove.length }, 'customer tags set in WeCom');
  }

  return { sync };
}

export type TagSync = ReturnType<typeof createTagSync>;
