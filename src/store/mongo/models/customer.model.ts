import { Schema, type Connection, type Model } from 'mongoose';
import { ANSWER_WRITE_CONCERN } from './writeConcern.ts';

/** Stored shape of a customer (per channel account): opt-out and profile. */
export interface CustomerDoc {
  /** The conversation key: FerretDB pushes down only `_id` lookups, so keying by it avoids scans. */
  _id: string;
  conversationKey: string;
  channel: string;
  accountId: string;
  customerId: string;
  nickname?: string;
  optedOut: boolean;
  optedOutAt?: Date;
  lastInboundAt?: Date;
  /** `once` questions asked, as `<flowId>:<stepId>`. */
  askedOnce?: string[];
  /** The conversation's newest session: how a turn finds it by _id instead of a query. */
  latestSessionId?: string;
  createdAt: Date;
  updatedAt: Date;
}

const customerSchema = new Schema<CustomerDoc>(
  {
    _id: { type: String, required: true },
    conversationKey: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    customerId: { type: String, required: true },
    nickname: String,
    optedOut: { type: Boolean, default: false },
    optedOutAt: Date,
    lastInboundAt: Date,
    askedOnce: { type: [String], default: undefined },
    latestSessionId: String,
  },
  { collection: 'customers', timestamps: true, versionKey: false, writeConcern: ANSWER_WRITE_CONCERN },
);

/** The Customer model on `conn`. */
export function customerModel(conn: Connection): Model<CustomerDoc> {
  return (conn.models.Customer as Model<CustomerDoc> | undefined) ?? conn.model<CustomerDoc>('Customer', customerSchema);
}
