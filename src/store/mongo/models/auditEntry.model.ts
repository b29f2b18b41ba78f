import { Schema, type Connection, type Model } from 'mongoose';

/** One admin change: who, what, when (append-only). */
export interface AuditEntryDoc {
  at: Date;
  actor: string;
  actorRole: string;
  action: string;
  flowId?: string;
  version?: number;
  note?: string;
  /** JSON text: details are free-form and FerretDB rejects some shapes (nested arrays). */
  details?: string;
}

const auditEntrySchema = new Schema<AuditEntryDoc>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    actorRole: { type: String, required: true },
    action: { type: String, required: true },
    flowId: String,
    version: Number,
    note: String,
    details: String,
  },
  { collection: 'auditlog', versionKey: false },
);
auditEntrySchema.index({ flowId: 1, at: -1 });
auditEntrySchema.index({ at: -1 });

export function auditEntryModel(conn: Connection): Model<AuditEntryDoc> {
  return (conn.models.AuditEntry as Model<AuditEntryDoc> | undefined) ?? conn.model<AuditEntryDoc>('AuditEntry', auditEntrySchema);
}
