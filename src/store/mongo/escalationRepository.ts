import { ensureIndexes } from './ensureIndexes.ts';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import {
  activeEscalationStatuses,
  type AdvisorRecord,
  type AdvisorRepository,
  type EscalationAction,
  type EscalationRecord,
  type EscalationRepository,
  type EscalationStatus,
  type HandBack,
  type HandOverState,
} from '../../core/escalations.ts';
import type { ServiceState } from '../../core/ports.ts';
import { addCount, REDACTED_TEXT, type PersonalDataPart, type SessionRedaction } from '../../core/privacy.ts';
import { advisorModel, type AdvisorDoc } from './models/advisor.model.ts';
import { escalationModel, type EscalationDoc } from './models/escalation.model.ts';

type StoredEscalation = EscalationDoc & { _id: Types.ObjectId };

/**
 * EscalationRepository on MongoDB. One active escalation per session comes from a unique
 * `openKey` (the session id, removed on resolve); every change is one single-document update
 * that also appends to `actions`, so the record is its own audit trail (no transactions needed).
 *
 * @example
 * const escalations = createEscalationRepository(conn);
 * const { record, created } = await escalations.openOnce(input, { at, by: 'system', action: 'opened' });
 */
export function createEscalationRepository(conn: Connection): EscalationRepository {
  const Escalation = escalationModel(conn);

  async function findOpenKey(sessionId: string): Promise<EscalationRecord | null> {
    const doc = await Escalation.findOne({ openKey: sessionId }).lean<StoredEscalation>();
    return doc ? toRecord(doc) : null;
  }

  return {
    async openOnce(input, action) {
      const existing = await findOpenKey(input.sessionId);
      if (existing) return { record: existing, created: false };
      try {
        const doc = await Escalation.create({
          sessionId: input.sessionId,
          openKey: input.sessionId,
          conversationKey: input.conversationKey,
          channel: input.conversation.channel,
          accountId: input.conversation.accountId,
          customerId: input.conversation.customerId,
          flowId: input.flowId,
          trigger: input.trigger,
          reason: input.reason,
          summary: [],
          status: 'open',
          handover: input.handover,
          reasonStepId: input.reasonStepId,
          advisors: input.advisors,
          nickname: input.nickname,
          score: input.score,
          notifiedRounds: 0,
          actions: [action],
        });
        return { record: toRecord(doc.toObject() as StoredEscalation), created: true };
      } catch (error) {
        // Another process opened it first: theirs is the one.
        if ((error as { code?: number }).code !== 11000) throw error;
        const raced = await findOpenKey(input.sessionId);
        if (!raced) throw error;
        return { record: raced, created: false };
      }
    },

    async findById(id) {
      if (!Types.ObjectId.isValid(id)) return null;
      const doc = await Escalation.findById(id).lean<StoredEscalation>();
      return doc ? toRecord(doc) : null;
    },

    findActiveBySession: findOpenKey,

    async findActiveByConversation(key) {
      const doc = await Escalation.findOne({ conversationKey: key, status: { $in: activeEscalationStatuses } })
        .sort({ createdAt: -1 })
        .lean<StoredEscalation>();
      return doc ? toRecord(doc) : null;
    },

    async listActive(limit) {
      const docs = await Escalation.find({ status: { $in: activeEscalationStatuses } })
        .sort({ createdAt: 1, _id: 1 })
        .limit(limit)
        .lean<StoredEscalation[]>();
      return docs.map(toRecord);
    },

    async listResolved(limit) {
      const docs = await Escalation.find({ status: 'resolved' }).sort({ resolvedAt: -1, _id: -1 }).limit(limit).lean<StoredEscalation[]>();
      return docs.map(toRecord);
    },

    async update(id, changes, action, onlyIf = {}) {
      if (!Types.ObjectId.isValid(id)) return null;
      const filter: Record<string, unknown> = { _id: id };
      if (onlyIf.status) filter.status = { $in: onlyIf.status };
      if (onlyIf.handover) filter.handover = { $in: onlyIf.handover };
      if (onlyIf.notifiedRoundsBelow !== undefined) filter.notifiedRounds = { $lt: onlyIf.notifiedRoundsBelow };
      const set: Record<string, unknown> = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const update: Record<string, unknown> = {};
      if (Object.keys(set).length) update.$set = set;
      // Resolving frees the session for a later escalation.
      if (changes.status === 'resolved') update.$unset = { openKey: 1 };
      if (action) update.$push = { actions: action };
      if (!Object.keys(update).length) return toNullableRecord(await Escalation.findOne(filter).lean<StoredEscalation>());
      const doc = await Escalation.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean<StoredEscalation>();
      return doc ? toRecord(doc) : null;
    },

    async markFirstReply(id, at, by) {
      if (!Types.ObjectId.isValid(id)) return false;
      const current = await Escalation.findById(id).lean<StoredEscalation>();
      if (!current || current.firstReplyAt) return false;
      const start = current.handedOverAt ?? current.createdAt;
      const seconds = Math.max(0, Math.round((at.getTime() - start.getTime()) / 1000));
      const action: EscalationAction = { at, by, action: 'first_reply', detail: `首次回复用时 ${formatSeconds(seconds)}` };
      const result = await Escalation.updateOne(
        { _id: id, firstReplyAt: { $exists: false } },
        { $set: { firstReplyAt: at, firstReplyBy: by, firstReplySeconds: seconds }, $push: { actions: action } },
      );
      return result.modifiedCount === 1;
    },

    async useEventCode(id, code) {
      if (!Types.ObjectId.isValid(id)) return false;
      const result = await Escalation.updateOne({ _id: id, 'eventCode.code': code, 'eventCode.used': false }, { $set: { 'eventCode.used': true } });
      return result.modifiedCount === 1;
    },
  };
}

