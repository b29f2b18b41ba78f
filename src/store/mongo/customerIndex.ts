import type { Connection } from 'mongoose';

/** One WeCom customer's sessions and conversations (`_id` = external_userid). */
export interface CustomerIndexDoc {
  _id: string;
  sessionIds: string[];
  conversationKeys: string[];
}

/**
 * The per-customer index erasure and access requests read: sessions are keyed by ObjectId and the
 * customer documents by conversation (one per kf account), and FerretDB answers only `_id`
 * lookups from an index, so "every session of wm_x" would otherwise scan every session. Written
 * on each session create (one upsert by `_id`); the retention sweep adds sessions stored before
 * the index existed as it passes them.
 */
export function createCustomerIndex(conn: Connection) {
  const docs = () => conn.collection<CustomerIndexDoc>('customerindex');

  async function add(customerId: string, sessionId: string, conversationKey: string): Promise<void> {
    const update = { $addToSet: { sessionIds: sessionId, conversationKeys: conversationKey } };
    try {
      await docs().updateOne({ _id: customerId }, update, { upsert: true });
    } catch (error) {
      // Two first sessions of one customer racing: one insert wins, the other updates.
      if ((error as { code?: number }).code !== 11000) throw error;
      await docs().updateOne({ _id: customerId }, update);
    }
  }

  return {
    add,
    async get(customerId: string): Promise<CustomerIndexDoc | null> {
      return docs().findOne({ _id: customerId });
    },
    /** Forgets sessions that no longer carry the customer's identity (retention redacted them). */
    async removeSession(customerId: string, sessionId: string): Promise<void> {
      await docs().updateOne({ _id: customerId }, { $pull: { sessionIds: sessionId } });
    },
    async drop(customerId: string): Promise<void> {
      await docs().deleteOne({ _id: customerId });
    },
  };
}
