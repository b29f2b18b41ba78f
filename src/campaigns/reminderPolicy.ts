import type { CampaignState, ReminderDecision, ReminderPolicy } from '../core/campaigns.ts';
import type { SessionRecord } from '../core/sessions.ts';
import type { CampaignService } from './campaignService.ts';
import { DEFAULT_QUIET_HOURS, nextAllowedTime } from './quietHours.ts';

/** WeCom lets the bot write for 48 h after the customer's last message; keep a margin. */
export const WECOM_REPLY_WINDOW_MS = 48 * 3_600_000 - 10 * 60_000;

/**
 * The idle reminder of a campaign survey left half-way: at most one per session, only while
 * WeCom still lets the bot write (48 h after the customer's last message), and never in the
 * campaign's quiet hours: a reminder due at night waits for the morning, or is dropped when the
 * window would close first. Sessions that did not come through a campaign are left as they were.
 */
export function createReminderPolicy(deps: { campaigns: CampaignService; state: CampaignState; timeZone: string }): ReminderPolicy {
  return {
    async decide(session: SessionRecord, now: Date): Promise<ReminderDecision> {
      if (!session.campaignId) return { action: 'send' };
      const campaign = await deps.campaigns.cached(session.campaignId);
      if (campaign && campaign.reminder === null) return { action: 'skip', reason: 'reminders_off' };
      if (!session.lastCustomerAt) return { action: 'skip', reason: 'customer_never_wrote' };
      const windowEnds = session.lastCustomerAt.getTime() + WECOM_REPLY_WINDOW_MS;
      if (now.getTime() >= windowEnds) return { action: 'skip', reason: 'outside_wecom_window' };
      const allowed = nextAllowedTime(now, campaign ? campaign.quietHours : DEFAULT_QUIET_HOURS, deps.timeZone);
      if (allowed.getTime() >= windowEnds) return { action: 'skip', reason: 'quiet_until_window_closes' };
      if (allowed.getTime() > now.getTime()) return { action: 'defer', until: allowed };
      const first = await deps.state.once(`reminder:${session.id}`, 30 * 86_400);
      return first ? { action: 'send' } : { action: 'skip', reason: 'already_reminded' };
    },
  };
}
