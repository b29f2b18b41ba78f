import { ensureIndexes } from './ensureIndexes.ts';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import {
  openSessionStatuses,
  stepsAskedIn,
  type NewSession,
  type PendingEffect,
  type SessionRecord,
  type SessionRepository,
  type SessionStatus,
  type SessionFollowUp,
  type SessionUpdate,
  type TranscriptEntry,
} from '../../core/sessions.ts';
import { customerModel, type CustomerDoc } from './models/customer.model.ts';
import { surveySessionModel, type SurveySessionDoc } from './models/surveySession.model.ts';
import { createCustomerIndex } from './customerIndex.ts';
import { createTranscriptChunks } from './transcriptChunks.ts';

type SessionDoc = SurveySessionDoc & { _id: Types.ObjectId };

/**
 * Where FerretDB's update path keeps each session's revision apart from the document (Redis):
 * `claim` moves rev to rev+1 atomically when it holds exactly rev; anything else means "read it".
 */
export interface RevisionLedger {
  claim(sessionId: string, rev: number): Promise<boolean>;
  remember(sessionId: string, rev: number): Promise<void>;
}

/**
 * SessionRepository on MongoDB. Every turn-path operation is by `_id` (FerretDB answers nothing
 * else from an index): the session by its id, the conversation's newest session through the
 * customer document (`customers._id` = conversation key), the transcript through chunk ids.
 * Each turn is one single-document update guarded by `rev` (no transactions: FerretDB has none).
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
     * findOneAndUpdate. 'read-then-write' (FerretDB): only a bare `{_id}` filter is answered from
     * an index there, and its findAndModify is not atomic anyway, so read by `_id`, compare, then
     * update by `_id`; the per-conversation lock is what serialises writers there.
     */
    revisionCheck?: 'filter' | 'read-then-write';
    /** With 'read-then-write': a faster record of revisions, consulted before reading the document. */
    revisions?: RevisionLedger;
  } = {},
): SessionRepository {
  const Session = surveySessionModel(conn);
  const Customer = customerModel(conn);
  const chunks = createTranscriptChunks(conn);
  const customerIndex = createCustomerIndex(conn);
  const revisionCheck = options.revisionCheck ?? 'filter';
  const revisions = options.revisions;

  async function findById(id: string): Promise<SessionRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const doc = await Session.findById(id).lean<SessionDoc>();
    return doc ? toRecord(doc) : null;
  }

  /** The conversation's newest session: the customer's pointer, or (sessions stored before it existed) a query. */
  async function findLatest(key: string): Promise<SessionRecord | null> {
    const customer = await Customer.findById(key).lean<CustomerDoc>();
    if (!customer) return null;
    if (customer.latestSessionId !== undefined) return customer.latestSessionId ? findById(customer.latestSessionId) : null;
    // Once per customer stored before the pointer existed; '' remembers "no session".
    const doc = await Session.findOne({ conversationKey: key }).sort({ createdAt: -1, _id: -1 }).lean<SessionDoc>();
    await Customer.findOneAndUpdate({ _id: key }, { $set: { latestSessionId: doc ? String(doc._id) : '' } }).lean();
    return doc ? toRecord(doc) : null;
  }

  /** Inserts a new session document (with the chosen id, if any). */
  const insert = (session: NewSession) => Session.create(newSessionDoc(session));

  return {
    findById,
    findLatest,

    async create(session: NewSession) {
      let doc;
      try {
        doc = await insert(session);
      } catch (error) {
        const existing = session.id && (error as { code?: number }).code === 11000 ? await findById(session.id) : null;
        if (!existing) throw error;
        // A replayed start: the session is there; make sure the customer points at it.
        await pointCustomerAt(Customer, customerIndex, existing);
        return existing;
      }
      const record = toRecord(doc.toObject() as SessionDoc);
      if (revisionCheck === 'read-then-write') await revisions?.remember(record.id, record.rev).catch(() => undefined);
      await pointCustomerAt(Customer, customerIndex, record);
      return record;
    },

    async findOpen(key) {
      const latest = await findLatest(key);
      return latest && openSessionStatuses.includes(latest.status) ? latest : null;
    },

    async update(id, rev, update) {
      const change = toChange(update);
      if (revisionCheck === 'read-then-write') {
        const claimed = await revisions?.claim(id, rev).catch(() => false);
        if (!claimed) {
          const current = await Session.findById(id, { rev: 1 }).lean<Pick<SessionDoc, 'rev'>>();
          if (!current || current.rev !== rev) return null;
        }
        const doc = await Session.findOneAndUpdate({ _id: id }, change, { returnDocument: 'after' }).lean<SessionDoc>();
        if (doc && (!claimed || doc.rev !== rev + 1)) await revisions?.remember(id, doc.rev).catch(() => undefined);
        return doc ? toRecord(doc) : null;
      }
      const doc = await Session.findOneAndUpdate({ _id: id, rev }, change, { returnDocument: 'after' }).lean<SessionDoc>();
      return doc ? toRecord(doc) : null;
    },

    async writeTranscript(sessionId, entries) {
      if (entries.length) await chunks.write(sessionId, entries);
    },

    async transcript(session) {
      // Sessions stored before transcripts had their own collection keep theirs inside.
      const legacy = (await Session.findById(session.id, { transcript: 1 }).lean<Pick<SessionDoc, 'transcript'>>())?.transcript ?? [];
      const old = legacy.map((t, seq) => ({ ...t, seq }) as TranscriptEntry);
      return [...old, ...(await chunks.read(session.id, old.length, session.transcriptLength))];
    },

    list: (query) => listSessions(Session, query),

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

/** The MongoDB update for one SessionUpdate: one document, one write. */
function toChange(update: SessionUpdate): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  const copy = [
    'status', 'answers', 'analysis', 'snapshot', 'escalation', 'completedAt', 'askedSteps', 'transcriptLength', 'lastCustomerAt', 'lastBotText', 'handledMessageIds',
  ] as const;
  for (const field of copy) if (update[field] !== undefined) set[field] = update[field];
  if (update.followUp !== undefined) set.followUp = update.followUp;
  if (update.awaiting !== undefined) set.awaiting = JSON.stringify(update.awaiting);
  if (update.outbox) set.outbox = JSON.stringify(update.outbox);
  const inc: Record<string, number> = { rev: 1 };
  if (update.addLlmUsage) {
    inc['llmUsage.promptTokens'] = update.addLlmUsage.promptTokens;
    inc['llmUsage.completionTokens'] = update.addLlmUsage.completionTokens;
    inc['llmUsage.calls'] = update.addLlmUsage.calls;
  }
  return { $set: set, $inc: inc };
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
    snapshot: doc.snapshot,
    awaiting: JSON.parse(doc.awaiting ?? 'null') as unknown,
    outbox: reviveOutbox(doc.outbox),
    handledMessageIds: doc.handledMessageIds ?? [],
    rev: doc.rev,
    campaign: doc.campaign ?? undefined,
    ...attributionOf(doc),
    customerFields: doc.customerFields ?? {},
    escalation: doc.escalation ?? undefined,
    llmUsage: doc.llmUsage ?? { promptTokens: 0, completionTokens: 0, calls: 0 },
    askedSteps: doc.askedSteps ?? stepsAskedIn((doc.transcript ?? []) as TranscriptEntry[]),
    transcriptLength: doc.transcriptLength ?? doc.transcript?.length ?? 0,
    lastCustomerAt: doc.lastCustomerAt ?? undefined,
    lastBotText: doc.lastBotText ?? undefined,
    ...(doc.followUp ? { followUp: reviveFollowUp(doc.followUp) } : {}),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    completedAt: doc.completedAt ?? undefined,
  };
}

