import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { LockService } from '../../core/ports.ts';
import { addCount, type CustomerDataSections, type PersonalDataPart, type PrivacyCounts, type SessionRedaction } from '../../core/privacy.ts';
import { webhookDeliveryId, type CustomerTagStore, type DeliveryStore, type FollowUpLog, type TaskStore, type WebhookEndpointStore } from '../../followup/ports.ts';
import type { CustomerTags, FollowUpAction, FollowUpTask, WebhookDelivery, WebhookEndpoint } from '../../followup/types.ts';
import type { RedisKeys } from '../redis/redisKeys.ts';

/**
 * Follow-up storage. Documents are keyed by `_id` and only ever read or written by it (FerretDB
 * scans the whole collection for any other filter); the lists screens need come from Redis
 * sorted sets kept beside them. Read-modify-write happens under a Redis lock per document,
 * because FerretDB's updates are not atomic. No mongoose schemas: these collections are only
 * touched here, through the driver, and hold plain documents.
 */

const CLOSED_KEPT = 2_000;
const DELIVERIES_KEPT = 1_000;
const LOG_ENTRIES_KEPT = 500;
const LOCK = { ttlMs: 10_000, waitMs: 10_000 };

type Doc<T> = T & { _id: string };
const strip = <T>(doc: Doc<T> | null): T | null => {
  if (!doc) return null;
  const { _id: _ignored, ...rest } = doc;
  return rest as T;
};
const isDuplicate = (error: unknown) => (error as { code?: number }).code === 11000;

export function createTaskStore(conn: Connection, redis: Redis, keys: RedisKeys): TaskStore {
  const tasks = conn.collection<Doc<FollowUpTask>>('followuptasks');

  async function index(task: Pick<FollowUpTask, 'id' | 'status' | 'dueAt' | 'closedAt'>): Promise<void> {
    if (task.status === 'closed') {
      await redis
        .multi()
        .zrem(keys.followUpTasksOpen, task.id)
        .zadd(keys.followUpTasksClosed, (task.closedAt ?? new Date()).getTime(), task.id)
        .zremrangebyrank(keys.followUpTasksClosed, 0, -CLOSED_KEPT - 1)
        .exec();
    } else {
      await redis.zadd(keys.followUpTasksOpen, task.dueAt.getTime(), task.id);
    }
  }

  return {
    async createOnce(input, action) {
      const task: FollowUpTask = { ...input, status: 'open', notes: [], actions: [action] };
      let created = true;
      try {
        await tasks.insertOne({ _id: task.id, ...task });
      } catch (error) {
        if (!isDuplicate(error)) throw error;
        created = false;
      }
      const stored = created ? task : strip(await tasks.findOne({ _id: task.id }))!;
      // Also after a replay: an insert that happened before a crash still gets its index entry.
      await index(stored);
      return { task: stored, created };
    },
    async get(id) {
      return strip(await tasks.findOne({ _id: id }));
    },
    async getMany(ids) {
      // One `_id` lookup each: FerretDB scans for `$in`.
      const found = await Promise.all(ids.map((id) => tasks.findOne({ _id: id })));
      return found.flatMap((d) => (d ? [strip(d)!] : []));
    },
    async save(task) {
      await tasks.replaceOne({ _id: task.id }, task);
    },
    async listIds(status, limit) {
      return status === 'closed' ? redis.zrevrange(keys.followUpTasksClosed, 0, limit - 1) : redis.zrange(keys.followUpTasksOpen, '0', String(limit - 1));
    },
    index,
    async countOpen() {
      return redis.zcard(keys.followUpTasksOpen);
    },
  };
}

interface LogDoc {
  _id: string;
  entries: Array<FollowUpAction & { key: string }>;
}

