import type { Connection } from 'mongoose';
import { conversationKey } from '../../core/messages.ts';
import type { CustomerRecord, CustomerRepository } from '../../core/sessions.ts';
import { customerModel, type CustomerDoc } from './models/customer.model.ts';

/**
 * CustomerRepository on MongoDB: one document per conversation key, which is its `_id` (the
 * only filter FerretDB answers from an index).
 */
export function createCustomerRepository(conn: Connection): CustomerRepository {
  const Customer = customerModel(conn);
  return {
    async get(key) {
      const doc = await Customer.findById(key).lean<CustomerDoc>();
      return doc ? toCustomer(doc) : null;
    },
    async rememberAsked(ref, keys) {
      if (!keys.length) return;
      const key = conversationKey(ref);
      await Customer.updateOne(
        { _id: key },
        {
          $addToSet: { askedOnce: { $each: keys } },
          $setOnInsert: { conversationKey: key, channel: ref.channel, accountId: ref.accountId, customerId: ref.customerId, latestSessionId: '', optedOut: false },
        },
        { upsert: true },
      );
    },
    async upsert(ref, changes) {
      const key = conversationKey(ref);
      const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const update = {
        $set: set,
        $setOnInsert: {
          conversationKey: key,
          channel: ref.channel,
          accountId: ref.accountId,
          customerId: ref.customerId,
          // A customer stored before any session: the conversation's session pointer is "none".
          latestSessionId: '',
          ...('optedOut' in set ? {} : { optedOut: false }),
        },
      };
      try {
        const doc = await Customer.findOneAndUpdate({ _id: key }, update, { upsert: true, returnDocument: 'after' }).lean<CustomerDoc>();
        return toCustomer(doc!);
      } catch (error) {
        // Two first messages racing: the _id lets one insert win; retry as an update.
        if ((error as { code?: number }).code !== 11000) throw error;
        const doc = await Customer.findOneAndUpdate({ _id: key }, { $set: set }, { returnDocument: 'after' }).lean<CustomerDoc>();
        return toCustomer(doc!);
      }
    },
  };
}

function toCustomer(doc: CustomerDoc): CustomerRecord {
  return {
    conversationKey: doc.conversationKey,
    conversation: { channel: doc.channel, accountId: doc.accountId, customerId: doc.customerId },
    nickname: doc.nickname ?? undefined,
    optedOut: doc.optedOut ?? false,
    optedOutAt: doc.optedOutAt ?? undefined,
    lastInboundAt: doc.lastInboundAt ?? undefined,
    ...(doc.askedOnce?.length ? { askedOnce: doc.askedOnce } : {}),
  };
}
