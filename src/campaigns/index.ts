import type { AuditLog } from '../core/admin.ts';
import type { CampaignState, CampaignStore, CampaignWecom, EntryResolver, InvitationStore, ReminderPolicy } from '../core/campaigns.ts';
import type { Logger } from '../core/logger.ts';
import type { TimerSchedule } from '../core/ports.ts';
import type { CustomerRepository } from '../core/sessions.ts';
import type { Route } from '../http/route.ts';
import type { ImportDeps } from './audienceImport.ts';
import { createAudienceUpload } from './audienceUpload.ts';
import { createCampaignService, type CampaignService } from './campaignService.ts';
import { campaignsRoutes } from './campaignsRoutes.ts';
import { withConsentMirror } from './consentMirror.ts';
import { createEntryResolver } from './entryResolver.ts';
import { createEventIntake } from './eventIntake.ts';
import { eventsRoutes } from './eventsRoutes.ts';
import { createMassSender } from './massSend.ts';
import { createReminderPolicy } from './reminderPolicy.ts';

export { backfillConsent } from './consentMirror.ts';
export type { CampaignService, CampaignStats } from './campaignService.ts';

export interface CampaignModuleDeps {
  store: CampaignStore;
  invitations: InvitationStore;
  state: CampaignState;
  /** Named timers for mass sends and unopened reminders (apart from the sessions' timers). */
  timers: TimerSchedule;
  wecom: CampaignWecom;
  /** Whether a flow is published. */
  flowExists: (flowId: string) => Promise<boolean>;
  audit: AuditLog;
  settings: {
    timeZone: string;
    /** Nobody is invited twice within this many days, across campaigns. */
    fatigueDays: number;
    /** Signs scene_params and derives invitation ids. */
    linkSecret: Buffer;
    /** Standard Webhooks `whsec_` secret for `POST /api/events`; without it events are refused. */
    eventsSecret?: string;
    /** The kf account a campaign uses when it names none. */
    defaultOpenKfId?: string;
  };
  now?: () => Date;
  logger: Logger;
}

export interface CampaignModule {
  campaigns: CampaignService;
  /** For the conversation layer: invitations behind entry links, and campaign sessions' counters. */
  entries: EntryResolver;
  /** For the conversation layer: quiet hours, WeCom's window and one reminder per campaign session. */
  reminders: ReminderPolicy;
  /** The customer repository with opt-outs mirrored into the campaigns' consent list. */
  withConsent(customers: CustomerRepository): CustomerRepository;
  /** The admin API (`/api/campaigns…`) and `POST /api/events` (signed). */
  routes: Route[];
  /** Sends the due mass-send tasks and unopened-invitation reminders; returns how many. */
  runDueTimers(): Promise<number>;
}

/**
 * Campaigns (issue 11): audiences from CSV uploads and signed events become invitations with
 * signed kf links, gated by consent, fatigue, sampling and daily caps; entries through a link are
 * attributed to the invitation; mass sends and one reminder respect quiet hours.
 *
 * @example
 * const campaigns = createCampaignModule({ store, invitations, state, timers, wecom, flowExists, audit, settings, logger });
 * const conversation = createConversationService({ ...deps, entries: campaigns.entries, reminders: campaigns.reminders });
 */
export function createCampaignModule(deps: CampaignModuleDeps): CampaignModule {
  const now = deps.now ?? (() => new Date());
  const { timeZone, linkSecret } = deps.settings;
  const campaigns = createCampaignService({ store: deps.store, state: deps.state, wecom: deps.wecom, flowExists: deps.flowExists, defaultOpenKfId: deps.settings.defaultOpenKfId, timeZone, now, logger: deps.logger });
  const massSender = createMassSender({ campaigns, invitations: deps.invitations, state: deps.state, wecom: deps.wecom, timers: deps.timers, timeZone, now, logger: deps.logger });
  const importDeps: ImportDeps = {
    invitations: deps.invitations,
    state: deps.state,
    secret: linkSecret,
    timeZone,
    fatigueDays: deps.settings.fatigueDays,
    onCreated: (campaign, created) => massSender.schedule(campaign, created),
  };
  const upload = createAudienceUpload({ campaigns, importDeps, timeZone, now, logger: deps.logger });
  const intake = createEventIntake({ signingSecret: deps.settings.eventsSecret, campaigns, state: deps.state, importDeps, timeZone, now, logger: deps.logger });
  return {
    campaigns,
    entries: createEntryResolver({ campaigns, invitations: deps.invitations, state: deps.state, secret: linkSecret, timeZone, logger: deps.logger }),
    reminders: createReminderPolicy({ campaigns, state: deps.state, timeZone }),
    withConsent: (customers) => withConsentMirror(customers, deps.state, deps.logger),
    routes: [...campaignsRoutes({ campaigns, invitations: deps.invitations, upload, audit: deps.audit, timeZone, now }), ...eventsRoutes({ intake })],
    runDueTimers: () => massSender.runDue(),
  };
}
