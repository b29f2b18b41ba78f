import { Schema, type Connection, type Model } from 'mongoose';

/** Stored shape of an advisor who signs in to the console. */
export interface AdvisorDoc {
  /** The advisor id: tokens name it, so sign-in is one `_id` lookup (the only one FerretDB indexes). */
  _id: string;
  name: string;
  wecomUserId?: string;
  /** sha256 of the sign-in token, hex; the token itself is shown once and never stored. */
  tokenHash: string;
  lastSeenAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const advisorSchema = new Schema<AdvisorDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    wecomUserId: String,
    tokenHash: { type: String, required: true },
    lastSeenAt: Date,
  },
  { collection: 'advisors', timestamps: true, versionKey: false },
);
advisorSchema.index({ wecomUserId: 1 });

/** The Advisor model on `conn`. */
export function advisorModel(conn: Connection): Model<AdvisorDoc> {
  return (conn.models.Advisor as Model<AdvisorDoc> | undefined) ?? conn.model<AdvisorDoc>('Advisor', advisorSchema);
}
