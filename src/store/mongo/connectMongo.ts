import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../../core/logger.ts';
import { UpstreamError } from '../../core/errors.ts';
import { withTimeout } from '../../core/withTimeout.ts';

/**
 * Opens a mongoose connection with bounded timeouts. Retry policy: the driver retries server
 * selection for `serverSelectionTimeoutMS` and reconnects on its own afterwards; operations
 * that fail surface as errors to the caller (no retryable writes: FerretDB runs standalone).
 *
 * @example
 * const conn = await connectMongo({ uri: 'mongodb://127.0.0.1:27017/', dbName: 'huifang', logger });
 */
export async function connectMongo(options: { uri: string; dbName?: string; logger: Logger }): Promise<Connection> {
  const conn = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    socketTimeoutMS: 30_000,
    maxPoolSize: 20,
    // Index builds are explicit (see syncIndexes callers); FerretDB rejects some index options.
    autoIndex: false,
    autoCreate: true,
  });
  try {
    await conn.asPromise();
  } catch (error) {
    throw new UpstreamError('MONGODB_UNAVAILABLE', `Cannot connect to MongoDB at ${redactUri(options.uri)}`, {}, error);
  }
  options.logger.info({ db: conn.name, uri: redactUri(options.uri) }, 'mongodb connected');
  return conn;
}

/**
 * True when the server is FerretDB (its buildInfo carries `ferretdbVersion`). FerretDB pushes
 * down only `{_id: v}` filters, so a few hot paths choose a cheaper equivalent there.
 */
export async function isFerretdb(conn: Connection): Promise<boolean> {
  const info = await conn.db?.admin().command({ buildInfo: 1 }).catch(() => null);
  return Boolean(info && 'ferretdbVersion' in info);
}

/** Answers true when MongoDB replies to a ping within `timeoutMs`. */
export async function pingMongo(conn: Connection, timeoutMs = 1_000): Promise<boolean> {
  const db = conn.db;
  if (!db || conn.readyState !== 1) return false;
  try {
    await withTimeout(db.admin().command({ ping: 1 }), timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** Removes credentials from a MongoDB URI for logs. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
