import { Schema, type Connection, type Model } from 'mongoose';

/** Stored shape of an escalation (see core/escalations.ts for meaning). */
export interface EscalationDoc {
  sessionId: string;
  /**
   * The session id while the escalation is open or assigned, absent once resolved: its unique
   * index is what keeps one active escalation per session (missing values never collide).
   */
  openKey?: string;
  conversationKey: string;
  channel: string;
  accountId: string;
  customerId: string;
  flowId: string;
  trigger: string;
  reason: string;
  customerWords?: string;
  summary: string[];
  summarySource?: string;
  nickname?: string;
  score?: number;
  status: string;
  handover: string;
  reasonStepId?: string;
  advisors: string[];
  wecomState?: number;
  servicerId?: string;
  eventCode?: { code: string; state: number; issuedAt: Date; used: boolean };
  assignedTo?: string;
  handedOverAt?: Date;
  assignedAt?: Date;
  firstReplyAt?: Date;
  firstReplyBy?: string;
  firstReplySeconds?: number;
  resolvedAt?: Date;
  resolvedBy?: string;
  handBack?: string;
  notifiedRounds: number;
  lastNotifiedAt?: Date;
  actions: Array<{ at: Date; by: string; action: string; detail?: string }>;
  createdAt: Date;
  updatedAt: Date;
}

const actionSchema = new Schema({ at: { type: Date, required: true }, by: { type: String, required: true }, action: { type: String, required: true }, detail: String }, { _id: false });

const escalationSchema = new Schema<EscalationDoc>(
  {
    sessionId: { type: String, required: true },
    openKey: { type: String, required: false },
    conversationKey: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    customerId: { type: String, required: true },
    flowId: { type: String, required: true },
    trigger: { type: String, required: true },
    reason: { type: String, required: true },
    customerWords: String,
    summary: { type: [String], default: [] },
    summarySource: String,
    nickname: String,
    score: Number,
    status: { type: String, required: true },
    handover: { type: String, required: true },
    reasonStepId: String,
    advisors: { type: [String], default: [] },
    wecomState: Number,
    servicerId: String,
    eventCode: { type: new Schema({ code: String, state: Number, issuedAt: Date, used: Boolean }, { _id: false }), required: false },
    assignedTo: String,
    handedOverAt: Date,
    assignedAt: Date,
    firstReplyAt: Date,
    firstReplyBy: String,
    firstReplySeconds: Number,
    resolvedAt: Date,
    resolvedBy: String,
    handBack: String,
    notifiedRounds: { type: Number, default: 0 },
    lastNotifiedAt: Date,
    actions: { type: [actionSchema], default: [] },
  },
  { collection: 'escalations', timestamps: true, minimize: false, versionKey: false },
);
// sparse: MongoDB then ignores documents without openKey, as FerretDB's SQLite index already does.
escalationSchema.index({ openKey: 1 }, { unique: true, sparse: true });
escalationSchema.index({ status: 1, createdAt: 1 });
escalationSchema.index({ sessionId: 1 });
escalationSchema.index({ conversationKey: 1, status: 1 });

/** The Escalation model on `conn`. */
export function escalationModel(conn: Connection): Model<EscalationDoc> {
  return (conn.models.Escalation as Model<EscalationDoc> | undefined) ?? conn.model<EscalationDoc>('Escalation', escalationSchema);
}
