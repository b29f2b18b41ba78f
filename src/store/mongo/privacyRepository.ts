import { createHash, randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import type { CustomerDataRepository, ErasedCustomer, PrivacyCounts, RedactionReason, RetentionBatch, RetentionSettingsStore } from '../../core/privacy.ts';
import { openSessionStatuses } from '../../core/sessions.ts';
import { createCustomerIndex } from './customerIndex.ts';
import { toRecord as toEscalation } from './escalationRepository.ts';
import { analyticsResponseModel } from './models/analyticsResponse.model.ts';
import { customerModel, type CustomerDoc } from './models/customer.model.ts';
import { escalationModel, type EscalationDoc } from './models/escalation.model.ts';
import { surveySessionModel, type SurveySessionDoc } from './models/surveySession.model.ts';
import { TRANSCRIPT_CHUNK_SIZE, transcriptChunkModel } from './models/transcriptChunk.model.ts';
import { createSessionRepository } from './sessionRepository.ts';

type SessionDoc = SurveySessionDoc & { _id: Types.ObjectId; redactedAt?: Date; redaction?: RedactionReason };
type Plain = Record<string, unknown>;

/** Filled in where a text was; analytics reads the answer as given (not missing), with no words. */
const REMOVED = '';
/** Session fields analytics files responses under (see analytics/dimensions.ts): kept, the rest of customerFields goes. */
const DIMENSION_FIELDS = ['campaign', 'store', 'scene'];

/**
 * The MongoDB side of erasure, access requests and retention. Every document is reached by
 * `_id`: the customer's sessions and conversations through `customerindex`, transcripts by chunk
 * id, analytics records, follow-up logs and tasks by their ids, invitations by the ids Redis
 * names. Two lookups are not by `_id`, both bounded: escalations by session id (only for sessions
 * that were handed over; the collection holds hand-overs only) and the campaigns list (tens).
 * The retention sweep itself pages over all sessions by `_id` in a background job.
 */
export function createCustomerDataRepository(conn: Connection): CustomerDataRepository {
  const Session = surveySessionModel(conn);
  const Customer = customerModel(conn);
  const Escalation = escalationModel(conn);
  const Chunk = transcriptChunkModel(conn);
  const Response = analyticsResponseModel(conn);
  const tasks = () => conn.collection<Plain & { _id: string }>('followuptasks');
  const logs = () => conn.collection<{ _id: string; entries?: Array<{ action: string; detail?: string }> }>('sessionfollowups');
  const tags = () => conn.collection<Plain & { _id: string }>('customertags');
  const campaigns = () => conn.collection<{ _id: string }>('campaigns');
  const endpoints = () => conn.collection<{ _id: string }>('webhookendpoints');
  const deliveries = () => conn.collection<{ _id: string; payload: string }>('webhookdeliveries');
  const invitations = (campaignId: string) => conn.collection<Plain & { _id: string }>(`invitations_${campaignId}`);
  const index = createCustomerIndex(conn);
  const sessions = createSessionRepository(conn);

  const sessionDoc = (id: string) => (Types.ObjectId.isValid(id) ? Session.collection.findOne({ _id: new Types.ObjectId(id) }) : null) as Promise<SessionDoc | null>;

  async function escalationsOf(session: SessionDoc): Promise<Array<EscalationDoc & { _id: Types.ObjectId }>> {
    // Only a session that was handed over has one; the query scans escalations (hand-overs only).
    if (!session.escalation && session.status !== 'escalated') return [];
    return Escalation.collection.find({ sessionId: String(session._id) }).toArray() as Promise<Array<EscalationDoc & { _id: Types.ObjectId }>>;
  }

  async function taskIdsOf(session: SessionDoc): Promise<string[]> {
    const log = await logs().findOne({ _id: String(session._id) });
    const created = (log?.entries ?? []).filter((e) => e.action === 'task_created' && e.detail).map((e) => e.detail!);
    return [...new Set([...created, ...(session.followUp?.tasks ?? []).map((t) => t.taskId)])];
  }

  /** Invitations by id, looked for in each campaign's collection (by `_id`; campaigns are few). */
  async function findInvitations(ids: string[]): Promise<Array<{ campaignId: string; doc: Plain & { _id: string } }>> {
    if (!ids.length) return [];
    const campaignIds = (await campaigns().find({}, { projection: { _id: 1 } }).toArray()).map((c) => c._id);
    const found: Array<{ campaignId: string; doc: Plain & { _id: string } }> = [];
    for (const campaignId of campaignIds) {
      for (const id of ids) {
        const doc = await invitations(campaignId).findOne({ _id: id });
        if (doc) found.push({ campaignId, doc });
      }
    }
    return found;
  }

  async function sessionsOf(externalUserId: string): Promise<SessionDoc[]> {
    const entry = await index.get(externalUserId);
    const docs = await Promise.all((entry?.sessionIds ?? []).map(sessionDoc));
    // A session redacted since (retention) no longer belongs to the customer.
    return docs.filter((d): d is SessionDoc => d !== null && d.customerId === externalUserId);
  }

  /**
   * Strips one session of its words and its customer: answers keep kind, value (except a text
   * answer's), time and readings; the snapshot, transcript, escalation words, follow-up log and
   * tasks go. The analytics record loses the same, so counts and quotes-free reports stay.
   */
  async function redactSession(session: SessionDoc, reason: RedactionReason, counts: PrivacyCounts): Promise<void> {
    const id = String(session._id);
    const pseudonym = `${reason === 'erasure' ? 'erased' : 'expired'}-${randomBytes(6).toString('hex')}`;
    const key = `${session.channel}:${session.accountId}:${pseudonym}`;
    await Session.collection.updateOne(
      { _id: session._id },
      {
        $set: {
          customerId: pseudonym,
          conversationKey: key,
          answers: redactAnswers(session.answers),
          snapshot: redactSnapshot(session.snapshot),
          customerFields: Object.fromEntries(Object.entries(session.customerFields ?? {}).filter(([k]) => DIMENSION_FIELDS.includes(k))),
          outbox: '[]',
          handledMessageIds: [],
          ...(session.escalation ? { 'escalation.reason': REMOVED } : {}),
          redactedAt: new Date(),
          redaction: reason,
        },
        $unset: { lastBotText: '', transcript: '', orderId: '', invitationId: '' },
      },
    );
    counts.sessions = (counts.sessions ?? 0) + 1;

    const chunkCount = Math.ceil((session.transcriptLength ?? 0) / TRANSCRIPT_CHUNK_SIZE) + 1;
    for (let n = 0; n < chunkCount; n++) {
      // One delete per chunk by _id (FerretDB scans for `$in`); one past the end catches a chunk a late write made.
      const { deletedCount } = await Chunk.collection.deleteOne({ _id: `${id}:${n}` } as never);
      counts.transcriptChunks = (counts.transcriptChunks ?? 0) + deletedCount;
    }

    const record = await Response.collection.findOne({ _id: id } as never);
    if (record) {
      await Response.collection.updateOne(
        { _id: id } as never,
        { $set: { customerId: pseudonym, answers: (record.answers as Plain[] | undefined ?? []).map(redactFact) }, $unset: { nickname: '' } },
      );
      counts.analyticsRecords = (counts.analyticsRecords ?? 0) + 1;
    }

    for (const e of await escalationsOf(session)) {
      await Escalation.collection.updateOne(
        { _id: e._id },
        {
          $set: { reason: REMOVED, summary: [], customerId: pseudonym, conversationKey: key, actions: (e.actions ?? []).map(({ detail: _detail, ...a }) => a) },
          $unset: { customerWords: '', nickname: '', eventCode: '' },
        },
      );
      counts.escalations = (counts.escalations ?? 0) + 1;
    }

    const taskIds = await taskIdsOf(session);
    await redactDeliveries([...['completed', 'escalated', 'opted_out'].map((e) => `${id}:${e}`), ...taskIds.map((t) => `task:${t}:closed`)], counts);
    for (const taskId of taskIds) {
      counts.tasks = (counts.tasks ?? 0) + (await tasks().deleteOne({ _id: taskId })).deletedCount;
    }
    counts.followUpLogs = (counts.followUpLogs ?? 0) + (await logs().deleteOne({ _id: id })).deletedCount;
  }

  /**
   * Webhook deliveries keep the exact body sent (answers, customer id) for replays. Their ids are
   * derived from endpoint and event key (see webhookService.ts), so each is reached by `_id`
   * (endpoints are a handful). The body is replaced: a replay then sends the redaction marker.
   */
  async function redactDeliveries(eventKeys: string[], counts: PrivacyCounts): Promise<void> {
    const endpointIds = (await endpoints().find({}, { projection: { _id: 1 } }).toArray()).map((e) => e._id);
    for (const endpointId of endpointIds) {
      for (const key of eventKeys) {
        const _id = `msg_${createHash('sha256').update(`${endpointId}\n${key}`).digest('hex').slice(0, 24)}`;
        const { modifiedCount } = await deliveries().updateOne({ _id }, { $set: { payload: JSON.stringify({ redacted: true }) } });
        counts.webhookDeliveries = (counts.webhookDeliveries ?? 0) + modifiedCount;
      }
    }
  }

  return {
    async conversationKeysOf(externalUserId) {
      return (await index.get(externalUserId))?.conversationKeys ?? [];
    },

    async collect(externalUserId, hints) {
      const keys = (await index.get(externalUserId))?.conversationKeys ?? [];
      const docs = await sessionsOf(externalUserId);
      const out = { externalUserId, customers: [] as Plain[], sessions: [] as Plain[], escalations: [] as Plain[], tasks: [] as Plain[], tags: [] as Plain[], invitations: [] as Plain[] };
      for (const key of keys) {
        const customer = await Customer.findById(key).lean<CustomerDoc>();
        if (customer) out.customers.push(withoutId(customer));
        const tagDoc = await tags().findOne({ _id: key });
        if (tagDoc) out.tags.push(withoutId(tagDoc));
      }
      for (const doc of docs) {
        const record = (await sessions.findById(String(doc._id)))!;
        const { snapshot: _snapshot, outbox: _outbox, awaiting: _awaiting, handledMessageIds: _handled, ...rest } = record;
        out.sessions.push({ ...rest, transcript: await sessions.transcript(record) });
        for (const e of await escalationsOf(doc)) out.escalations.push(toEscalation(e) as unknown as Plain);
        for (const taskId of await taskIdsOf(doc)) {
          const task = await tasks().findOne({ _id: taskId });
          if (task) out.tasks.push(withoutId(task));
        }
      }
      const invitationIds = [...new Set([...hints.invitationIds, ...docs.flatMap((d) => (d.invitationId ? [d.invitationId] : []))])];
      for (const { campaignId, doc } of await findInvitations(invitationIds)) out.invitations.push({ id: doc._id, ...withoutId(doc), campaignId });
      return out;
    },

    async erase(externalUserId, hints): Promise<ErasedCustomer> {
      const counts: PrivacyCounts = {};
      const keys = (await index.get(externalUserId))?.conversationKeys ?? [];
      const docs = await sessionsOf(externalUserId);
      const invitationIds = [...new Set([...hints.invitationIds, ...docs.flatMap((d) => (d.invitationId ? [d.invitationId] : []))])];
      const taskIds: string[] = [];
      const escalationIds: string[] = [];
      for (const doc of docs) {
        taskIds.push(...(await taskIdsOf(doc)));
        escalationIds.push(...(await escalationsOf(doc)).map((e) => String(e._id)));
        await redactSession(doc, 'erasure', counts);
      }
      for (const { campaignId, doc } of await findInvitations(invitationIds)) {
        counts.invitations = (counts.invitations ?? 0) + (await invitations(campaignId).deleteOne({ _id: doc._id })).deletedCount;
      }
      let optedOut = false;
      for (const key of keys) {
        counts.tags = (counts.tags ?? 0) + (await tags().deleteOne({ _id: key })).deletedCount;
        const customer = await Customer.findById(key).lean<CustomerDoc>();
        if (!customer) continue;
        counts.customers = (counts.customers ?? 0) + 1;
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
      await index.drop(externalUserId);
      return {
        counts,
        conversationKeys: keys,
        sessions: docs.map((d) => ({ id: String(d._id), flowId: d.flowId, handledMessageIds: d.handledMessageIds ?? [] })),
        taskIds: [...new Set(taskIds)],
        escalationIds,
        optedOut,
      };
    },

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
    },
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

/** A recorded answer without the customer's words: a text answer's value goes with its raw text. */
function redactAnswer(answer: unknown): unknown {
  if (!answer || typeof answer !== 'object') return answer;
  const a = answer as Plain;
  return { ...a, raw: REMOVED, ...(a.kind === 'text' && typeof a.value === 'string' ? { value: REMOVED } : {}) };
}

function redactAnswers(answers: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(answers ?? {}).map(([step, a]) => [step, redactAnswer(a)]));
}

/** The same for an analytics fact (`kind` text: the value is the customer's words). */
function redactFact(fact: Plain): Plain {
  return { ...fact, raw: REMOVED, ...(fact.kind === 'text' && typeof fact.value === 'string' ? { value: REMOVED } : {}) };
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