export function createFollowUpLog(conn: Connection, locks: LockService): FollowUpLog {
  const logs = conn.collection<LogDoc>('sessionfollowups');
  return {
    async append(sessionId, entries) {
      if (!entries.length) return;
      await locks.withLock(
        `followup-log:${sessionId}`,
        async () => {
          const doc = await logs.findOne({ _id: sessionId });
          const have = new Set((doc?.entries ?? []).map((e) => e.key));
          const fresh = entries.filter((e) => !have.has(e.key));
          if (!fresh.length) return;
          const all = [...(doc?.entries ?? []), ...fresh].slice(-LOG_ENTRIES_KEPT);
          await logs.replaceOne({ _id: sessionId }, { entries: all }, { upsert: true });
        },
        LOCK,
      );
    },
    async read(sessionId) {
      const doc = await logs.findOne({ _id: sessionId });
      return (doc?.entries ?? []).map(({ key: _key, ...entry }) => entry);
    },
  };
}

/** Customer tags live in their own documents, keyed by conversation: FerretDB would lose concurrent updates to the customer's. */
export function createCustomerTagStore(conn: Connection, locks: LockService): CustomerTagStore {
  const docs = conn.collection<Doc<CustomerTags>>('customertags');
  const withTags = <T>(key: string, fn: () => Promise<T>) => locks.withLock(`customer-tags:${key}`, fn, LOCK);
  return {
    async get(key) {
      return strip(await docs.findOne({ _id: key }));
    },
    async set(key, tags, sessionId, at) {
      return withTags(key, async () => {
        const current = strip(await docs.findOne({ _id: key }));
        const groups = new Set(tags.map((t) => t.group));
        const kept = (current?.tags ?? []).filter((t) => !groups.has(t.group));
        const next: CustomerTags = { ...(current ?? {}), conversationKey: key, tags: [...kept, ...tags], sessionId, updatedAt: at };
        await docs.replaceOne({ _id: key }, next, { upsert: true });
        return next;
      });
    },
    async setWecom(key, wecom) {
      await withTags(key, async () => {
        const current = strip(await docs.findOne({ _id: key }));
        if (!current) return;
        await docs.replaceOne({ _id: key }, { ...current, wecom });
      });
    },
  };
}

interface EndpointDoc extends WebhookEndpoint {
  _id: string;
  secret: string;
}

export function createWebhookEndpointStore(conn: Connection): WebhookEndpointStore {
  const docs = conn.collection<EndpointDoc>('webhookendpoints');
  const view = (d: EndpointDoc | null): WebhookEndpoint | null => {
    if (!d) return null;
    const { _id: _i, secret: _s, ...rest } = d;
    return rest;
  };
  return {
    async create(endpoint, secret) {
      await docs.insertOne({ _id: endpoint.id, ...endpoint, secret });
    },
    async get(id) {
      return view(await docs.findOne({ _id: id }));
    },
    async secret(id) {
      return (await docs.findOne({ _id: id }))?.secret ?? null;
    },
    async list() {
      // A handful of documents: the scan is cheap.
      const all = await docs.find({}).toArray();
      return all.map((d) => view(d)!).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },
    async setActive(id, active) {
      const result = await docs.updateOne({ _id: id }, { $set: { active } });
      return result.matchedCount > 0;
    },
  };
}

export function createDeliveryStore(conn: Connection, redis: Redis, keys: RedisKeys, locks: LockService): DeliveryStore {
  const docs = conn.collection<Doc<WebhookDelivery>>('webhookdeliveries');
  const get = async (id: string) => strip(await docs.findOne({ _id: id }));
  return {
    async createOnce(delivery) {
      let created = true;
      try {
        await docs.insertOne({ _id: delivery.id, ...delivery });
      } catch (error) {
        if (!isDuplicate(error)) throw error;
        created = false;
      }
      const key = keys.webhookDeliveries(delivery.endpointId);
      await redis.multi().zadd(key, 'NX', delivery.createdAt.getTime(), delivery.id).zremrangebyrank(key, 0, -DELIVERIES_KEPT - 1).exec();
      return created;
    },
    get,
    async update(id, change) {
      return locks.withLock(
        `webhook-delivery:${id}`,
        async () => {
          const current = await get(id);
          if (!current) return null;
          const next = change(current);
          await docs.replaceOne({ _id: id }, next);
          return next;
        },
        LOCK,
      );
    },
    async listForEndpoint(endpointId, options) {
      // Newest ids first, then `_id` lookups; a status filter reads a few pages more.
      const ids = await redis.zrevrange(keys.webhookDeliveries(endpointId), 0, options.status ? DELIVERIES_KEPT - 1 : options.limit - 1);
      const out: WebhookDelivery[] = [];
      for (let i = 0; i < ids.length && out.length < options.limit; i += 50) {
        const page = await Promise.all(ids.slice(i, i + 50).map(get));
        for (const d of page) if (d && (!options.status || d.status === options.status) && out.length < options.limit) out.push(d);
      }
      return out;
    },
  };
}

