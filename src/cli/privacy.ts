/**
 * `npm run -s privacy -- retention [--dry-run] [--now ISO]` runs the retention sweep now (or,
 * with `--dry-run`, counts what it would redact); `--now` judges ages as of another time.
 * `npm run -s privacy -- reindex` adds sessions stored before the per-customer index existed to
 * it, so erasure and export find them (once, after upgrading). Safe while the service runs
 * against the same MONGODB_URI/REDIS_URL (the sweep takes the same Redis lock); with the
 * embedded servers, stop `npm start` first: both would open the same files.
 */
import { createAuditLog } from '../store/mongo/adminRepository.ts';
import { createCustomerDataRepository, createRetentionSettings } from '../store/mongo/privacyRepository.ts';
import { createRedisLock } from '../store/redis/redisLock.ts';
import { createRedisFileRewriter } from '../store/redis/redisFileRewriter.ts';
import { createRedisPrivacy } from '../store/redis/redisPrivacy.ts';
import { createRetention } from '../privacy/retention.ts';
import { openCommandStores, runCommand } from './runCommand.ts';

const usage = 'usage: privacy retention [--dry-run] [--now ISO-8601] | privacy reindex';

function parse(argv: string[]): { command: 'retention'; dryRun: boolean; now?: Date } | { command: 'reindex' } | null {
  const [command, ...rest] = argv;
  if (command === 'reindex') return rest.length ? null : { command };
  if (command !== 'retention') return null;
  let dryRun = false;
  let now: Date | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--dry-run') dryRun = true;
    else if (rest[i] === '--now' && rest[i + 1] && !Number.isNaN(Date.parse(rest[i + 1]!))) now = new Date(rest[++i]!);
    else return null;
  }
  return { command, dryRun, ...(now ? { now } : {}) };
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) {
    console.error(usage);
    return 2;
  }
  const { config, logger, stores } = await openCommandStores();
  try {
    const repo = createCustomerDataRepository(stores.mongo);
    if (args.command === 'reindex') {
      const { scanned, indexed } = await repo.reindex();
      console.log(`${scanned} sessions looked at, ${indexed} in the per-customer index`);
      return 0;
    }
    const retention = createRetention({
      repo,
      cache: createRedisPrivacy(stores.redis, stores.keys),
      audit: createAuditLog(stores.mongo),
      locks: createRedisLock(stores.redis, stores.keys),
      defaults: config.retention,
      settings: createRetentionSettings(stores.mongo),
      logger,
    });
    const report = await retention.sweep({ dryRun: args.dryRun, ...(args.now ? { now: args.now } : {}) });
    // A one-shot process: the redacted words leave Redis's files now, not after a debounce.
    if (report.redacted > 0) await createRedisFileRewriter(stores.redis).rewrite().catch((error: unknown) => logger.warn({ err: error }, 'Redis file rewrite failed'));
    console.log(JSON.stringify(report));
    return 0;
  } finally {
    await stores.close();
  }
}

await runCommand(main);
