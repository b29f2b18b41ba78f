/**
 * `npm run -s analytics -- rebuild [--flow ID]... [--force]` rebuilds the analytics rollups
 * (Redis) and per-response records (MongoDB) from the stored sessions and escalations, for every
 * flow or the named ones. Safe while the service runs against the same MONGODB_URI/REDIS_URL:
 * live changes reach the new generation too, and readers switch when it is complete. With the
 * embedded servers (no MONGODB_URI/REDIS_URL), stop `npm start` first: both would open the same
 * files. `--force` takes over from an interrupted rebuild.
 */
import { createFlowCatalog } from '../engine/index.ts';
import { createAnalyticsSources, createResponseRecordStore } from '../store/mongo/analyticsRepository.ts';
import { createFlowRepository } from '../store/mongo/flowRepository.ts';
import { createRedisRollups } from '../store/redis/redisRollups.ts';
import { createFlowDefinitions } from '../analytics/flowDefinitions.ts';
import { rebuildAnalytics } from '../analytics/rebuild.ts';
import { openCommandStores, runCommand } from './runCommand.ts';

const usage = 'usage: analytics rebuild [--flow ID]... [--force]';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flowIds: string[] = [];
  let force = false;
  if (command !== 'rebuild') {
    console.error(usage);
    return 2;
  }
  for (let i = 0; i < rest.length; i++) {
    const next = rest[i + 1];
    if (rest[i] === '--force') force = true;
    else if (rest[i] === '--flow' && next && /^[a-z0-9][a-z0-9-]{0,63}$/.test(next)) flowIds.push(rest[++i]!);
    else {
      console.error(usage);
      return 2;
    }
  }
  const { config, logger, stores } = await openCommandStores();
  try {
    const flows = createFlowRepository(stores.mongo);
    const results = await rebuildAnalytics(
      {
        sources: createAnalyticsSources(stores.mongo),
        rollups: createRedisRollups(stores.redis, stores.keys),
        records: createResponseRecordStore(stores.mongo, { timeZone: config.surveyTimeZone, revisionCheck: stores.ferretdb ? 'read-then-write' : 'filter' }),
        flows: createFlowDefinitions({ flows, catalog: createFlowCatalog({ flows, logger }) }),
        timeZone: config.surveyTimeZone,
        logger,
      },
      { ...(flowIds.length ? { flowIds } : {}), force },
    );
    for (const r of results) {
      console.log(`${r.flowId}: ${r.sessions} sessions, ${r.escalations} escalations, ${r.recordsWritten} records written${r.skipped ? `, ${r.skipped} skipped` : ''} in ${r.seconds.toFixed(1)} s`);
    }
    if (!results.length) console.log('no flows stored; nothing to rebuild');
    return 0;
  } finally {
    await stores.close();
  }
}

await runCommand(main);
