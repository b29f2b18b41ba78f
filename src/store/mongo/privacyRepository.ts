import { randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import {
  addCount,
  REDACTED_TEXT,
  withoutWords,
  type CustomerDataRepository,
  type CustomerDataSections,
  type CustomerScope,
  type ErasedCustomer,
  type PersonalDataPart,
  type PrivacyCounts,
  type RedactionReason,
  type RetentionBatch,
  type RetentionSettingsStore,
  type SessionRedaction,
} from '../../core/privacy.ts';
import { openSessionStatuses } from '../../core/sessions.ts';
import { createAnalyticsPersonalData } from './analyticsRepository.ts';
import { createCampaignPersonalData } from './campaignRepository.ts';
import { createCustomerIndex } from './customerIndex.ts';
import { createEscalationPersonalData } from './escalationRepository.ts';
import { createFollowUpPersonalData } from './followUpRepository.ts';
import { customerModel, type CustomerDoc } from './models/customer.model.ts';
import { surveySessionModel, type SurveySessionDoc } from './models/surveySession.model.ts';
import { TRANSCRIPT_CHUNK_SIZE, transcriptChunkModel } from './models/transcriptChunk.model.ts';
import { createSessionRepository } from './sessionRepository.ts';

type SessionDoc = SurveySessionDoc & { _id: Types.ObjectId; redactedAt?: Date; redaction?: RedactionReason };
type Plain = Record<string, unknown>;

/** Session fields analytics files responses under (see sessionFacts/dimensions.ts): kept, the rest of customerFields goes. */
const DIMENSION_FIELDS = ['campaign', 'store', 'scene'];

/** Every feature's part of a customer's data, each implemented by that feature's repository. */
export function personalDataParts(conn: Connection): PersonalDataPart[] {
  return [createAnalyticsPersonalData(conn), createEscalationPersonalData(conn), createFollowUpPersonalData(conn), createCampaignPersonalData(conn)];
}

/**
 * The MongoDB side of erasure, access requests and retention. It owns the customer's sessions,
 * transcripts and customer records, found through `customerindex` and read by `_id`; what the
 * features keep about a session or the customer (analytics records, escalations, tasks, logs,
 * deliveries, tags, invitations) each feature's part finds, exports and redacts itself. The
 * retention sweep pages over due sessions in a background job.
 */
export function createCustomerDataRepository(conn: Connection, parts: PersonalDataPart[] = personalDataParts(conn)): CustomerDataRepository {
  const Session = surveySessionModel(conn);
  const Customer = customerModel(conn);
  const redactSession = createSessionRedactor(conn, parts);
  const index = createCustomerIndex(conn);
  const sessions = createSessionRepository(conn);

  const sessionDoc = (id: string) => (Types.ObjectId.isValid(id) ? Session.collection.findOne({ _id: new Types.ObjectId(id) }) : null) as Promise<SessionDoc | null>;

  async function sessionsOf(externalUserId: string): Promise<SessionDoc[]> {
    const entry = await index.get(externalUserId);
    const docs = await Promise.all((entry?.sessionIds ?? []).map(sessionDoc));
    // A session redacted since (retention) no longer belongs to the customer.
    return docs.filter((d): d is SessionDoc => d !== null && d.customerId === externalUserId);
  }

  async function scopeOf(externalUserId: string, invitationHints: string[]): Promise<{ scope: CustomerScope; docs: SessionDoc[] }> {
    const conversationKeys = (await index.get(externalUserId))?.conversationKeys ?? [];
    const docs = await sessionsOf(externalUserId);
    const invitationIds = [...new Set([...invitationHints, ...docs.flatMap((d) => (d.invitationId ? [d.invitationId] : []))])];
    return { scope: { externalUserId, conversationKeys, sessions: docs.map(sessionRef), invitationIds }, docs };
  }

  /** The customer's records, one per conversation: deleted, or cut to the opt-out when they opted out. */
  async function eraseCustomerRecords(conversationKeys: string[], counts: PrivacyCounts): Promise<boolean> {
    let optedOut = false;
    for (const key of conversationKeys) {
      const customer = await Customer.findById(key).lean<CustomerDoc>();
      if (!customer) continue;
      addCount(counts, 'customers', 1);
      if (customer.optedOut) {
        // Their "不要再发了" outlives the erasure: a bare record holds the opt-out and nothing else.
        optedOut = true;
        await Customer.collection.replaceOne(
          { _id: key } as never,
          { conversationKey: key, channel: customer.channel, accountId: customer.accountId, customerId: customer.customerId, optedOut: true, optedOutAt: customer.optedOutAt ?? new Date(), latestSessionId: '', createdAt: new Date(), updatedAt: new Date() },
        );
      } else {
        await Customer.collection.deleteOne({ _id: key } as never);
      }
    }
    return optedOut;
  }

  async function collectSessions(scope: CustomerScope, docs: SessionDoc[]): Promise<{ customers: Plain[]; sessions: Plain[] }> {
    const out = { customers: [] as Plain[], sessions: [] as Plain[] };
    for (const key of scope.conversationKeys) {
      const customer = await Customer.findById(key).lean<CustomerDoc>();
      if (customer) out.customers.push(withoutId(customer));
    }
    for (const doc of docs) {
      const record = (await sessions.findById(String(doc._id)))!;
      const { snapshot: _snapshot, outbox: _outbox, awaiting: _awaiting, handledMessageIds: _handled, ...rest } = record;
      out.sessions.push({ ...rest, transcript: await sessions.transcript(record) });
    }
    return out;
  }

  return {
    ...sessionRetention(conn, index, redactSession),

    async conversationKeysOf(externalUserId) {
      return (await index.get(externalUserId))?.conversationKeys ?? [];
    },

    async collect(externalUserId, hints) {
      const { scope, docs } = await scopeOf(externalUserId, hints.invitationIds);
      const sections: CustomerDataSections = { escalations: [], tasks: [], tags: [], invitations: [] };
      for (const part of parts) {
        const held = await part.collect(scope);
        for (const name of Object.keys(sections) as Array<keyof CustomerDataSections>) sections[name].push(...(held[name] ?? []));
      }
      return { externalUserId, ...(await collectSessions(scope, docs)), ...sections };
    },

    async erase(externalUserId, hints): Promise<ErasedCustomer> {
      const counts: PrivacyCounts = {};
      const { scope, docs } = await scopeOf(externalUserId, hints.invitationIds);
      const taskIds: string[] = [];
      const escalationIds: string[] = [];
      for (const doc of docs) {
        const touched = await redactSession(doc, 'erasure', counts);
        taskIds.push(...touched.taskIds);
        escalationIds.push(...touched.escalationIds);
      }
      for (const part of parts) await part.eraseCustomer?.(scope, counts);
      const optedOut = await eraseCustomerRecords(scope.conversationKeys, counts);
      await index.drop(externalUserId);
      return {
        counts,
        conversationKeys: scope.conversationKeys,
        sessions: docs.map((d) => ({ id: String(d._id), flowId: d.flowId, handledMessageIds: d.handledMessageIds ?? [] })),
        taskIds: [...new Set(taskIds)],
        escalationIds,
        optedOut,
      };
    },

  };
}

/**
 * Redacts one session everywhere: its own document and transcript here, then every feature's part.
 * Returns the tasks and escalations the parts touched (their Redis traces go next).
 */
function createSessionRedactor(conn: Connection, parts: PersonalDataPart[]) {
  const Session = surveySessionModel(conn);
  const Chunk = transcriptChunkModel(conn);

  /**
   * Strips one session of its words and its customer: answers keep kind, value (except a text
   * answer's), time and readings; the snapshot and transcript go, and every feature's part does
   * the same to what it keeps about the session, so counts and quotes-free reports stay.
   */
  async function redactSession(session: SessionDoc, reason: RedactionReason, counts: PrivacyCounts) {
    const pseudonym = `${reason === 'erasure' ? 'erased' : 'expired'}-${randomBytes(6).toString('hex')}`;
    const redaction: SessionRedaction = { ...sessionRef(session), reason, pseudonym, conversationKey: `${session.channel}:${session.accountId}:${pseudonym}` };
    await redactSessionDoc(session, redaction);
    addCount(counts, 'sessions', 1);
    await dropTranscript(session, counts);
    const touched = { taskIds: [] as string[], escalationIds: [] as string[] };
    for (const part of parts) {
      const result = await part.redactSession(redaction, counts);
      touched.taskIds.push(...(result.taskIds ?? []));
      touched.escalationIds.push(...(result.escalationIds ?? []));
    }
    return touched;
  }

  async function redactSessionDoc(session: SessionDoc, redaction: SessionRedaction): Promise<void> {
    await Session.collection.updateOne(
      { _id: session._id },
      {
        $set: {
          customerId: redaction.pseudonym,
          conversationKey: redaction.conversationKey,
          answers: redactAnswers(session.answers),
          snapshot: redactSnapshot(session.snapshot),
          customerFields: Object.fromEntries(Object.entries(session.customerFields ?? {}).filter(([k]) => DIMENSION_FIELDS.includes(k))),
          outbox: '[]',
          handledMessageIds: [],
          ...(session.escalation ? { 'escalation.reason': REDACTED_TEXT } : {}),
          redactedAt: new Date(),
          redaction: redaction.reason,
        },
        $unset: { lastBotText: '', transcript: '', orderId: '', invitationId: '' },
      },
    );
  }

  async function dropTranscript(session: SessionDoc, counts: PrivacyCounts): Promise<void> {
    const chunkCount = Math.ceil((session.transcriptLength ?? 0) / TRANSCRIPT_CHUNK_SIZE) + 1;
    for (let n = 0; n < chunkCount; n++) {
      // One delete per chunk by _id (FerretDB scans for `$in`); one past the end catches a chunk a late write made.
      const { deletedCount } = await Chunk.collection.deleteOne({ _id: `${String(session._id)}:${n}` } as never);
      addCount(counts, 'transcriptChunks', deletedCount);
    }
  }


  return redactSession;
}

/**
 * Retention over the sessions collection: how many are due, one round of redaction, and the
 * per-customer index rebuilt (a one-off backfill). Background only: FerretDB scans for these.
 */
function sessionRetention(
  conn: Connection,
  index: ReturnType<typeof createCustomerIndex>,
  redactSession: ReturnType<typeof createSessionRedactor>,
): Pick<CustomerDataRepository, 'reindex' | 'retentionDue' | 'retentionBatch'> {
  const Session = surveySessionModel(conn);
  return {
    async reindex() {
      let scanned = 0;
      let indexed = 0;
      const cursor = Session.collection.find({}, { projection: { customerId: 1, conversationKey: 1, redactedAt: 1 } });
      for await (const doc of cursor as AsyncIterable<Pick<SessionDoc, '_id' | 'customerId' | 'conversationKey' | 'redactedAt'>>) {
        scanned += 1;
        if (doc.redactedAt) continue;
        await index.add(doc.customerId, String(doc._id), doc.conversationKey);
        indexed += 1;
      }
      return { scanned, indexed };
    },

    async retentionDue(options) {
      const [plain, handedOver] = await Promise.all(dueFilters(options).map((f) => Session.collection.countDocuments(f)));
      return plain! + handedOver!;
    },

    async retentionBatch(options): Promise<RetentionBatch> {
      const batch: RetentionBatch = { due: 0, redacted: 0, more: false, sessions: [] };
      const counts: PrivacyCounts = {};
      let room = options.limit;
      for (const filter of dueFilters(options)) {
        if (room <= 0) break;
        // No sort: FerretDB would sort the whole result in memory; any order will do.
        const page = (await Session.collection.find(filter).limit(room).toArray()) as SessionDoc[];
        room -= page.length;
        for (const doc of page) {
          batch.due += 1;
          batch.sessions.push({ id: String(doc._id), flowId: doc.flowId, handledMessageIds: doc.handledMessageIds ?? [] });
          await redactSession(doc, 'retention', counts);
          await index.removeSession(doc.customerId, String(doc._id));
          batch.redacted += 1;
        }
      }
      batch.more = room <= 0;
      return batch;
    }
  };
}

/** What the feature parts need to know of a session to find their records of it. */
function sessionRef(session: SessionDoc): Pick<SessionRedaction, 'sessionId' | 'handedOver' | 'taskIds'> {
  return {
    sessionId: String(session._id),
    // Only a session that was handed over has escalations.
    handedOver: Boolean(session.escalation) || session.status === 'escalated',
    taskIds: (session.followUp?.tasks ?? []).map((t) => t.taskId),
  };
}

/**
 * Closed sessions past their retention still holding words or identity: those never handed to a
 * person, and those that were (kept `escalationCutoff`). Open sessions wait for their expiry.
 */
function dueFilters(options: { cutoff: Date; escalationCutoff: Date }): Array<Record<string, unknown>> {
  const closed = { status: { $nin: [...openSessionStatuses] }, redactedAt: { $exists: false } };
  return [
    { ...closed, escalation: { $exists: false }, createdAt: { $lt: options.cutoff } },
    { ...closed, escalation: { $exists: true }, createdAt: { $lt: options.escalationCutoff } },
  ];
}

function redactAnswers(answers: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(answers ?? {}).map(([step, a]) => [step, withoutWords(a)]));
}