/** Closed tasks whose after-effects may not all have run (a Redis set; the sweep empties it). */
export function createTaskEffectsSet(redis: Redis, keys: RedisKeys) {
  return {
    add: async (id: string) => void (await redis.sadd(keys.followUpTaskEffects, id)),
    remove: async (id: string) => void (await redis.srem(keys.followUpTaskEffects, id)),
    list: () => redis.smembers(keys.followUpTaskEffects),
  };
}

/**
 * Follow-up's part of a customer's data: tasks and the follow-up log of each session, the webhook
 * deliveries about it (their bodies hold answers and the customer id, kept for replays), and the
 * customer's tags. Everything is reached by `_id`: deliveries' ids derive from endpoint and event
 * key (endpoints are a handful). A redacted delivery's body is replaced: a replay then sends the
 * redaction marker.
 */
export function createFollowUpPersonalData(conn: Connection): PersonalDataPart {
  const tasks = conn.collection<Doc<FollowUpTask>>('followuptasks');
  const logs = conn.collection<LogDoc>('sessionfollowups');
  const tags = conn.collection<Doc<CustomerTags>>('customertags');
  const endpoints = conn.collection<EndpointDoc>('webhookendpoints');
  const deliveries = conn.collection<Doc<WebhookDelivery>>('webhookdeliveries');

  /** The tasks the session's log says were created, and those the session names itself. */
  async function taskIdsOf(session: Pick<SessionRedaction, 'sessionId' | 'taskIds'>): Promise<string[]> {
    const log = await logs.findOne({ _id: session.sessionId });
    const created = (log?.entries ?? []).filter((e) => e.action === 'task_created' && e.detail).map((e) => e.detail!);
    return [...new Set([...created, ...session.taskIds])];
  }

  async function redactDeliveries(eventKeys: string[], counts: PrivacyCounts): Promise<void> {
    const endpointIds = (await endpoints.find({}, { projection: { _id: 1 } }).toArray()).map((e) => e._id);
    for (const endpointId of endpointIds) {
      for (const key of eventKeys) {
        const { modifiedCount } = await deliveries.updateOne({ _id: webhookDeliveryId(endpointId, key) }, { $set: { payload: JSON.stringify({ redacted: true }) } });
        addCount(counts, 'webhookDeliveries', modifiedCount);
      }
    }
  }

  return {
    async collect(scope) {
      const out: Required<Pick<CustomerDataSections, 'tasks' | 'tags'>> = { tasks: [], tags: [] };
      for (const key of scope.conversationKeys) {
        const tagDoc = await tags.findOne({ _id: key });
        if (tagDoc) out.tags.push(strip(tagDoc)!);
      }
      for (const session of scope.sessions) {
        for (const taskId of await taskIdsOf(session)) {
          const task = await tasks.findOne({ _id: taskId });
          if (task) out.tasks.push(strip(task)!);
        }
      }
      return out;
    },
    async redactSession(session, counts) {
      const id = session.sessionId;
      const taskIds = await taskIdsOf(session);
      await redactDeliveries([...['completed', 'escalated', 'opted_out'].map((e) => `${id}:${e}`), ...taskIds.map((t) => `task:${t}:closed`)], counts);
      for (const taskId of taskIds) addCount(counts, 'tasks', (await tasks.deleteOne({ _id: taskId })).deletedCount);
      addCount(counts, 'followUpLogs', (await logs.deleteOne({ _id: id })).deletedCount);
      return { taskIds };
    },
    async eraseCustomer(scope, counts) {
      for (const key of scope.conversationKeys) addCount(counts, 'tags', (await tags.deleteOne({ _id: key })).deletedCount);
    },
  };
}
