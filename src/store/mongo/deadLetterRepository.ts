import { Schema, Types, type Connection, type Model } from 'mongoose';
import type { DeadLetter, DeadLetterStore } from '../../core/ports.ts';

interface DeadLetterDoc {
  _id: Types.ObjectId;
  conversationKey: string;
  item: string;
  error: { code: string; message: string };
  attempts: number;
  at: Date;
  status: DeadLetter['status'];
}

const deadLetterSchema = new Schema<DeadLetterDoc>(
  {
    conversationKey: { type: String, required: true },
    item: { type: String, required: true },
    error: { type: new Schema({ code: String, message: String }, { _id: false }), required: true },
    attempts: { type: Number, required: true },
    at: { type: Date, required: true },
    status: { type: String, required: true, default: 'open' },
  },
  { collection: 'deadletters', versionKey: false },
);

function deadLetterModel(conn: Connection): Model<DeadLetterDoc> {
  return (conn.models.DeadLetter as Model<DeadLetterDoc> | undefined) ?? conn.model<DeadLetterDoc>('DeadLetter', deadLetterSchema);
}

/**
 * Inbound items the conversation could not handle, for admins. A small collection (each entry is
 * a defect to look at), so listing it by status may scan.
 */
export function createDeadLetterRepository(conn: Connection): DeadLetterStore {
  const Letter = deadLetterModel(conn);
  return {
    async add(letter) {
      const doc = await Letter.create({ ...letter, status: 'open' });
      return toLetter(doc.toObject() as DeadLetterDoc);
    },
    async list({ status, limit }) {
      const docs = await Letter.find(status ? { status } : {})
        .sort({ at: -1 })
        .limit(limit)
        .lean<DeadLetterDoc[]>();
      return docs.map(toLetter);
    },
    async findById(id) {
      if (!Types.ObjectId.isValid(id)) return null;
      const doc = await Letter.findById(id).lean<DeadLetterDoc>();
      return doc ? toLetter(doc) : null;
    },
    async setStatus(id, status) {
      if (!Types.ObjectId.isValid(id)) return null;
      const doc = await Letter.findOneAndUpdate({ _id: id }, { $set: { status } }, { returnDocument: 'after' }).lean<DeadLetterDoc>();
      return doc ? toLetter(doc) : null;
    },
  };
}

function toLetter(doc: DeadLetterDoc): DeadLetter {
  return {
    id: String(doc._id),
    conversationKey: doc.conversationKey,
    item: doc.item,
    error: { code: doc.error.code, message: doc.error.message },
    attempts: doc.attempts,
    at: doc.at,
    status: doc.status,
  };
}
