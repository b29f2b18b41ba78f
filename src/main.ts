import { createServer, type RequestListener, type Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { createApp } from './http/createApp.ts';
import { startStores, type Stores } from './store/startStores.ts';

/** A running service: its URL and a graceful stop. */
export interface RunningService {
  url: string;
  stores: Stores;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Wires every part of huifang and starts listening. This is the only place that sees all
 * folders; tests call it to run the real service in-process.
 *
 * @example
 * const service = await startService(loadConfig());
 * await service.stop();
 */
export async function startService(config: Readonly<Config>, options: { logger?: Logger } = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const stores = await startStores({
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
    dataDir: config.dataDir,
    keyPrefix: config.redisKeyPrefix,
    logger,
  });

  const app = createApp({ logger, readiness: stores.readiness });
  const server = await listen(app.callback(), config.http.port, config.http.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host}:${port}`;
  logger.info({ url }, 'huifang is listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    stores,
    logger,
    stop() {
      // Stop accepting, let in-flight requests finish, then close stores and embedded servers.
      stopping ??= (async () => {
        await new Promise<void>((done) => server.close(() => done()));
        await stores.close();
        logger.info('huifang stopped');
      })();
      return stopping;
    },
  };
}

function listen(handler: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolveServer, reject) => {
    const server = createServer(handler);
    // Keep-alive sockets would hold server.close() open for their idle timeout.
    server.keepAliveTimeout = 5_000;
    server.once('error', reject);
    server.listen(port, host, () => resolveServer(server));
  });
}

async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel });
  let service: RunningService;
  try {
    service = await startService(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, 'huifang could not start');
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
