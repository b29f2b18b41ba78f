import type { Campaign, CampaignState, CampaignWecom, Invitation, InvitationStore } from '../core/campaigns.ts';
import type { Logger } from '../core/logger.ts';
import type { TimerSchedule } from '../core/ports.ts';
import type { CampaignService } from './campaignService.ts';
import { ownText } from '../core/ownText.ts';
import { describeVisit } from './describeVisit.ts';
import { invitationUrl } from './planInvitation.ts';
import { isQuiet, nextAllowedTime } from './quietHours.ts';

interface MassSendJob {
  kind: 'send' | 'remind';
  campaignId: string;
  invitationId: string;
}

const placeholder = /\{\{\s*([a-zA-Z]+)\s*(?:\|([^{}]*))?\}\}/g;

/**
 * `{{name|您}}`-style fields of a mass-send text, from the invitation. Only the invitation's own
 * fields are read: `{{constructor}}` is a missing field, never what every object inherits.
 */
export function renderMassText(template: string, fields: Record<string, string>): string {
  return template.replace(placeholder, (_m, field: string, fallback: string | undefined) => ownText(fields, field) || (fallback ?? '').trim());
}

/**
 * Mass-send tasks for the customer's advisor (客户联系 `externalcontact/add_msg_template`, the
 * invitation link as a link attachment) at the invitation's send time, and one reminder for an
 * invitation still unopened after the campaign's `reminder.afterHours`, never in quiet hours and
 * not after the link expired. Runs only for campaigns with `massSend.enabled`, invitations that
 * name both the customer's external_userid and their advisor, and when 客户联系 credentials exist.
 * Timers live in Redis (a named timer per invitation and kind), claimed by a sweep in any process.
 */
export function createMassSender(deps: {
  campaigns: CampaignService;
  invitations: InvitationStore;
  state: CampaignState;
  wecom: CampaignWecom;
  timers: TimerSchedule;
  timeZone: string;
  now: () => Date;
  logger: Logger;
}) {
  const log = deps.logger.child({ module: 'campaign-mass-send' });
  const available = () => Boolean(deps.wecom.addMsgTemplate);

  /** Schedules the send (and the reminder) of new invitations. */
  async function schedule(campaign: Campaign, created: Invitation[]): Promise<void> {
    if (!campaign.massSend.enabled || !available()) return;
    const eligible = created.filter((i) => i.externalUserId && i.advisorUserId);
    await Promise.all(
      eligible.flatMap((i) => {
        const jobs = [set({ kind: 'send', campaignId: campaign.id, invitationId: i.id }, i.sendAt)];
        if (campaign.reminder) {
          const due = nextAllowedTime(new Date(i.sendAt.getTime() + campaign.reminder.afterHours * 3_600_000), campaign.quietHours, deps.timeZone);
          if (due.getTime() < i.expiresAt.getTime()) jobs.push(set({ kind: 'remind', campaignId: campaign.id, invitationId: i.id }, due));
        }
        return jobs;
      }),
    );
  }

  const nameOf = (job: MassSendJob) => `${job.kind}:${job.campaignId}:${job.invitationId}`;
  const set = (job: MassSendJob, at: Date) => deps.timers.set([{ name: nameOf(job), dueAt: at, payload: JSON.stringify(job) }]);

  /** Handles the due timers; returns how many. */
  async function runDue(): Promise<number> {
    const due = await deps.timers.claimDue(deps.now(), 50, 5 * 60_000);
    for (const timer of due) {
      try {
        await handle(JSON.parse(timer.payload) as MassSendJob);
        await deps.timers.done(timer.name, timer.token);
      } catch (error) {
        log.warn({ timer: timer.name, err: error instanceof Error ? error.message : String(error) }, 'mass send failed; it will be tried again');
      }
    }
    return due.length;
  }

  async function handle(job: MassSendJob): Promise<void> {
    const now = deps.now();
    const campaign = await deps.campaigns.cached(job.campaignId);
    const invitation = campaign ? await deps.invitations.get(job.campaignId, job.invitationId) : null;
    if (!campaign || !invitation || campaign.status === 'ended' || now.getTime() >= invitation.expiresAt.getTime()) return;
    if (campaign.status !== 'active') return void (await set(job, new Date(now.getTime() + 3_600_000)));
    if (isQuiet(now, campaign.quietHours, deps.timeZone)) return void (await set(job, nextAllowedTime(now, campaign.quietHours, deps.timeZone)));
    if (job.kind === 'send' ? invitation.massSentAt : invitation.openedAt || invitation.remindedAt) return;
    // At most one reminder per invitation, even if two processes raced past the checks above.
    if (job.kind === 'remind' && !(await deps.state.once(`invitation-reminder:${invitation.id}`, 90 * 86_400))) return;
    const linked = await deps.campaigns.withLink(campaign);
    const text = renderMassText(job.kind === 'send' ? campaign.massSend.text : campaign.massSend.reminderText, describeVisit(invitation, deps.timeZone));
    const result = await deps.wecom.addMsgTemplate!({
      sender: invitation.advisorUserId!,
      externalUserId: invitation.externalUserId!,
      text,
      link: { title: '服务回访', desc: '两分钟，聊聊这次的体验', url: invitationUrl(linked.contactWay.url, invitation.sceneParam) },
    });
    await deps.invitations.update(campaign.id, invitation.id, job.kind === 'send' ? { massSentAt: now } : { remindedAt: now });
    log.info({ campaignId: campaign.id, invitationId: invitation.id, kind: job.kind, failed: result.failed }, 'mass-send task created');
  }

  return { schedule, runDue };
}

export type MassSender = ReturnType<typeof createMassSender>;
