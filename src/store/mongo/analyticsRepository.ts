import { ensureIndexes } from './ensureIndexes.ts';
import type { Connection } from 'mongoose';
import { localDateKey } from '../../core/calendar.ts';
import { factsFingerprint } from '../../sessionFacts/factsJson.ts';
import type { AnalyticsSources, ResponseRecordStore } from '../../analytics/ports.ts';
import type { AnswerFact, ResponseFacts } from '../../sessionFacts/types.ts';
import type { SessionStatus } from '../../core/sessions.ts';
import { addCount, withoutWords, type PersonalDataPart } from '../../core/privacy.ts';
import { toRecord as toEscalation } from './escalationRepository.ts';
import { escalationModel, type EscalationDoc } from './models/escalation.model.ts';
import { analyticsResponseModel, type AnalyticsResponseDoc } from './models/analyticsResponse.model.ts';
import { surveySessionModel, type SurveySessionDoc } from './models/surveySession.model.ts';
import { toRecord as toSession } from './sessionRepository.ts';
import type { Types } from 'mongoose';

/**
 * The per-response records on MongoDB, one document per settled session (`_id` = session id).
 * On FerretDB an insert and a read by `_id` stay fast at any size, but every update or delete
 * scans the collection (measured: ~0.2 s at 30,000 documents, growing linearly), so a record is
 * inserted once when its session settles. A later save of a settled session (the outbox flush
 * after the last answer) usually changes nothing the record holds: same fingerprint, no write.
 * Only a real change pays for an update; on MongoDB ('filter') it carries the revision check in
 * its filter, on FerretDB ('read-then-write') it reads by `_id` first.
 *
 * @example
 * const records = createResponseRecordStore(conn, { timeZone: 'Asia/Shanghai', revisionCheck: 'filter' });
 * await records.save(facts);
 */