/**
 * AdvisorRepository on MongoDB, keyed by the advisor id.
 *
 * @example
 * const advisors = createAdvisorRepository(conn);
 * await advisors.create({ id: 'wang', name: '王顾问' }, hashAdvisorToken(token));
 */
export function createAdvisorRepository(conn: Connection): AdvisorRepository {
  const Advisor = advisorModel(conn);
  return {
    async create(advisor, tokenHash) {
      try {
        const doc = await Advisor.create({ _id: advisor.id, name: advisor.name, wecomUserId: advisor.wecomUserId, tokenHash });
        return toAdvisor(doc.toObject() as AdvisorDoc);
      } catch (error) {
        if ((error as { code?: number }).code === 11000) return null;
        throw error;
      }
    },
    async list() {
      const docs = await Advisor.find({}).sort({ _id: 1 }).lean<AdvisorDoc[]>();
      return docs.map(toAdvisor);
    },
    async get(id) {
      const doc = await Advisor.findById(id).lean<AdvisorDoc>();
      return doc ? { ...toAdvisor(doc), tokenHash: doc.tokenHash } : null;
    },
    async findByWecomUserId(userId) {
      const doc = await Advisor.findOne({ wecomUserId: userId }).lean<AdvisorDoc>();
      return doc ? toAdvisor(doc) : null;
    },
    async setTokenHash(id, tokenHash) {
      const result = await Advisor.updateOne({ _id: id }, { $set: { tokenHash } });
      return result.matchedCount === 1;
    },
    async touch(id, at) {
      await Advisor.updateOne({ _id: id }, { $set: { lastSeenAt: at } });
    },
    async remove(id) {
      const result = await Advisor.deleteOne({ _id: id });
      return result.deletedCount === 1;
    },
  };
}

/** Creates the escalation and advisor indexes (plain and unique only, so FerretDB accepts them). */
export async function ensureEscalationIndexes(conn: Connection): Promise<void> {
  await ensureIndexes(escalationModel(conn));
  await ensureIndexes(advisorModel(conn));
}

function toNullableRecord(doc: StoredEscalation | null): EscalationRecord | null {
  return doc ? toRecord(doc) : null;
}

