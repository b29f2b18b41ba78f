import { Schema, type Connection, type Model } from 'mongoose';
import { ANSWER_WRITE_CONCERN } from './writeConcern.ts';

/** Stored shape of a survey session (see core/sessions.ts for meaning). */
export interface SurveySessionDoc {
  conversationKey: string;
  channel: string;
  accountId: string;
  customerId: string;
  flowId: string;
  flowVersion: number;
  status: string;
  answers: Record<string, unknown>;
  analysis: Record<string, unknown>;
  /** Only in sessions stored before transcripts moved to their own collection (read, never written). */
  transcript?: Array<{
    direction: string;
    author: string;
    text: string;
    at: Date;
    messageId?: string;
    menuId?: string;
    stepId?: string;
    delivery?: string;
    advisorId?: string;
  }>;
  /** JSON text: FerretDB rejects nested arrays and some keys that XState snapshots may hold. */
  snapshot: string;
  awaiting: string;
  /** PendingEffect[] as JSON text (same reason). */
  outbox: string;
  handledMessageIds: string[];
  askedSteps?: string[];
  /** Absent in sessions stored before transcripts had their own collection. */
  transcriptLength?: number;
  lastCustomerAt?: Date;
  lastBotText?: string;
  /** Follow-up task outcomes (see SessionFollowUp). */
  followUp?: { tasks?: Array<{ taskId: string; ruleId: string; outcome: string; closedAt: Date; closedBy: string }>; contactedAt?: Date };
  rev: number;
  campaign?: string;
  campaignId?: string;
  invitationId?: string;
  store?: string;
  orderId?: string;
  touchpoint?: string;
  products?: string[];
  visitAt?: Date;
  customerFields: Record<string, string>;
  escalation?: { trigger: string; reason: string; at: Date };
  llmUsage: { promptTokens: number; completionTokens: number; calls: number };
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
}

const transcriptEntrySchema = new Schema(
  {
    direction: { type: String, required: true },
    author: { type: String, required: true },
    text: { type: String, required: true },
    at: { type: Date, required: true },
    messageId: String,
    menuId: String,
    stepId: String,
    delivery: String,
    advisorId: String,
  },
  { _id: false },
);

const surveySessionSchema = new Schema<SurveySessionDoc>(
  {
    conversationKey: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    customerId: { type: String, required: true },
    flowId: { type: String, required: true },
    flowVersion: { type: Number, required: true },
    status: { type: String, required: true },
    answers: { type: Schema.Types.Mixed, default: {} },
    analysis: { type: Schema.Types.Mixed, default: {} },
    transcript: { type: [transcriptEntrySchema], default: undefined },
    snapshot: { type: String, required: true },
    awaiting: { type: String, default: 'null' },
    outbox: { type: String, default: '[]' },
    handledMessageIds: { type: [String], default: [] },
    askedSteps: { type: [String], default: [] },
    transcriptLength: { type: Number, default: 0 },
    lastCustomerAt: Date,
    lastBotText: String,
    followUp: { type: Schema.Types.Mixed, required: false },
    rev: { type: Number, required: true, default: 0 },
    campaign: String,
    // Invitation attributes (analytics filters): absent on sessions that did not come through one.
    campaignId: String,
    invitationId: String,
    store: String,
    orderId: String,
    touchpoint: String,
    products: { type: [String], default: undefined },
    visitAt: Date,
    customerFields: { type: Schema.Types.Mixed, default: {} },
    escalation: { type: new Schema({ trigger: String, reason: String, at: Date }, { _id: false }), required: false },
    llmUsage: {
      type: new Schema({ promptTokens: Number, completionTokens: Number, calls: Number }, { _id: false }),
      default: () => ({ promptTokens: 0, completionTokens: 0, calls: 0 }),
    },
    completedAt: Date,
  },
  { collection: 'surveysessions', timestamps: true, minimize: false, versionKey: false, writeConcern: ANSWER_WRITE_CONCERN },
);
surveySessionSchema.index({ conversationKey: 1, status: 1 });
surveySessionSchema.index({ createdAt: -1 });
surveySessionSchema.index({ flowId: 1, flowVersion: 1 });
surveySessionSchema.index({ customerId: 1, createdAt: -1 });

/** The SurveySession model on `conn` (one model per connection, so tests can isolate). */
export function surveySessionModel(conn: Connection): Model<SurveySessionDoc> {
  return (conn.models.SurveySession as Model<SurveySessionDoc> | undefined) ?? conn.model<SurveySessionDoc>('SurveySession', surveySessionSchema);
}
