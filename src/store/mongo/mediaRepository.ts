import { Schema, type Connection, type Model } from 'mongoose';
import type { MediaType } from '../../core/messages.ts';
import type { MediaStore } from '../../core/ports.ts';

interface MediaDoc {
  /** The saver's key (the inbound message id), so a replayed save keeps one file. */
  _id: string;
  conversationKey: string;
  type: MediaType;
  contentType: string;
  data: Buffer;
  size: number;
  at: Date;
}

const mediaSchema = new Schema<MediaDoc>(
  {
    _id: { type: String, required: true },
    conversationKey: { type: String, required: true },
    type: { type: String, required: true },
    contentType: { type: String, required: true },
    data: { type: Buffer, required: true },
    size: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'media', versionKey: false },
);

function mediaModel(conn: Connection): Model<MediaDoc> {
  return (conn.models.MediaFile as Model<MediaDoc> | undefined) ?? conn.model<MediaDoc>('MediaFile', mediaSchema);
}

/**
 * Customers' voice notes and pictures, one document each (WeCom caps them at 10 MB, under the
 * 16 MB document limit of MongoDB and FerretDB). Read by `_id` only.
 */
export function createMediaRepository(conn: Connection): MediaStore {
  const Media = mediaModel(conn);
  return {
    async save(input) {
      const _id = `m_${input.key}`.replace(/[^0-9A-Za-z_-]/g, '_').slice(0, 120);
      const doc = { conversationKey: input.conversationKey, type: input.type, contentType: input.file.contentType, data: input.file.data, size: input.file.data.length, at: input.at };
      // Upsert by the key: a replayed turn saves the same file again without a second copy.
      await Media.updateOne({ _id }, { $setOnInsert: doc }, { upsert: true });
      return { id: _id };
    },
    async find(id) {
      const doc = await Media.findById(id).lean<MediaDoc>();
      if (!doc) return null;
      const data = Buffer.isBuffer(doc.data) ? doc.data : Buffer.from((doc.data as unknown as { buffer: Uint8Array }).buffer);
      return { data, contentType: doc.contentType, conversationKey: doc.conversationKey, type: doc.type };
    },
  };
}
