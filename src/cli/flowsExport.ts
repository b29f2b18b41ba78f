/**
 * `npm run -s flows:export -- [DIR]` writes every published, non-archived flow from MongoDB to
 * `DIR/<flowId>.yaml` (default: FLOWS_DIR), exactly as stored, for review in git. MongoDB is the
 * source of truth after the first start; the exported files import as "unchanged" on the next
 * start-up. Uses MONGODB_URI, or the embedded FerretDB under DATA_DIR when it is unset (stop
 * `npm start` first in that case: both would open the same files).
 */
import { loadConfig } from '../config.ts';
import { createFlowCatalog } from '../engine/index.ts';
import { createLogger } from '../core/logger.ts';
import { startEmbeddedMongo } from '../store/embedded/startEmbeddedMongo.ts';
import { connectMongo } from '../store/mongo/connectMongo.ts';
import { createFlowRepository } from '../store/mongo/flowRepository.ts';
import { runCommand } from './runCommand.ts';

const usage = 'usage: flows:export [DIR]   (default DIR: FLOWS_DIR)';

async function main(argv: string[]): Promise<number> {
  const [command, dirArg, ...rest] = argv;
  if (command !== 'export' || rest.length > 0 || dirArg?.startsWith('-')) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig();
  const logger = createLogger({ level: 'warn' });
  const embedded = config.mongodbUri ? undefined : await startEmbeddedMongo({ dataDir: config.dataDir });
  const uri = config.mongodbUri ?? embedded!.url;
  // The same database choice as the service: a name in the URI path, otherwise "huifang".
  const dbName = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri)?.[1] ?? 'huifang';
  const conn = await connectMongo({ uri, dbName, logger });
  try {
    const catalog = createFlowCatalog({ flows: createFlowRepository(conn), logger });
    const dir = dirArg ?? config.flowsDir;
    const results = await catalog.exportDirectory(dir);
    for (const r of results) {
      if (r.status === 'written' || r.status === 'unchanged') console.log(`${r.file}: ${r.status} (${r.flowId} v${r.version})`);
      else console.log(`${r.flowId}: skipped (${r.status})`);
    }
    if (results.length === 0) console.log(`no flows stored; nothing written to ${dir}`);
    return 0;
  } finally {
    await conn.close();
    await embedded?.stop();
  }
}

await runCommand(main);
