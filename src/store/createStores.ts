import { createAdminUserRepository, createAuditLog, ensureAdminIndexes } from './mongo/adminRepository.ts';
import { createAnalyticsSources, createResponseRecordStore, ensureAnalyticsIndexes } from './mongo/analyticsRepository.ts';
import { createCampaignRepository, createInvitationRepository, optedOutCustomerIds } from './mongo/campaignRepository.ts';
import { createCustomerRepository } from './mongo/customerRepository.ts';
import { createDeadLetterRepository } from './mongo/deadLetterRepository.ts';
import { createAdvisorRepository, createEscalationRepository, ensureEscalationIndexes } from './mongo/escalationRepository.ts';
import { createFlowRepository, ensureFlowIndexes } from './mongo/flowRepository.ts';
import {
  createCustomerTagStore,
  createDeliveryStore,
  createFollowUpLog,
  createTaskEffectsSet,
  createTaskStore,
  createWebhookEndpointStore,
} from './mongo/followUpRepository.ts';
import { createCustomerDataRepository, createRetentionSettings } from './mongo/privacyRepository.ts';
import { createSessionRepository, ensureSessionIndexes } from './mongo/sessionRepository.ts';
import { withOpenSessionCache } from './redis/cachedSessionRepository.ts';
import { createRedisCampaignState } from './redis/redisCampaignState.ts';
import { createRedisEscalationState } from './redis/redisEscalationState.ts';
import { createRedisInbox } from './redis/redisInbox.ts';
import { createRedisLock } from './redis/redisLock.ts';
import { createRedisOutboxProgress } from './redis/redisOutboxProgress.ts';
import { createRedisFileRewriter } from './redis/redisFileRewriter.ts';
import { createRedisPrivacy } from './redis/redisPrivacy.ts';
import { createRedisRevisions } from './redis/redisRevisions.ts';
import { createRedisRollups } from './redis/redisRollups.ts';
import { createRedisSignInFailures } from './redis/redisSignInFailures.ts';
import { createRedisTimers } from './redis/redisTimers.ts';
import { createRedisWecomTagState } from './redis/redisWecomContacts.ts';
import { createRedisWecomState } from './redis/redisWecomState.ts';
import type { Stores } from './startStores.ts';

/** Every repository and Redis structure the service uses, each implementing its owner's port. */
export type ServiceStores = Awaited<ReturnType<typeof createStores>>;

/**
 * Builds every store over open connections, grouped by the part that owns its port, after making
 * sure MongoDB has the indexes they read by. On FerretDB, revision checks read then write (a
 * filtered update scans there) with a Redis ledger of revisions.
 *
 * @example
 * const stores = await createStores(await startStores(options), { timeZone: 'Asia/Shanghai' });
 */
export async function createStores(connections: Stores, options: { timeZone: string }) {
  const { mongo, redis, keys, ferretdb } = connections;
  for (const ensure of [ensureSessionIndexes, ensureFlowIndexes, ensureAdminIndexes, ensureAnalyticsIndexes, ensureEscalationIndexes]) await ensure(mongo);
  const revisionCheck = ferretdb ? 'read-then-write' : 'filter';
  const locks = createRedisLock(redis, keys);
  const wecomState = createRedisWecomState(redis, keys);
  return {
    locks,
    sessions: withOpenSessionCache(
      createSessionRepository(mongo, ferretdb ? { revisionCheck, revisions: createRedisRevisions(redis, keys) } : { revisionCheck }),
      redis,
      keys,
      { reuseSaved: ferretdb },
    ),
    customers: createCustomerRepository(mongo),
    flows: createFlowRepository(mongo),
    admin: { users: createAdminUserRepository(mongo), audit: createAuditLog(mongo) },
    conversation: {
      inbox: createRedisInbox(redis, keys),
      progress: createRedisOutboxProgress(redis, keys),
      timers: createRedisTimers(redis, keys),
      deadLetters: createDeadLetterRepository(mongo),
    },
    wecom: { state: wecomState, tagState: createRedisWecomTagState(redis, keys) },
    analytics: {
      rollups: createRedisRollups(redis, keys),
      records: createResponseRecordStore(mongo, { timeZone: options.timeZone, revisionCheck }),
      sources: createAnalyticsSources(mongo),
    },
    escalation: { escalations: createEscalationRepository(mongo), advisors: createAdvisorRepository(mongo), runtime: createRedisEscalationState(redis, keys) },
    campaigns: {
      store: createCampaignRepository(mongo),
      invitations: createInvitationRepository(mongo),
      state: createRedisCampaignState(redis, keys),
      timers: createRedisTimers(redis, { ...keys, timersDue: keys.campaignTimersDue, timersPayload: keys.campaignTimersPayload }),
      optedOutCustomerIds: () => optedOutCustomerIds(mongo),
      /** Set once per Redis when opt-outs from before campaigns were copied into the consent list. */
      consentBackfill: {
        claim: async () => (await redis.set(`${keys.campaignConsent}:backfilled`, new Date().toISOString(), 'NX')) === 'OK',
        release: async () => void (await redis.del(`${keys.campaignConsent}:backfilled`)),
      },
    },
    followUp: {
      tasks: createTaskStore(mongo, redis, keys),
      log: createFollowUpLog(mongo, locks),
      tags: createCustomerTagStore(mongo, locks),
      endpoints: createWebhookEndpointStore(mongo),
      deliveries: createDeliveryStore(mongo, redis, keys, locks),
      taskEffects: createTaskEffectsSet(redis, keys),
    },
    privacy: {
      customerData: createCustomerDataRepository(mongo),
      cache: createRedisPrivacy(redis, keys),
      retentionSettings: createRetentionSettings(mongo),
      /** Rewrites Redis's append-only file after an erasure, so erased data leaves the disk too. */
      fileRewriter: createRedisFileRewriter(redis),
    },
    /** Refused sign-ins per client address and token prefix (the sign-in brake). */
    signInFailures: createRedisSignInFailures(redis, keys),
  };
}
