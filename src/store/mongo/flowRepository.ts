import { ensureIndexes } from './ensureIndexes.ts';
import type { Connection } from 'mongoose';
import type { FlowRepository, FlowSummary, NewFlowVersion, StoredFlowVersion } from '../../core/flows.ts';
import { flowModel, flowVersionModel, type FlowDoc, type FlowVersionDoc } from './models/flowVersion.model.ts';

/**
 * FlowRepository on MongoDB. Version numbers come from the unique (flowId, version) index: a
 * save that collides with a concurrent one retries with the next number.
 */
export function createFlowRepository(conn: Connection): FlowRepository {
  const Version = flowVersionModel(conn);
  const Flow = flowModel(conn);
  /** Inserts exactly `version`; null when that number is taken (unique index). */
  async function insertVersion(input: NewFlowVersion, version: number): Promise<StoredFlowVersion | null> {
    let doc;
    try {
      doc = await Version.create({ ...input, version });
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return null;
      throw error;
    }
    await Flow.updateOne(
      { flowId: input.flowId },
      { $max: { latestVersion: version }, $set: input.title ? { title: input.title } : {}, $setOnInsert: { publishedVersion: null, archived: false } },
      { upsert: true },
    ).catch(async (error: { code?: number }) => {
      // A concurrent first save inserted the head; update it instead.
      if (error.code !== 11000) throw error;
      await Flow.updateOne({ flowId: input.flowId }, { $max: { latestVersion: version } });
    });
    return toVersion(doc.toObject());
  }
  const newest = (flowId: string) => Version.findOne({ flowId }).sort({ version: -1 }).lean<FlowVersionDoc>();

  return {
    async saveVersion(input) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const latest = await newest(input.flowId);
        const saved = await insertVersion(input, (latest?.version ?? 0) + 1);
        if (saved) return saved;
      }
      throw new Error(`could not allocate a version number for flow ${input.flowId}`);
    },
    async saveNextVersion(input, basedOn) {
      // The read catches a stale base; the unique index catches a save racing this one.
      const latest = await newest(input.flowId);
      if ((latest?.version ?? 0) !== basedOn) return null;
      return insertVersion(input, basedOn + 1);
    },
    async latestVersion(flowId) {
      const doc = await newest(flowId);
      return doc ? toVersion(doc) : null;
    },
    async getVersion(flowId, version) {
      const doc = await Version.findOne({ flowId, version }).lean<FlowVersionDoc>();
      return doc ? toVersion(doc) : null;
    },
    async findByHash(flowId, sourceHash) {
      const doc = await Version.findOne({ flowId, sourceHash }).sort({ version: -1 }).lean<FlowVersionDoc>();
      return doc ? toVersion(doc) : null;
    },
    async listVersions(flowId) {
      const docs = await Version.find({ flowId }).sort({ version: -1 }).lean<FlowVersionDoc[]>();
      return docs.map(toVersion);
    },
    async publish(flowId, version, by) {
      await Flow.updateOne({ flowId }, { $set: { publishedVersion: version, publishedBy: by, publishedAt: new Date() } });
    },
    async get(flowId) {
      const doc = await Flow.findOne({ flowId }).lean<FlowDoc>();
      return doc ? toSummary(doc) : null;
    },
    async list() {
      const docs = await Flow.find({}).sort({ flowId: 1 }).lean<FlowDoc[]>();
      return docs.map(toSummary);
    },
    async setArchived(flowId, archived) {
      await Flow.updateOne({ flowId }, { $set: { archived } });
    },
  };
}

/** Creates the flow collections' indexes. */
export async function ensureFlowIndexes(conn: Connection): Promise<void> {
  await ensureIndexes(flowVersionModel(conn));
  await ensureIndexes(flowModel(conn));
}

function toVersion(doc: FlowVersionDoc): StoredFlowVersion {
  return {
    flowId: doc.flowId,
    version: doc.version,
    source: doc.source,
    sourceHash: doc.sourceHash,
    author: doc.author,
    note: doc.note ?? undefined,
    valid: doc.valid,
    createdAt: doc.createdAt,
  };
}
function toSummary(doc: FlowDoc): FlowSummary {
  return {
    flowId: doc.flowId,
    title: doc.title ?? undefined,
    publishedVersion: doc.publishedVersion ?? null,
    latestVersion: doc.latestVersion,
    archived: doc.archived ?? false,
    publishedBy: doc.publishedBy ?? undefined,
    publishedAt: doc.publishedAt ?? undefined,
    updatedAt: doc.updatedAt,
  };
}
