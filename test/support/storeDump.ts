import type { RunningService } from '../../src/main.ts';

/**
 * Everything a test service holds, as text: every document of every MongoDB collection and
 * every Redis key under its prefix with its value (whatever the type). Privacy tests search it
 * for a customer's words and id, so "every copy is gone" is checked in the stores themselves.
 */
export async function dumpStores(service: RunningService): Promise<{ mongo: Map<string, string>; redis: Map<string, string> }> {
  const mongo = new Map<string, string>();
  const db = service.stores.mongo.db!;
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find({}).toArray();
    docs.forEach((doc, i) => mongo.set(`${name}/${String(doc._id ?? i)}`, JSON.stringify(doc)));
  }
  const redis = new Map<string, string>();
  const client = service.stores.redis;
  // ioredis adds no prefix by itself here: keys carry the configured prefix in their names.
  const stream = client.scanStream({ match: `${service.stores.keys.prefix}*`, count: 500 });
  for await (const batch of stream as AsyncIterable<string[]>) {
    for (const key of batch) redis.set(key, await valueOf(client, key));
  }
  return { mongo, redis };
}

async function valueOf(client: RunningService['stores']['redis'], key: string): Promise<string> {
  const type = await client.type(key);
  if (type === 'string') return (await client.get(key)) ?? '';
  if (type === 'hash') return JSON.stringify(await client.hgetall(key));
  if (type === 'list') return JSON.stringify(await client.lrange(key, 0, -1));
  if (type === 'set') return JSON.stringify(await client.smembers(key));
  if (type === 'zset') return JSON.stringify(await client.zrange(key, '0', '-1'));
  if (type === 'stream') return JSON.stringify(await client.xrange(key, '-', '+'));
  return '';
}

/** Store entries (collection/_id or Redis key) whose content contains any of `needles`. */
export function holding(dump: Awaited<ReturnType<typeof dumpStores>>, needles: string[]): string[] {
  const found: string[] = [];
  for (const [where, entries] of [['mongo', dump.mongo], ['redis', dump.redis]] as const) {
    for (const [key, text] of entries) {
      const hit = needles.find((n) => text.includes(n) || key.includes(n));
      if (hit) found.push(`${where}:${key} holds ${hit}`);
    }
  }
  return found;
}
