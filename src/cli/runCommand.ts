/**
 * What every command-line entry shares: its exit code, its one-line error, and (for those that
 * read the stores) the same stores the service opens, from the same configuration.
 */
import { loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { startStores, type Stores } from '../store/startStores.ts';

/** Runs `main` with the process arguments and sets the exit code it returns; an error is one line, exit 1. */
export async function runCommand(main: (argv: string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}

/** Configuration, a quiet logger (LOG_LEVEL, default warn) and the stores; `close()` when done. */
export async function openCommandStores(): Promise<{ config: Config; logger: Logger; stores: Stores }> {
  const config = loadConfig();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const stores = await startStores({ mongodbUri: config.mongodbUri, redisUrl: config.redisUrl, redisClusterNodes: config.redisClusterNodes, dataDir: config.dataDir, keyPrefix: config.redisKeyPrefix, logger });
  return { config, logger, stores };
}
