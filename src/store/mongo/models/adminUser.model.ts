import { Schema, type Connection, type Model } from 'mongoose';

/** A holder of a per-user admin API token (only the token's sha256 is kept). */
export interface AdminUserDoc {
  name: string;
  role: string;
  tokenHash: string;
  createdBy: string;
  createdAt: Date;
  revokedAt?: Date | null;
}

const adminUserSchema = new Schema<AdminUserDoc>(
  {
    name: { type: String, required: true, unique: true },
    role: { type: String, required: true },
    tokenHash: { type: String, required: true, unique: true },
    createdBy: { type: String, required: true },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'adminusers', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export function adminUserModel(conn: Connection): Model<AdminUserDoc> {
  return (conn.models.AdminUser as Model<AdminUserDoc> | undefined) ?? conn.model<AdminUserDoc>('AdminUser', adminUserSchema);
}