export function createResponseRecordStore(conn: Connection, options: { timeZone: string; revisionCheck?: 'filter' | 'read-then-write' }): ResponseRecordStore {
  const Response = analyticsResponseModel(conn);
  const toDoc = (facts: ResponseFacts): AnalyticsResponseDoc => factsToDoc(facts, options.timeZone);

  async function insert(doc: AnalyticsResponseDoc): Promise<boolean> {
    try {
      await Response.collection.insertOne(doc as never);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false; // someone stored it first
      throw error;
    }
  }

  return {
    async save(facts) {
      const doc = toDoc(facts);
      if (await insert(doc)) return;
      const { _id, ...fields } = doc;
      const stored = await Response.findById(_id).lean<Pick<AnalyticsResponseDoc, 'rev' | 'fp'>>();
      if (!stored || stored.fp === doc.fp || stored.rev >= doc.rev) return;
      await Response.findOneAndUpdate(options.revisionCheck === 'filter' ? { _id, rev: { $lt: doc.rev } } : { _id }, { $set: fields });
    },

    async get(sessionId) {
      const doc = await Response.findById(sessionId).lean<AnalyticsResponseDoc>();
      return doc ? docToFacts(doc) : null;
    },

    async *stream(query) {
      const filter: Record<string, unknown> = { flowId: query.flowId };
      if (query.fromDay || query.toDay) filter.day = { ...(query.fromDay ? { $gte: query.fromDay } : {}), ...(query.toDay ? { $lte: query.toDay } : {}) };
      // No sort: on FerretDB it would hold the whole result in memory; rows come in storage order.
      const cursor = Response.find(filter).lean<AnalyticsResponseDoc[]>().cursor({ batchSize: 500 });
      for await (const doc of cursor) yield docToFacts(doc as unknown as AnalyticsResponseDoc);
    },

    async revisions(flowId) {
      const docs = await Response.find({ flowId }, { rev: 1 }).lean<Array<{ _id: string; rev: number }>>();
      return new Map(docs.map((d) => [d._id, d.rev]));
    },

    async insertMany(facts) {
      if (!facts.length) return;
      try {
        await Response.collection.insertMany(facts.map(toDoc) as never[], { ordered: false });
      } catch (error) {
        // Records stored meanwhile by live changes are newer than ours: keep theirs.
        const errors = (error as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
        const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
        if (!list.length || list.some((e) => e.code !== 11000)) throw error;
      }
    },
  };
}

/** Every session and escalation of a flow, streamed from their collections (rebuild). */
export function createAnalyticsSources(conn: Connection): AnalyticsSources {
  const Session = surveySessionModel(conn);
  const Escalation = escalationModel(conn);
  return {
    async *sessions(flowId) {
      const cursor = Session.find({ flowId }).lean().cursor({ batchSize: 200 });
      for await (const doc of cursor) yield toSession(doc as unknown as SurveySessionDoc & { _id: Types.ObjectId });
    },
    async *escalations(flowId) {
      const cursor = Escalation.find({ flowId }).lean().cursor({ batchSize: 200 });
      for await (const doc of cursor) yield toEscalation(doc as unknown as EscalationDoc & { _id: Types.ObjectId });
    },
  };
}

export async function ensureAnalyticsIndexes(conn: Connection): Promise<void> {
  await ensureIndexes(analyticsResponseModel(conn));
}

function factsToDoc(f: ResponseFacts, timeZone: string): AnalyticsResponseDoc {
  return {
    _id: f.sessionId,
    flowId: f.flowId,
    flowVersion: f.flowVersion,
    rev: f.revision,
    fp: factsFingerprint(f),
    day: localDateKey(f.createdAt, timeZone),
    status: f.status,
    outcome: f.outcome,
    customerId: f.customerId,
    ...(f.nickname ? { nickname: f.nickname } : {}),
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    ...(f.completedAt ? { completedAt: f.completedAt } : {}),
    dims: f.dims,
    ...(f.segment ? { segment: f.segment } : {}),
    ...(f.group ? { group: f.group } : {}),
    ...(f.npsStep ? { npsStep: f.npsStep } : {}),
    ...(f.npsScore !== undefined ? { npsScore: f.npsScore } : {}),
    ...(f.intent !== undefined ? { intent: f.intent } : {}),
    answers: f.answers.map((a) => ({ ...a })),
    asked: f.asked,
    ...(f.escalation ? { escalation: f.escalation } : {}),
    ...(f.contactedAt ? { contactedAt: f.contactedAt } : {}),
  };
}

function docToFacts(d: AnalyticsResponseDoc): ResponseFacts {
  return {
    sessionId: d._id,
    flowId: d.flowId,
    flowVersion: d.flowVersion,
    status: d.status as SessionStatus,
    outcome: d.outcome as ResponseFacts['outcome'],
    customerId: d.customerId,
    ...(d.nickname ? { nickname: d.nickname } : {}),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    ...(d.completedAt ? { completedAt: d.completedAt } : {}),
    revision: d.rev,
    dims: d.dims ?? {},
    answers: (d.answers ?? []).map((a) => ({ ...(a as unknown as AnswerFact), at: new Date((a as { at: Date | string }).at) })),
    asked: d.asked ?? [],
    ...(d.npsStep ? { npsStep: d.npsStep } : {}),
    ...(d.npsScore !== undefined && d.npsScore !== null ? { npsScore: d.npsScore } : {}),
    ...(d.group ? { group: d.group as ResponseFacts['group'] } : {}),
    ...(d.intent !== undefined && d.intent !== null ? { intent: d.intent } : {}),
    ...(d.segment ? { segment: d.segment as ResponseFacts['segment'] } : {}),
    ...(d.escalation ? { escalation: d.escalation } : {}),
    ...(d.contactedAt ? { contactedAt: d.contactedAt } : {}),
  };
}

/**
 * Analytics' part of a customer's data: the per-response record keeps its counts and readings,
 * and loses the customer's words, id and name, so reports count the same before and after.
 */
export function createAnalyticsPersonalData(conn: Connection): PersonalDataPart {
  const Response = analyticsResponseModel(conn);
  return {
    async collect() {
      return {};
    },
    async redactSession(session, counts) {
      const record = await Response.collection.findOne({ _id: session.sessionId } as never);
      if (!record) return {};
      await Response.collection.updateOne(
        { _id: session.sessionId } as never,
        { $set: { customerId: session.pseudonym, answers: ((record.answers as unknown[] | undefined) ?? []).map(withoutWords) }, $unset: { nickname: '' } },
      );
      addCount(counts, 'analyticsRecords', 1);
      return {};
    },
  };
}
