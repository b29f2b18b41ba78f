import { Types } from 'mongoose';
import { rebuildAnalytics } from '../../src/analytics/rebuild.ts';
import { createFlowDefinitions } from '../../src/analytics/flowDefinitions.ts';
import type { RunningService } from '../../src/main.ts';
import { createAnalyticsSources, createResponseRecordStore } from '../../src/store/mongo/analyticsRepository.ts';
import { createFlowRepository } from '../../src/store/mongo/flowRepository.ts';
import { createRedisRollups } from '../../src/store/redis/redisRollups.ts';
import { generateSessions, toSessionDoc, type GenerateOptions } from './generateSessions.ts';
import type { HandSession } from './handAnalytics.ts';
import { adminGet } from './serviceHarness.ts';

/** Inserts generated sessions straight into the service's sessions collection. */
export async function seedSessions(service: RunningService, options: GenerateOptions) {
  const sessions = generateSessions(options);
  const docs = sessions.map((s) => toSessionDoc(s, (hex) => new Types.ObjectId(hex)));
  for (let i = 0; i < docs.length; i += 1000) await service.stores.mongo.collection('surveysessions').insertMany(docs.slice(i, i + 1000));
  return sessions;
}

/** Runs `analytics rebuild` against the service's stores, as the CLI does. */
export async function rebuild(service: RunningService, flowIds?: string[]) {
  const flows = createFlowRepository(service.stores.mongo);
  return rebuildAnalytics(
    {
      sources: createAnalyticsSources(service.stores.mongo),
      rollups: createRedisRollups(service.stores.redis, service.stores.keys),
      records: createResponseRecordStore(service.stores.mongo, { timeZone: 'Asia/Shanghai', revisionCheck: service.stores.ferretdb ? 'read-then-write' : 'filter' }),
      flows: createFlowDefinitions({ flows, catalog: service.catalog }),
      timeZone: 'Asia/Shanghai',
      logger: service.logger,
    },
    flowIds ? { flowIds } : {},
  );
}

/** Every session of a flow in full, the way a person would collect them: page the list, open each. */
export async function allSessionsThroughApi(service: RunningService, flowId: string): Promise<HandSession[]> {
  const out: HandSession[] = [];
  let before: string | null = null;
  do {
    const page: { status: number; body: { items: Array<{ id: string }>; next: string | null } } = await adminGet(service, `/api/sessions?flow=${flowId}&limit=200${before ? `&before=${before}` : ''}`);
    for (const item of page.body.items) out.push((await adminGet<HandSession>(service, `/api/sessions/${item.id}`)).body);
    before = page.body.next;
  } while (before);
  return out;
}
