import { Schema, type Connection, type Model } from 'mongoose';

/** One immutable saved version of a flow definition. */
export interface FlowVersionDoc {
  flowId: string;
  version: number;
  source: string;
  sourceHash: string;
  author: string;
  note?: string;
  valid: boolean;
  createdAt: Date;
}

/** The flow's head: which version is published. */
export interface FlowDoc {
  flowId: string;
  title?: string;
  publishedVersion: number | null;
  publishedBy?: string;
  publishedAt?: Date;
  latestVersion: number;
  archived: boolean;
  updatedAt: Date;
}

const flowVersionSchema = new Schema<FlowVersionDoc>(
  {
    flowId: { type: String, required: true },
    version: { type: Number, required: true },
    source: { type: String, required: true },
    sourceHash: { type: String, required: true },
    author: { type: String, required: true },
    note: String,
    valid: { type: Boolean, required: true },
  },
  { collection: 'flowversions', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
flowVersionSchema.index({ flowId: 1, version: 1 }, { unique: true });
flowVersionSchema.index({ flowId: 1, sourceHash: 1 });

const flowSchema = new Schema<FlowDoc>(
  {
    flowId: { type: String, required: true, unique: true },
    title: String,
    publishedVersion: { type: Number, default: null },
    publishedBy: String,
    publishedAt: Date,
    latestVersion: { type: Number, required: true, default: 0 },
    archived: { type: Boolean, default: false },
  },
  { collection: 'flows', timestamps: { createdAt: true, updatedAt: true }, versionKey: false },
);

export function flowVersionModel(conn: Connection): Model<FlowVersionDoc> {
  return (conn.models.FlowVersion as Model<FlowVersionDoc> | undefined) ?? conn.model<FlowVersionDoc>('FlowVersion', flowVersionSchema);
}
export function flowModel(conn: Connection): Model<FlowDoc> {
  return (conn.models.Flow as Model<FlowDoc> | undefined) ?? conn.model<FlowDoc>('Flow', flowSchema);
}
