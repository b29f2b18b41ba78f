import { Schema, type Connection, type Model } from 'mongoose';
import { ANSWER_WRITE_CONCERN } from './writeConcern.ts';

/**
 * Up to `TRANSCRIPT_CHUNK_SIZE` transcript entries of one session, keyed `<sessionId>:<chunk>`.
 * The transcript grows with every message, so it lives apart from the session document that
 * every turn rewrites; entries sit at their position (`entries.<seq>`), so writing one twice
 * keeps one.
 */
export interface TranscriptChunkDoc {
  _id: string;
  sessionId: string;
  chunk: number;
  entries: Record<string, Record<string, unknown>>;
}

export const TRANSCRIPT_CHUNK_SIZE = 16;

const transcriptChunkSchema = new Schema<TranscriptChunkDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    chunk: { type: Number, required: true },
    entries: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'transcripts', versionKey: false, minimize: false, writeConcern: ANSWER_WRITE_CONCERN },
);

/** The TranscriptChunk model on `conn`. */
export function transcriptChunkModel(conn: Connection): Model<TranscriptChunkDoc> {
  return (conn.models.TranscriptChunk as Model<TranscriptChunkDoc> | undefined) ?? conn.model<TranscriptChunkDoc>('TranscriptChunk', transcriptChunkSchema);
}
