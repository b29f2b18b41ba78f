import { randomBytes } from 'node:crypto';
import type { Campaign, CampaignState, CampaignStore, CampaignWecom } from '../core/campaigns.ts';
import { AppError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { skipReasons, type CampaignCreate, type CampaignPatch } from './campaignTypes.ts';
import { localDateKey } from '../core/calendar.ts';

/** A short id for a new campaign (12 characters, lowercase letters and digits). */
export function newCampaignId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `c${[...randomBytes(11)].map((b) => alphabet[b % 36]).join('')}`;
}

const CACHE_MS = 5_000;

export interface CampaignStats {
  campaignId: string;
  invited: number;
  opened: number;
  started: number;
  completed: number;
  /** completed ÷ invited (0 when none were invited). */
  responseRate: number;
  openRate: number;
  skipped: Record<string, number>;
  skippedTotal: number;
  /** Invitations counted against today's daily cap (local day), and the cap. */
  today: { day: string; invited: number; cap: number | null };
}

/**
 * Campaigns: create, change, read (with a short cache for the entry path, so a welcome code is
 * not kept waiting), the kf link obtained once per campaign from `kf/add_contact_way`, and the
 * counters as stats.
 */
export function createCampaignService(deps: {
  store: CampaignStore;
  state: CampaignState;
  wecom: CampaignWecom;
  /** Whether a flow is published (a campaign must name one). */
  flowExists: (flowId: string) => Promise<boolean>;
  defaultOpenKfId?: string;
  timeZone: string;
  now: () => Date;
  logger: Logger;
}) {
  const log = deps.logger.child({ module: 'campaigns' });
  const cache = new Map<string, { at: number; campaign: Campaign | null }>();
  let listCache: { at: number; list: Campaign[] } | null = null;
  const linking = new Map<string, Promise<Campaign>>();

  function forget(id: string): void {
    cache.delete(id);
    listCache = null;
  }

  async function create(input: CampaignCreate, actor: string): Promise<Campaign> {
    if (!(await deps.flowExists(input.flowId))) throw new ValidationError('FLOW_NOT_PUBLISHED', `Flow ${input.flowId} has no published version; publish it or name another flow`);
    const openKfId = input.openKfId ?? deps.defaultOpenKfId;
    if (!openKfId) throw new ValidationError('CAMPAIGN_KF_ACCOUNT_REQUIRED', 'Name the kf account (openKfId) whose link invitations carry, or set WECOM_OPEN_KFID');
    const id = newCampaignId();
    const now = deps.now();
    const campaign: Campaign = { ...input, id, openKfId, scene: `hf_${id}`, createdBy: actor, createdAt: now, updatedAt: now };
    await deps.store.create(campaign);
    forget(id);
    log.info({ campaignId: id, flowId: campaign.flowId, status: campaign.status, actor }, 'campaign created');
    return campaign;
  }

  async function get(id: string): Promise<Campaign> {
    const campaign = /^[a-z0-9]{4,24}$/.test(id) ? await deps.store.get(id) : null;
    if (!campaign) throw new NotFoundError('CAMPAIGN_NOT_FOUND', `No campaign ${id}`);
    return campaign;
  }

  /** The campaign, at most 5 s old (entries and events read it on every message). */
  async function cached(id: string): Promise<Campaign | null> {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.campaign;
    const campaign = await deps.store.get(id);
    cache.set(id, { at: Date.now(), campaign });
    return campaign;
  }

  async function list(): Promise<Campaign[]> {
    return deps.store.list();
  }

  /** Active campaigns that take events of `type` (at most 5 s old). */
  async function activeForEvent(type: string): Promise<Campaign[]> {
    if (!listCache || Date.now() - listCache.at >= CACHE_MS) listCache = { at: Date.now(), list: await deps.store.list() };
    return listCache.list.filter((c) => c.status === 'active' && c.audience.source !== 'upload' && (c.audience.eventTypes.length === 0 || c.audience.eventTypes.includes(type)));
  }

  async function update(id: string, patch: CampaignPatch, actor: string): Promise<Campaign> {
    const current = await get(id);
    if (current.status === 'ended' && patch.status && patch.status !== 'ended') throw new AppError('CAMPAIGN_ENDED', `Campaign ${id} has ended; create a new one`, { status: 409 });
    if (patch.flowId && patch.flowId !== current.flowId && !(await deps.flowExists(patch.flowId))) {
      throw new ValidationError('FLOW_NOT_PUBLISHED', `Flow ${patch.flowId} has no published version`);
    }
    // A new kf account gets a new link: withLink sees the stored link is for another account.
    const updated = await deps.store.update(id, { ...patch, updatedAt: deps.now() });
    forget(id);
    if (!updated) throw new NotFoundError('CAMPAIGN_NOT_FOUND', `No campaign ${id}`);
    log.info({ campaignId: id, fields: Object.keys(patch), actor }, 'campaign changed');
    return updated;
  }

  /** The campaign with its kf link, asking WeCom once per campaign (and once per process at a time). */
  async function withLink(campaign: Campaign): Promise<Campaign & { contactWay: NonNullable<Campaign['contactWay']> }> {
    const openKfId = campaign.openKfId ?? deps.defaultOpenKfId;
    if (campaign.contactWay && campaign.contactWay.openKfId === openKfId) return campaign as Campaign & { contactWay: NonNullable<Campaign['contactWay']> };
    if (!openKfId) throw new ValidationError('CAMPAIGN_KF_ACCOUNT_REQUIRED', 'The campaign names no kf account (openKfId) and WECOM_OPEN_KFID is not set');
    let pending = linking.get(campaign.id);
    if (!pending) {
      pending = (async () => {
        let url: string;
        try {
          url = await deps.wecom.addContactWay(openKfId, campaign.scene);
        } catch (error) {
          throw new AppError('CAMPAIGN_LINK_UNAVAILABLE', 'WeCom did not give the campaign a kf link (kf/add_contact_way); try again shortly', { status: 502, cause: error, context: { campaignId: campaign.id } });
        }
        const saved = await deps.store.update(campaign.id, { contactWay: { url, openKfId, createdAt: deps.now() } });
        forget(campaign.id);
        log.info({ campaignId: campaign.id, scene: campaign.scene }, 'campaign kf link created');
        return saved ?? { ...campaign, contactWay: { url, openKfId, createdAt: deps.now() } };
      })().finally(() => linking.delete(campaign.id));
      linking.set(campaign.id, pending);
    }
    return (await pending) as Campaign & { contactWay: NonNullable<Campaign['contactWay']> };
  }

  async function stats(id: string): Promise<CampaignStats> {
    const campaign = await get(id);
    const day = localDateKey(deps.now(), deps.timeZone);
    return statsFrom(id, await deps.state.counters(id), { day, invited: await deps.state.capUsed(id, day), cap: campaign.dailyCap });
  }

  return { create, get, cached, list, activeForEvent, update, withLink, stats };
}

export type CampaignService = ReturnType<typeof createCampaignService>;

/** A campaign's stats from its counters: rates are shares of the invited, to four places. */
function statsFrom(campaignId: string, counters: Record<string, number>, today: CampaignStats['today']): CampaignStats {
  const n = (name: string) => counters[name] ?? 0;
  const skipped = Object.fromEntries(skipReasons.map((r) => [r, n(`skipped:${r}`)]));
  const invited = n('invited');
  const ratio = (a: number) => (invited ? Math.round((a / invited) * 10_000) / 10_000 : 0);
  return {
    campaignId,
    invited,
    opened: n('opened'),
    started: n('started'),
    completed: n('completed'),
    responseRate: ratio(n('completed')),
    openRate: ratio(n('opened')),
    skipped,
    skippedTotal: Object.values(skipped).reduce((a, b) => a + b, 0),
    today,
  };
}
