import type { Connection } from 'mongoose';
import type { TranscriptEntry } from '../../core/sessions.ts';
import { TRANSCRIPT_CHUNK_SIZE, transcriptChunkModel, type TranscriptChunkDoc } from './models/transcriptChunk.model.ts';

/**
 * A session's transcript in chunk documents reached by `_id` only (`<sessionId>:<chunk>`), so
 * writing and reading cost the same with ten sessions stored or a million.
 */
export function createTranscriptChunks(conn: Connection) {
  const Chunk = transcriptChunkModel(conn);

  async function writeChunk(sessionId: string, chunk: number, entries: TranscriptEntry[]): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const entry of entries) set[`entries.${entry.seq}`] = stripUndefined(entry);
    const _id = `${sessionId}:${chunk}`;
    const update = { $set: set, $setOnInsert: { sessionId, chunk } };
    try {
      // An update, not findAndModify: nothing is read back (FerretDB would decode the whole chunk).
      await Chunk.updateOne({ _id }, update, { upsert: true });
    } catch (error) {
      // Two writers creating the same chunk: the unique _id lets one insert; the other updates.
      if ((error as { code?: number }).code !== 11000) throw error;
      await Chunk.updateOne({ _id }, { $set: set });
    }
  }

  return {
    /** Writes entries (each with its `seq`) into their chunks. */
    async write(sessionId: string, entries: TranscriptEntry[]): Promise<void> {
      const byChunk = new Map<number, TranscriptEntry[]>();
      for (const entry of entries) {
        if (entry.seq === undefined) throw new Error('transcript entries need a seq');
        const chunk = Math.floor(entry.seq / TRANSCRIPT_CHUNK_SIZE);
        byChunk.set(chunk, [...(byChunk.get(chunk) ?? []), entry]);
      }
      for (const [chunk, list] of byChunk) await writeChunk(sessionId, chunk, list);
    },

    /** Entries at positions `from` up to `length`, in order. */
    async read(sessionId: string, from: number, length: number): Promise<TranscriptEntry[]> {
      if (length <= from) return [];
      const first = Math.floor(from / TRANSCRIPT_CHUNK_SIZE);
      const last = Math.floor((length - 1) / TRANSCRIPT_CHUNK_SIZE);
      const ids = Array.from({ length: last - first + 1 }, (_, i) => `${sessionId}:${first + i}`);
      // One read per chunk by _id: FerretDB answers only exact _id filters from an index.
      const docs = await Promise.all(ids.map((_id) => Chunk.findById(_id).lean<TranscriptChunkDoc>()));
      return docs
        .flatMap((doc) => Object.entries(doc?.entries ?? {}))
        .map(([seq, entry]) => toEntry(Number(seq), entry))
        .filter((entry) => entry.seq! >= from && entry.seq! < length)
        .sort((a, b) => a.seq! - b.seq!);
    },
  };
}

function toEntry(seq: number, stored: Record<string, unknown>): TranscriptEntry {
  return { ...(stored as unknown as TranscriptEntry), seq, at: new Date(stored.at as string | Date) };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
