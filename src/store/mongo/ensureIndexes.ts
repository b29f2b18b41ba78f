import type { Collection, Connection, Schema } from 'mongoose';
import { isFerretdb } from './connectMongo.ts';

/** The parts of a mongoose model this needs (any model fits). */
interface IndexedModel {
  db: Connection;
  schema: Schema;
  collection: Collection;
  createIndexes(): Promise<unknown>;
}

const ferretdbOf = new WeakMap<Connection, Promise<boolean>>();

/**
 * Creates a model's schema indexes. On FerretDB only the unique ones, and non-unique ones left
 * from earlier versions are dropped: its SQLite backend answers no query from a secondary index
 * (only a bare `{_id}` filter is pushed down), yet evaluates every index's JSON expression on
 * each write. Unique indexes stay because they enforce something.
 */
export async function ensureIndexes(model: IndexedModel): Promise<void> {
  const conn = model.db;
  if (!ferretdbOf.has(conn)) ferretdbOf.set(conn, isFerretdb(conn));
  if (!(await ferretdbOf.get(conn))) {
    await model.createIndexes();
    return;
  }
  for (const [fields, options] of model.schema.indexes()) {
    if (options?.unique) await model.collection.createIndex(fields as Record<string, 1 | -1>, { ...options, unique: true } as Record<string, unknown>);
  }
  const existing = await model.collection.indexes().catch(() => []);
  for (const index of existing) {
    if (index.name && index.name !== '_id_' && !index.unique) await model.collection.dropIndex(index.name);
  }
}