/** The invitation attributes a session holds (only those set: FerretDB must not store explicit nulls as values). */
function attributionOf(source: Pick<SurveySessionDoc, 'campaignId' | 'invitationId' | 'store' | 'orderId' | 'touchpoint' | 'products' | 'visitAt'>) {
  const out: Partial<Pick<SessionRecord, 'campaignId' | 'invitationId' | 'store' | 'orderId' | 'touchpoint' | 'products' | 'visitAt'>> = {};
  for (const key of ['campaignId', 'invitationId', 'store', 'orderId', 'touchpoint'] as const) {
    const value = source[key];
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  if (source.products?.length) out.products = [...source.products];
  if (source.visitAt) out.visitAt = new Date(source.visitAt);
  return out;
}

/** Follow-up outcomes as stored (dates may come back as strings from older drivers' JSON paths). */
function reviveFollowUp(stored: NonNullable<SessionDoc['followUp']>): SessionFollowUp {
  return {
    tasks: (stored.tasks ?? []).map((t) => ({ ...t, closedAt: new Date(t.closedAt) })),
    ...(stored.contactedAt ? { contactedAt: new Date(stored.contactedAt) } : {}),
  };
}

/** The outbox is JSON text: dates come back as strings and are revived here. */
function reviveOutbox(text: string | undefined): PendingEffect[] {
  const raw = JSON.parse(text ?? '[]') as Array<Record<string, unknown>>;
  return raw.map((effect) => {
    // Outboxes stored before effects had kinds held only sends.
    const e = (effect.kind ? effect : { kind: 'send', ...effect }) as PendingEffect;
    if (e.kind === 'opt_out' || e.kind === 'followup') return { ...e, at: new Date(e.at) };
    if (e.kind === 'timer') return { ...e, dueAt: new Date(e.dueAt) };
    if (e.kind === 'transcript') return { ...e, entries: e.entries.map((t) => ({ ...t, at: new Date(t.at) })) };
    return e;
  });
}

/** Creates the collections' indexes (plain and unique only, so FerretDB accepts them). */
export async function ensureSessionIndexes(conn: Connection): Promise<void> {
  await ensureIndexes(surveySessionModel(conn));
  await ensureIndexes(customerModel(conn));
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}
function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!iso || !id || !Types.ObjectId.isValid(id) || Number.isNaN(Date.parse(iso))) return null;
  return { at: new Date(iso), id };
}