/**
 * The engine snapshot holds the answers and the customer's greeting fields again. A closed
 * session is never resumed, but its snapshot is kept readable: answers redacted, fields gone.
 */
function redactSnapshot(text: string): string {
  try {
    const envelope = JSON.parse(text) as { machine?: { context?: { answers?: Record<string, unknown>; customer?: Record<string, string> } } };
    const context = envelope.machine?.context;
    if (context) {
      context.answers = redactAnswers(context.answers);
      context.customer = {};
    }
    return JSON.stringify(envelope);
  } catch {
    return '{}';
  }
}

function withoutId<T extends { _id?: unknown }>(doc: T): Plain {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}

/** The retention policy set on the admin page: one document in a small settings collection. */
export function createRetentionSettings(conn: Connection): RetentionSettingsStore {
  const docs = () => conn.collection<{ _id: string; days: number; escalationDays: number; updatedBy: string; updatedAt: Date }>('privacysettings');
  return {
    async get() {
      const doc = await docs().findOne({ _id: 'retention' });
      return doc ? { days: doc.days, escalationDays: doc.escalationDays, updatedBy: doc.updatedBy, updatedAt: doc.updatedAt } : null;
    },
    async set(policy, by, at) {
      await docs().replaceOne({ _id: 'retention' }, { days: policy.days, escalationDays: policy.escalationDays, updatedBy: by, updatedAt: at }, { upsert: true });
    },
  };
}

