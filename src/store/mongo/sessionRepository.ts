import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { conversationKey } from '../../core/messages.ts';
import {
  openSessionStatuses,
  type CustomerRecord,
  type CustomerRepository,
  type NewSession,
  type SessionRecord,
  type SessionRepository,
  type SessionStatus,
  type TranscriptEntry,
} from '../../core/sessions.ts';
import { customerModel, type CustomerDoc } from './models/customer.model.ts';
import { surveySessionModel, type SurveySessionDoc } from './models/surveySession.model.ts';

type SessionDoc = SurveySessionDoc & { _id: Types.ObjectId };

/**
 * SessionRepository on MongoDB. Each turn is one single-document update guarded by `rev`
 * (no transactions: FerretDB has none), with the transcript appended by `$push`.
 *
 * @example
 * const sessions = createSessionRepository(conn);
 * const saved = await sessions.update(s.id, s.rev, { status: 'completed' }); // null → reload and retry
 */
export function createSessionRepository(
  conn: Connection,
  options: {
    /**
     * How `update` checks the revision. 'filter' (MongoDB): `{_id, rev}` in one atomic
     * findOneAndUpdate. 'read-then-write' (FerretDB): FerretDB scans the whole collection for any
     * filter but a bare `{_id}` and its findAndModify is not atomic anyway, so read by `_id`,
     * compare, then update by `_id`; the per-conversation lock is what serialises writers there.
     */
    revisionCheck?: 'filter' | 'read-then-write';
  } = {},
): SessionRepository {
  const Session = surveySessionModel(conn);
  const revisionCheck = options.revisionCheck ?? 'filter';
  return {
    async create(session: NewSession) {
      const doc = await Session.create({
        conversationKey: session.conversationKey,
        channel: session.conversation.channel,
        accountId: session.conversation.accountId,
        customerId: session.conversation.customerId,
        flowId: session.flowId,
        flowVersion: session.flowVersion,
        status: session.status,
        answers: session.answers,
        analysis: session.analysis,
        transcript: session.transcript,
        snapshot: session.snapshot,
        awaiting: JSON.stringify(session.awaiting ?? null),
        outbox: JSON.stringify(session.outbox),
        handledMessageIds: session.handledMessageIds ?? [],
        rev: 0,
        campaign: session.campaign,
        customerFields: session.customerFields,
        escalation: session.escalation,
        completedAt: session.completedAt,
      });
      return toRecord(doc.toObject() as SessionDoc);
    },

    async findById(id) {
      if (!Types.ObjectId.isValid(id)) return null;
      const doc = await Session.findById(id).lean<SessionDoc>();
      return doc ? toRecord(doc) : null;
    },

    async findOpen(key) {
      const doc = await Session.findOne({ conversationKey: key, status: { $in: openSessionStatuses } })
        .sort({ createdAt: -1 })
        .lean<SessionDoc>();
      return doc ? toRecord(doc) : null;
    },

    async findLatest(key) {
      const doc = await Session.findOne({ conversationKey: key }).sort({ createdAt: -1, _id: -1 }).lean<SessionDoc>();
      return doc ? toRecord(doc) : null;
    },

    async update(id, rev, update) {
      const set: Record<string, unknown> = {};
      if (update.status) set.status = update.status;
      if (update.answers) set.answers = update.answers;
      if (update.analysis) set.analysis = update.analysis;
      if (update.snapshot !== undefined) set.snapshot = update.snapshot;
      if (update.awaiting !== undefined) set.awaiting = JSON.stringify(update.awaiting);
      if (update.outbox) set.outbox = JSON.stringify(update.outbox);
      if (update.escalation) set.escalation = update.escalation;
      if (update.completedAt) set.completedAt = update.completedAt;
      const push: Record<string, unknown> = {};
      if (update.appendTranscript?.length) push.transcript = { $each: update.appendTranscript };
      if (update.handledMessageId) push.handledMessageIds = update.handledMessageId;
      const inc: Record<string, number> = { rev: 1 };
      if (update.addLlmUsage) {
        inc['llmUsage.promptTokens'] = update.addLlmUsage.promptTokens;
        inc['llmUsage.completionTokens'] = update.addLlmUsage.completionTokens;
        inc['llmUsage.calls'] = update.addLlmUsage.calls;
      }
      const change = { $set: set, $inc: inc, ...(Object.keys(push).length ? { $push: push } : {}) };
      if (revisionCheck === 'read-then-write') {
        const current = await Session.findById(id).lean<SessionDoc>();
        if (!current || current.rev !== rev) return null;
        const doc = await Session.findOneAndUpdate({ _id: id }, change, { returnDocument: 'after' }).lean<SessionDoc>();
        return doc ? toRecord(doc) : null;
      }
      const doc = await Session.findOneAndUpdate({ _id: id, rev }, change, { returnDocument: 'after' }).lean<SessionDoc>();
      return doc ? toRecord(doc) : null;
    },

    async appendTranscript(id, entries: TranscriptEntry[]) {
      if (!entries.length) return;
      await Session.updateOne({ _id: id }, { $push: { transcript: { $each: entries } } });
    },

    async list(query) {
      const filter: Record<string, unknown> = {};
      if (query.customerId) filter.customerId = query.customerId;
      if (query.flowId) filter.flowId = query.flowId;
      if (query.status) filter.status = query.status;
      const cursor = query.before ? decodeCursor(query.before) : null;
      if (cursor) {
        filter.$or = [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, _id: { $lt: new Types.ObjectId(cursor.id) } }];
      }
      const docs = await Session.find(filter)
        .sort({ createdAt: -1, _id: -1 })
        .limit(query.limit + 1)
        .lean<SessionDoc[]>();
      const items = docs.slice(0, query.limit).map(toRecord);
      const last = items.at(-1);
      return { items, next: docs.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : undefined };
    },

    async countByFlowVersion(flowId) {
      const rows = await Session.aggregate<{ _id: number; n: number }>([
        { $match: { flowId } },
        { $group: { _id: '$flowVersion', n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ]);
      return Object.fromEntries(rows.map((r) => [r._id, r.n]));
    },
  };
}

/**
 * CustomerRepository on MongoDB: one document per conversation key (unique index).
 */
export function createCustomerRepository(conn: Connection): CustomerRepository {
  const Customer = customerModel(conn);
  return {
    async get(key) {
      const doc = await Customer.findById(key).lean<CustomerDoc>();
      return doc ? toCustomer(doc) : null;
    },
    async upsert(ref, changes) {
      const key = conversationKey(ref);
      const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const update = {
        $set: set,
        $setOnInsert: {
          conversationKey: key,
          channel: ref.channel,
          accountId: ref.accountId,
          customerId: ref.customerId,
          ...('optedOut' in set ? {} : { optedOut: false }),
        },
      };
      try {
        const doc = await Customer.findOneAndUpdate({ _id: key }, update, { upsert: true, returnDocument: 'after' }).lean<CustomerDoc>();
        return toCustomer(doc!);
      } catch (error) {
        // Two first messages racing: the _id lets one insert win; retry as an update.
        if ((error as { code?: number }).code !== 11000) throw error;
        const doc = await Customer.findOneAndUpdate({ _id: key }, { $set: set }, { returnDocument: 'after' }).lean<CustomerDoc>();
        return toCustomer(doc!);
      }
    },
  };
}

/** Creates the collections' indexes (plain and unique only, so FerretDB accepts them). */
export async function ensureSessionIndexes(conn: Connection): Promise<void> {
  await surveySessionModel(conn).createIndexes();
  await customerModel(conn).createIndexes();
}

export function toRecord(doc: SessionDoc): SessionRecord {
  return {
    id: String(doc._id),
    conversation: { channel: doc.channel, accountId: doc.accountId, customerId: doc.customerId },
    conversationKey: doc.conversationKey,
    flowId: doc.flowId,
    flowVersion: doc.flowVersion,
    status: doc.status as SessionStatus,
    answers: doc.answers ?? {},
    analysis: doc.analysis ?? {},
    transcript: (doc.transcript ?? []).map((t) => ({ ...t }) as TranscriptEntry),
    snapshot: doc.snapshot,
    awaiting: JSON.parse(doc.awaiting ?? 'null') as unknown,
    outbox: JSON.parse(doc.outbox ?? '[]') as SessionRecord['outbox'],
    handledMessageIds: doc.handledMessageIds ?? [],
    rev: doc.rev,
    campaign: doc.campaign ?? undefined,
    customerFields: doc.customerFields ?? {},
    escalation: doc.escalation ?? undefined,
    llmUsage: doc.llmUsage ?? { promptTokens: 0, completionTokens: 0, calls: 0 },
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    completedAt: doc.completedAt ?? undefined,
  };
}

function toCustomer(doc: CustomerDoc): CustomerRecord {
  return {
    conversationKey: doc.conversationKey,
    conversation: { channel: doc.channel, accountId: doc.accountId, customerId: doc.customerId },
    nickname: doc.nickname ?? undefined,
    optedOut: doc.optedOut ?? false,
    optedOutAt: doc.optedOutAt ?? undefined,
    lastInboundAt: doc.lastInboundAt ?? undefined,
  };
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}
function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!iso || !id || !Types.ObjectId.isValid(id) || Number.isNaN(Date.parse(iso))) return null;
  return { at: new Date(iso), id };
}