export function toRecord(doc: StoredEscalation): EscalationRecord {
  return {
    id: String(doc._id),
    sessionId: doc.sessionId,
    conversation: { channel: doc.channel, accountId: doc.accountId, customerId: doc.customerId },
    conversationKey: doc.conversationKey,
    flowId: doc.flowId,
    trigger: doc.trigger,
    reason: doc.reason,
    customerWords: doc.customerWords ?? undefined,
    summary: doc.summary ?? [],
    summarySource: (doc.summarySource as EscalationRecord['summarySource']) ?? undefined,
    nickname: doc.nickname ?? undefined,
    score: doc.score ?? undefined,
    status: doc.status as EscalationStatus,
    handover: doc.handover as HandOverState,
    reasonStepId: doc.reasonStepId ?? undefined,
    advisors: doc.advisors ?? [],
    wecomState: (doc.wecomState as ServiceState | undefined) ?? undefined,
    servicerId: doc.servicerId ?? undefined,
    eventCode: doc.eventCode
      ? { code: doc.eventCode.code, state: doc.eventCode.state as ServiceState, issuedAt: doc.eventCode.issuedAt, used: doc.eventCode.used }
      : undefined,
    assignedTo: doc.assignedTo ?? undefined,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    handedOverAt: doc.handedOverAt ?? undefined,
    assignedAt: doc.assignedAt ?? undefined,
    firstReplyAt: doc.firstReplyAt ?? undefined,
    firstReplyBy: doc.firstReplyBy ?? undefined,
    firstReplySeconds: doc.firstReplySeconds ?? undefined,
    resolvedAt: doc.resolvedAt ?? undefined,
    resolvedBy: doc.resolvedBy ?? undefined,
    handBack: (doc.handBack as HandBack | undefined) ?? undefined,
    notifiedRounds: doc.notifiedRounds ?? 0,
    lastNotifiedAt: doc.lastNotifiedAt ?? undefined,
    actions: (doc.actions ?? []).map((a) => ({ at: a.at, by: a.by, action: a.action, ...(a.detail ? { detail: a.detail } : {}) })),
  };
}

function toAdvisor(doc: AdvisorDoc): AdvisorRecord {
  return {
    id: doc._id,
    name: doc.name,
    wecomUserId: doc.wecomUserId ?? undefined,
    createdAt: doc.createdAt,
    lastSeenAt: doc.lastSeenAt ?? undefined,
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} 秒`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} 分 ${seconds % 60} 秒` : `${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分`;
}

/**
 * Escalation's part of a customer's data: the hand-overs of their sessions. Only a session that
 * was handed over has one; finding it scans escalations (a collection of hand-overs only). A
 * redacted escalation keeps its times and outcome and loses the customer's words, the summary,
 * the details of its trail and the customer's identity.
 */
export function createEscalationPersonalData(conn: Connection): PersonalDataPart {
  const Escalation = escalationModel(conn);
  const escalationsOf = async (session: Pick<SessionRedaction, 'sessionId' | 'handedOver'>): Promise<StoredEscalation[]> =>
    session.handedOver ? ((await Escalation.collection.find({ sessionId: session.sessionId }).toArray()) as StoredEscalation[]) : [];

  return {
    async collect(scope) {
      const escalations: Array<Record<string, unknown>> = [];
      for (const session of scope.sessions) for (const e of await escalationsOf(session)) escalations.push(toRecord(e) as unknown as Record<string, unknown>);
      return { escalations };
    },
    async redactSession(session, counts) {
      const found = await escalationsOf(session);
      for (const e of found) {
        await Escalation.collection.updateOne(
          { _id: e._id },
          {
            $set: { reason: REDACTED_TEXT, summary: [], customerId: session.pseudonym, conversationKey: session.conversationKey, actions: (e.actions ?? []).map(({ detail: _detail, ...a }) => a) },
            $unset: { customerWords: '', nickname: '', eventCode: '' },
          },
        );
        addCount(counts, 'escalations', 1);
      }
      return { escalationIds: found.map((e) => String(e._id)) };
    },
  };
}
