import { ensureIndexes } from './ensureIndexes.ts';
import { Types, type Connection } from 'mongoose';
import type { AdminRole, AdminUser, AdminUserRepository, AuditAction, AuditEntry, AuditLog } from '../../core/admin.ts';
import { adminUserModel, type AdminUserDoc } from './models/adminUser.model.ts';
import { auditEntryModel, type AuditEntryDoc } from './models/auditEntry.model.ts';

type EntryDoc = AuditEntryDoc & { _id: Types.ObjectId };

/**
 * AdminUserRepository on MongoDB. Names and token hashes are unique indexes, so a duplicate
 * create fails in the database rather than in a read-then-write race.
 *
 * @example
 * const users = createAdminUserRepository(conn);
 * const user = await users.findByTokenHash(sha256(token));
 */
export function createAdminUserRepository(conn: Connection): AdminUserRepository {
  const User = adminUserModel(conn);
  return {
    async create(input) {
      try {
        const doc = await User.create({ ...input, revokedAt: null });
        return toUser(doc.toObject());
      } catch (error) {
        if ((error as { code?: number }).code === 11000) return null;
        throw error;
      }
    },
    async findByTokenHash(tokenHash) {
      const doc = await User.findOne({ tokenHash, revokedAt: null }).lean<AdminUserDoc>();
      return doc ? toUser(doc) : null;
    },
    async list() {
      const docs = await User.find({}).sort({ createdAt: 1 }).lean<AdminUserDoc[]>();
      return docs.map(toUser);
    },
    async revoke(name) {
      const result = await User.updateOne({ name, revokedAt: null }, { $set: { revokedAt: new Date() } });
      return result.modifiedCount > 0;
    },
    async hasAny() {
      return (await User.findOne({}, { _id: 1 }).lean()) !== null;
    },
    async replaceToken(name, tokenHash) {
      const result = await User.updateOne({ name }, { $set: { tokenHash, revokedAt: null } });
      return result.matchedCount > 0;
    },
  };
}

/**
 * AuditLog on MongoDB: append-only entries, read newest first with an `_id` cursor.
 *
 * @example
 * await audit.record({ actor: 'li', actorRole: 'admin', action: 'flow.published', flowId: 'nps-default', version: 4 });
 */
export function createAuditLog(conn: Connection): AuditLog {
  const Entry = auditEntryModel(conn);
  return {
    async record(entry) {
      const doc = await Entry.create({
        at: new Date(),
        actor: entry.actor,
        actorRole: entry.actorRole,
        action: entry.action,
        ...(entry.flowId === undefined ? {} : { flowId: entry.flowId }),
        ...(entry.version === undefined ? {} : { version: entry.version }),
        ...(entry.note === undefined ? {} : { note: entry.note }),
        ...(entry.details === undefined ? {} : { details: JSON.stringify(entry.details) }),
      });
      return toEntry(doc.toObject() as EntryDoc);
    },
    async list(query) {
      const filter: Record<string, unknown> = {};
      if (query.flowId) filter.flowId = query.flowId;
      if (query.actions) filter.action = { $in: [...query.actions] };
      if (query.before && Types.ObjectId.isValid(query.before)) filter._id = { $lt: new Types.ObjectId(query.before) };
      const docs = await Entry.find(filter)
        .sort({ _id: -1 })
        .limit(query.limit + 1)
        .lean<EntryDoc[]>();
      const items = docs.slice(0, query.limit).map(toEntry);
      return { items, ...(docs.length > query.limit && items.length ? { next: items.at(-1)!.id } : {}) };
    },
  };
}

/** Creates the admin collections' indexes. */
export async function ensureAdminIndexes(conn: Connection): Promise<void> {
  await ensureIndexes(adminUserModel(conn));
  await ensureIndexes(auditEntryModel(conn));
}

function toUser(doc: AdminUserDoc): AdminUser {
  return {
    name: doc.name,
    role: doc.role as AdminRole,
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
    ...(doc.revokedAt ? { revokedAt: doc.revokedAt } : {}),
  };
}

function toEntry(doc: EntryDoc): AuditEntry {
  let details: Record<string, unknown> | undefined;
  try {
    details = doc.details ? (JSON.parse(doc.details) as Record<string, unknown>) : undefined;
  } catch {
    details = undefined;
  }
  return {
    id: doc._id.toString(),
    at: doc.at,
    actor: doc.actor,
    actorRole: doc.actorRole as AdminRole | 'system' | 'advisor',
    action: doc.action as AuditAction,
    ...(doc.flowId ? { flowId: doc.flowId } : {}),
    ...(doc.version === undefined || doc.version === null ? {} : { version: doc.version }),
    ...(doc.note ? { note: doc.note } : {}),
    ...(details ? { details } : {}),
  };
}
