import type { CampaignState, EntryRefusal, EntryRequest, EntryResolution, EntryResolver, InvitationStore } from '../core/campaigns.ts';
import type { Logger } from '../core/logger.ts';
import { conversationKey } from '../core/messages.ts';
import type { SessionRecord } from '../core/sessions.ts';
import type { CampaignService } from './campaignService.ts';
import { describeVisit } from './describeVisit.ts';
import { identitiesOf } from './planInvitation.ts';
import { readSceneParam } from './sceneParam.ts';

/** How long after it expires an invitation's claim is remembered (a late re-entry is still "reused"). */
const CLAIM_MARGIN_SECONDS = 30 * 86_400;

/**
 * The invitation behind an entry link, for the conversation layer: the signature is checked
 * first (no I/O), then the campaign (cached) and the invitation (by id), then the invitation is
 * claimed for this entry, atomically, so a link used again, or forwarded to someone else, starts
 * the default flow instead of being attributed twice. Every refusal is logged with its reason;
 * nothing from a refused parameter reaches the session.
 */
export function createEntryResolver(deps: {
  campaigns: CampaignService;
  invitations: InvitationStore;
  state: CampaignState;
  secret: Buffer;
  timeZone: string;
  logger: Logger;
}): EntryResolver {
  const log = deps.logger.child({ module: 'campaign-entry' });

  async function resolve(request: EntryRequest): Promise<EntryResolution> {
    const reading = readSceneParam(deps.secret, request.sceneParam);
    if (reading.kind === 'not_invitation') return reading;
    const key = conversationKey(request.conversation);
    const refuse = (reason: EntryRefusal, context: Record<string, unknown> = {}): EntryResolution => {
      log.warn({ reason, conversationKey: key, scene: request.scene, ...context }, 'entry parameter refused; the default flow starts');
      return { kind: 'refused', reason };
    };
    if (reading.kind === 'forged') return refuse('forged');
    const { campaignId, invitationId } = reading;
    const campaign = await deps.campaigns.cached(campaignId);
    if (!campaign) return refuse('unknown', { campaignId, invitationId });
    if (campaign.status === 'ended' || campaign.status === 'draft') return refuse('campaign_closed', { campaignId, invitationId, status: campaign.status });
    const invitation = await deps.invitations.get(campaignId, invitationId);
    if (!invitation) return refuse('unknown', { campaignId, invitationId });
    if (request.now.getTime() > invitation.expiresAt.getTime()) return refuse('expired', { campaignId, invitationId, expiresAt: invitation.expiresAt });
    if (invitation.externalUserId && invitation.externalUserId !== request.conversation.customerId) return refuse('other_customer', { campaignId, invitationId });
    const claimant = `${key}|${request.messageId}`;
    const ttl = (invitation.expiresAt.getTime() - request.now.getTime()) / 1000 + CLAIM_MARGIN_SECONDS;
    const holder = await deps.state.claim(invitationId, claimant, ttl);
    if (holder !== claimant) return refuse('reused', { campaignId, invitationId, sameCustomer: holder.startsWith(`${key}|`) });

    if (await deps.state.mark(campaignId, invitationId, 'opened')) {
      await deps.invitations.update(campaignId, invitationId, { openedAt: request.now, conversationKey: key });
    }
    // An opt-out in this conversation now covers the merchant's customer too.
    await deps.state.linkConversation(key, identitiesOf(invitation));
    log.info({ campaignId, invitationId, conversationKey: key }, 'customer entered through an invitation');
    return {
      kind: 'invitation',
      flowId: campaign.flowId,
      attribution: {
        campaignId,
        invitationId,
        ...(invitation.store ? { store: invitation.store } : {}),
        ...(invitation.orderId ? { orderId: invitation.orderId } : {}),
        ...(invitation.touchpoint ? { touchpoint: invitation.touchpoint } : {}),
        ...(invitation.products?.length ? { products: invitation.products } : {}),
        ...(invitation.visitAt ? { visitAt: invitation.visitAt } : {}),
      },
      customerFields: describeVisit(invitation, deps.timeZone),
    };
  }

  async function sessionSaved(session: SessionRecord): Promise<void> {
    const { campaignId, invitationId } = session;
    if (!campaignId || !invitationId) return;
    const at = session.updatedAt;
    if (Object.keys(session.answers).length > 0 && (await deps.state.mark(campaignId, invitationId, 'started'))) {
      await deps.invitations.update(campaignId, invitationId, { startedAt: at, sessionId: session.id });
    }
    if (session.status === 'completed' && (await deps.state.mark(campaignId, invitationId, 'completed'))) {
      await deps.invitations.update(campaignId, invitationId, { completedAt: session.completedAt ?? at, sessionId: session.id });
    }
  }

  return { resolve, sessionSaved };
}
