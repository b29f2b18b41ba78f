import { Schema, type Connection, type Model } from 'mongoose';
import { ANSWER_WRITE_CONCERN } from './writeConcern.ts';

/**
 * One compact per-response record (analytics): a session's answers and readings, keyed by the
 * session id. Answers are stored as plain objects (Mixed): they are written whole and read whole.
 */
export interface AnalyticsResponseDoc {
  _id: string;
  flowId: string;
  flowVersion: number;
  /** The session revision these facts come from (its save time, ms). */
  rev: number;
  /** Fingerprint of the facts without their save time: a newer save that changed nothing is not written. */
  fp: string;
  /** Day the session started, YYYY-MM-DD in the survey time zone (export range). */
  day: string;
  status: string;
  outcome: string;
  customerId: string;
  nickname?: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
  dims: Record<string, string>;
  segment?: string;
  group?: string;
  npsStep?: string;
  npsScore?: number;
  intent?: number;
  answers: Array<Record<string, unknown>>;
  asked: string[];
  escalation?: { trigger: string; at: Date };
  /** First contact through a follow-up task. */
  contactedAt?: Date;
}

const schema = new Schema<AnalyticsResponseDoc>(
  {
    _id: { type: String, required: true },
    flowId: { type: String, required: true },
    flowVersion: { type: Number, required: true },
    rev: { type: Number, required: true },
    fp: { type: String, required: true },
    day: { type: String, required: true },
    status: { type: String, required: true },
    outcome: { type: String, required: true },
    customerId: { type: String, required: true },
    nickname: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    completedAt: Date,
    dims: { type: Schema.Types.Mixed, default: {} },
    segment: String,
    group: String,
    npsStep: String,
    npsScore: Number,
    intent: Number,
    answers: { type: Schema.Types.Mixed, default: [] },
    asked: { type: [String], default: [] },
    escalation: { type: new Schema({ trigger: String, at: Date }, { _id: false }), required: false },
    contactedAt: { type: Date, required: false },
  },
  { collection: 'analyticsresponses', timestamps: false, minimize: false, versionKey: false, writeConcern: ANSWER_WRITE_CONCERN },
);
// MongoDB uses it for the export; FerretDB scans either way (the export streams in the background).
schema.index({ flowId: 1, day: 1 });

export function analyticsResponseModel(conn: Connection): Model<AnalyticsResponseDoc> {
  return (conn.models.AnalyticsResponse as Model<AnalyticsResponseDoc> | undefined) ?? conn.model<AnalyticsResponseDoc>('AnalyticsResponse', schema);
}