/** The stored document of a new session. */
function newSessionDoc(session: NewSession) {
  return {
    ...(session.id ? { _id: new Types.ObjectId(session.id) } : {}),
    conversationKey: session.conversationKey,
    channel: session.conversation.channel,
    accountId: session.conversation.accountId,
    customerId: session.conversation.customerId,
    flowId: session.flowId,
    flowVersion: session.flowVersion,
    status: session.status,
    answers: session.answers,
    analysis: session.analysis,
    snapshot: session.snapshot,
    awaiting: JSON.stringify(session.awaiting ?? null),
    outbox: JSON.stringify(session.outbox),
    handledMessageIds: session.handledMessageIds ?? [],
    askedSteps: session.askedSteps ?? [],
    transcriptLength: session.transcriptLength ?? 0,
    lastCustomerAt: session.lastCustomerAt,
    lastBotText: session.lastBotText,
    rev: 0,
    campaign: session.campaign,
    ...attributionOf(session),
    customerFields: session.customerFields,
    escalation: session.escalation,
    completedAt: session.completedAt,
  };
}

/** A page of sessions, newest first, after the cursor `before` (createdAt, then _id, so ties page exactly). */
async function listSessions(Session: ReturnType<typeof surveySessionModel>, query: Parameters<SessionRepository['list']>[0]) {
  const filter: Record<string, unknown> = {};
  if (query.customerId) filter.customerId = query.customerId;
  if (query.flowId) filter.flowId = query.flowId;
  if (query.status) filter.status = query.status;
  const cursor = query.before ? decodeCursor(query.before) : null;
  if (cursor) {
    filter.$or = [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, _id: { $lt: new Types.ObjectId(cursor.id) } }];
  }
  const docs = await Session.find(filter, { transcript: 0 })
    .sort({ createdAt: -1, _id: -1 })
    .limit(query.limit + 1)
    .lean<SessionDoc[]>();
  const items = docs.slice(0, query.limit).map(toRecord);
  const last = items.at(-1);
  return { items, next: docs.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : undefined };
}

/** Points the customer document at its newest session (creating the customer if needed). */
async function pointCustomerAt(Customer: ReturnType<typeof customerModel>, customerIndex: ReturnType<typeof createCustomerIndex>, session: SessionRecord): Promise<void> {
  const { conversation: ref, conversationKey: key } = session;
  const update = {
    $set: { latestSessionId: session.id },
    $setOnInsert: { conversationKey: key, channel: ref.channel, accountId: ref.accountId, customerId: ref.customerId, optedOut: false },
  };
  try {
    await Customer.findOneAndUpdate({ _id: key }, update, { upsert: true }).lean();
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    await Customer.findOneAndUpdate({ _id: key }, { $set: update.$set }).lean();
  }
  // Erasure and access requests find a customer's sessions here, by _id (issue 15).
  await customerIndex.add(ref.customerId, session.id, key);
}
