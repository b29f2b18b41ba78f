import { z } from 'zod';
import { sentimentLabelSchema, timingBucketSchema } from '../../core/analysis.ts';

/**
 * The survey flow file format (YAML on disk), version 1. Shape only: cross-step rules (targets,
 * reachability, ranges of branch values, template fields) live in `validateFlow.ts`.
 */

/** Step ids end up in XState ids and in menu ids (`<stepId>:<value>`), hence no dots or colons. */
export const stepIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, 'must start with a letter and use only letters, digits, _ and - (max 40)');

const textSchema = z.string().trim().min(1, 'must not be empty');

export const npsGroupSchema = z.enum(['promoter', 'passive', 'detractor']);
export type NpsGroup = z.infer<typeof npsGroupSchema>;

/** One branch test on an earlier answer; several keys on one `when` must all hold. */
export const conditionSchema = z
  .strictObject({
    step: stepIdSchema,
    group: npsGroupSchema.optional(),
    gte: z.number().int().optional(),
    lte: z.number().int().optional(),
    in: z.array(z.union([z.string(), z.number().int()])).min(1).optional(),
  })
  .refine((w) => w.group !== undefined || w.gte !== undefined || w.lte !== undefined || w.in !== undefined, {
    message: 'needs one of group, gte, lte or in',
  });
export type Condition = z.infer<typeof conditionSchema>;

const routing = {
  /** Next step id; when absent (and no branch), the step listed after this one. */
  next: stepIdSchema.optional(),
  branch: z.array(z.strictObject({ when: conditionSchema, goto: stepIdSchema })).min(1).optional(),
  default: stepIdSchema.optional(),
};

/**
 * An acknowledgement that follows what the customer said: the first entry whose every condition
 * holds is said instead of `ack` (`{ gte: 4, text: 太好了！ }`, `{ lte: 3, text: 明白。 }`,
 * `{ sentiment: negative, text: 非常抱歉。 }`), so a hesitation or a complaint never hears "太好了！".
 */
export const toneAckSchema = z.strictObject({
  /** A score at or above / at or below this. */
  gte: z.number().int().optional(),
  lte: z.number().int().optional(),
  /** The reading of the reply (the analyser's sentiment). */
  sentiment: sentimentLabelSchema.optional(),
  text: textSchema,
});
export type ToneAck = z.infer<typeof toneAckSchema>;

const question = {
  id: stepIdSchema,
  text: textSchema,
  /** Hint sent when a reply cannot be read; each kind has a default. */
  reask: textSchema.optional(),
  /** Short acknowledgement sent with the next message after an answer. */
  ack: textSchema.optional(),
  /** Acknowledgements by what the answer says; the first that fits replaces `ack` (see `toneAckSchema`). */
  acks: z.array(toneAckSchema).max(10).optional(),
  /** Overrides settings.maxReasks for this question. */
  maxReasks: z.number().int().min(0).max(5).optional(),
  /**
   * Asked at most once per customer (e.g. a promoter asked for a referral or a review): a
   * customer who was asked it in an earlier session skips it and goes to its `next`/`default`.
   */
  once: z.boolean().optional(),
  /**
   * Asked even when an earlier message already answered it in passing (see the flow's `fills`);
   * by default such a question is skipped and its answer confirmed in the next question.
   */
  alwaysAsk: z.boolean().optional(),
  ...routing,
};

/**
 * Score steps only: what to say instead of `ack` when the score is at or below `lte` (an apology,
 * not "谢谢！" for a 1). A follow-up question is a branch on the same `lte`.
 */
const lowScoreAckSchema = z.strictObject({ lte: z.number().int(), text: textSchema });
const scoreQuestion = { ...question, lowScoreAck: lowScoreAckSchema.optional() };

/** Menu labels per score (`5: 非常满意`), overriding the defaults of csat and repurchase. */
const labelsSchema = z.record(z.string().regex(/^-?\d+$/, 'label keys must be whole numbers'), textSchema);

export const choiceOptionSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must use only letters, digits, _ and - (max 40)'),
  label: textSchema,
  synonyms: z.array(textSchema).optional(),
  /** Sent instead of the step's `ack` when this option is chosen (e.g. the review link for 写个评价: `{{links.review}}`). */
  ack: textSchema.optional(),
});

export const messageStepSchema = z.strictObject({ id: stepIdSchema, kind: z.literal('message'), text: textSchema, ...routing });
export const npsStepSchema = z.strictObject({ kind: z.literal('nps'), ...scoreQuestion });
export const csatStepSchema = z.strictObject({
  kind: z.literal('csat'),
  ...scoreQuestion,
  /** What is being rated (预约流程, 顾问沟通…); stored with the answer for reporting. */
  touchpoint: textSchema,
  labels: labelsSchema.optional(),
});
export const ratingStepSchema = z.strictObject({
  kind: z.literal('rating'),
  ...scoreQuestion,
  min: z.number().int(),
  max: z.number().int(),
  labels: labelsSchema.optional(),
});
export const repurchaseStepSchema = z.strictObject({ kind: z.literal('repurchase'), ...scoreQuestion, labels: labelsSchema.optional() });
export const choiceStepSchema = z.strictObject({
  kind: z.literal('choice'),
  ...question,
  // A WeCom menu holds at most 10 items.
  options: z.array(choiceOptionSchema).min(2).max(10),
  multiple: z.boolean().default(false),
});
/** `openInterest` is the "都行 / 都想试试" answer to a products question: keep it with `products`. */
export const extractFieldSchema = z.enum(['sentiment', 'topics', 'timing', 'products', 'openInterest', 'factors']);
export type ExtractField = z.infer<typeof extractFieldSchema>;
export const textStepSchema = z.strictObject({
  kind: z.literal('text'),
  ...question,
  /** How the NLU should read the reply. */
  question: z.enum(['text', 'reason', 'timing']).default('text'),
  /** Analysis fields kept with the answer. */
  extract: z.array(extractFieldSchema).default([]),
});
export const endStepSchema = z.strictObject({ id: stepIdSchema, kind: z.literal('end'), text: textSchema });

export const stepKinds = ['message', 'nps', 'csat', 'rating', 'repurchase', 'choice', 'text', 'end'] as const;

export const stepSchema = z.discriminatedUnion('kind', [
  messageStepSchema,
  npsStepSchema,
  csatStepSchema,
  ratingStepSchema,
  repurchaseStepSchema,
  choiceStepSchema,
  textStepSchema,
  endStepSchema,
]);
export type Step = z.infer<typeof stepSchema>;
export type StepKind = Step['kind'];
export type QuestionStep = Exclude<Step, { kind: 'message' | 'end' }>;
export type QuestionStepKind = QuestionStep['kind'];

/** Fixed lines the engine says outside the steps; every one can be overridden per flow. */
export const defaultTexts = {
  escalated: '好的，已为您转接同事，稍后会有专人联系您。',
  optedOut: '好的，以后不再打扰您。祝您生活愉快！',
  optedIn: '好的，欢迎回来～',
  later: '好的，您先忙，晚些时候再来请教您～',
  welcomeBack: '欢迎回来～我们继续：',
  reminder: '打扰一下，刚才的问题方便回复吗？',
  resumed: '我们继续刚才的回访～',
  releasedThanks: '感谢您的反馈，祝您生活愉快！',
  faqFallback: '这个问题我暂时回答不了，稍后可以请同事为您解答。',
  back: '好的，回到上一题：',
  noPrevious: '这已经是第一题啦。',
  skipped: '没关系，这题我们先跳过。',
} as const;

const textsSchema = z.strictObject({
  escalated: textSchema.default(defaultTexts.escalated),
  optedOut: textSchema.default(defaultTexts.optedOut),
  optedIn: textSchema.default(defaultTexts.optedIn),
  later: textSchema.default(defaultTexts.later),
  welcomeBack: textSchema.default(defaultTexts.welcomeBack),
  reminder: textSchema.default(defaultTexts.reminder),
  resumed: textSchema.default(defaultTexts.resumed),
  releasedThanks: textSchema.default(defaultTexts.releasedThanks),
  faqFallback: textSchema.default(defaultTexts.faqFallback),
  back: textSchema.default(defaultTexts.back),
  noPrevious: textSchema.default(defaultTexts.noPrevious),
  skipped: textSchema.default(defaultTexts.skipped),
});

/**
 * How analytics sorts each completed session into a segment (src/sessionFacts/segments.ts). Every
 * field has a default, so `segments: {}` (or leaving it out) means the defaults documented in the
 * README. A risk signal wins over a high score: at_risk is checked first, then loyal, potential.
 */
export const segmentsSchema = z.strictObject({
  /** The NPS question that decides the group; default: the first nps step. */
  npsStep: stepIdSchema.optional(),
  /** The repurchase-intent question (0–5); default: the first repurchase step. */
  intentStep: stepIdSchema.optional(),
  /** loyal: promoter with intent at or above this. */
  loyal: z.strictObject({ minIntent: z.number().int().min(0).max(5).default(4) }).prefault({}),
  /** at_risk: detractor, or intent at or below `maxIntent`, or a reason read as negative. */
  atRisk: z
    .strictObject({
      maxIntent: z.number().int().min(0).max(5).default(1),
      negativeReason: z.boolean().default(true),
      // 0.9 as in the escalation setting: rules read "what would make it a 10?" critiques at 0.8.
      minConfidence: z.number().min(0).max(1).default(0.9),
    })
    .prefault({}),
  /** potential: passive with intent at or above this. */
  potential: z.strictObject({ minIntent: z.number().int().min(0).max(5).default(3) }).prefault({}),
});
export type SegmentSettings = z.infer<typeof segmentsSchema>;

export const settingsSchema = z.strictObject({
  reminderAfterHours: z.number().positive().default(24),
  expireAfterHours: z.number().positive().default(72),
  maxReasks: z.number().int().min(0).max(5).default(2),
  /** Short probes of vague reasons ("一般" → "是哪方面一般呢？环境、服务还是效果？") per session. */
  maxProbes: z.number().int().min(0).max(3).default(0),
  /** Reason questions without a fitting ack acknowledge the reason by its topic ("让您等了这么久，真的很抱歉。"). */
  acknowledgeReasons: z.boolean().default(false),
  escalation: z
    .strictObject({
      /** Advisor user ids who receive escalations. */
      advisors: z.array(z.string().min(1)).default([]),
      /** Raise an escalation (and keep surveying) when the NPS answer is 0–6. */
      onDetractor: z.boolean().default(false),
      /** Raise one when an answer reads negative with at least this confidence. */
      onNegativeSentiment: z.strictObject({ minConfidence: z.number().min(0).max(1) }).optional(),
      /** Raise one when a question stays unreadable after all re-asks. */
      onUnreadable: z.boolean().default(false),
    })
    .prefault({}),
  texts: textsSchema.prefault({}),
  /** Segment thresholds for analytics; absent = the defaults of `segmentsSchema`. */
  segments: segmentsSchema.optional(),
  /** The merchant's review page (e.g. on Dianping or Meituan): sent to a promoter who offers to write a review. */
  reviewUrl: z.url({ protocol: /^https?$/ }).max(200).optional(),
});

export const faqEntrySchema = z.strictObject({
  keywords: z.array(textSchema).min(1),
  answer: textSchema,
});

/** A catalogue word: names are matched inside replies, so they stay short. */
const catalogTermSchema = textSchema.max(40, 'must be at most 40 characters');

/**
 * One product or service the merchant sells. Answers name items by `name` or a synonym (short
 * names, English names, typos customers make); the analyser reports the `id`.
 */
const catalogIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must use only letters, digits, _ and - (max 40)');

export const catalogItemSchema = z.strictObject({
  id: catalogIdSchema,
  name: catalogTermSchema,
  synonyms: z.array(catalogTermSchema).max(30).optional(),
});

/** Segments as analytics names them (src/sessionFacts/segments.ts decides which one a session is in). */
export const segmentNames = ['loyal', 'at_risk', 'potential', 'other'] as const;
/** When a follow-up rule is looked at: the survey completed, or was handed to a person. */
export const followUpEvents = ['completed', 'escalated'] as const;
/** Tag groups every session gets automatically (see `followUp.tags`). */
export const autoTagGroups = ['segment', 'npsGroup', 'touchpoint', 'topics'] as const;

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);
/** A WeCom corp tag name is at most 30 characters. */
const tagNameSchema = z.string().trim().min(1, 'must not be empty').max(30, 'must be at most 30 characters');

/**
 * What must hold for a follow-up rule to fire; every key given must hold (an empty `when`
 * always holds). Read from the session's answers as analytics reads them.
 */
export const followUpConditionSchema = z.strictObject({
  /** The session's segment (analytics' definition; at escalation time, from the answers so far). */
  segment: oneOrMany(z.enum(segmentNames)).optional(),
  npsGroup: oneOrMany(npsGroupSchema).optional(),
  /** A CSAT (or rating) answer at or below `lte`: of one step, of one touchpoint, or any. */
  csat: z.strictObject({ step: stepIdSchema.optional(), touchpoint: textSchema.optional(), lte: z.number().int() }).optional(),
  /** The customer expects to buy again within this many days (the analyser's timing). */
  repurchaseWithinDays: z.number().int().min(0).max(3650).optional(),
  /** A topic the customer mentioned (价格, 服务态度…), any of these. */
  topic: oneOrMany(textSchema).optional(),
  /** A reason the customer gave read with this sentiment. */
  sentiment: z.enum(['positive', 'neutral', 'negative']).optional(),
  /** The customer asked for a person ("转人工") in this session, or not. */
  askedForPerson: z.boolean().optional(),
  /**
   * The customer named one of these catalogue items in any answer (`any`: any item of the
   * catalogue). The ids must be in the flow's `catalog`.
   */
  product: z.union([z.literal('any'), oneOrMany(catalogIdSchema)]).optional(),
  /** The session's purchase window (the analyser's timing bucket) is one of these. */
  timing: oneOrMany(timingBucketSchema).optional(),
});
export type FollowUpCondition = z.infer<typeof followUpConditionSchema>;

export const followUpRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be lowercase letters, digits, _ and - (max 40)'),
  /** What the rule is for, shown with what it did. */
  description: textSchema.max(200).optional(),
  on: z.array(z.enum(followUpEvents)).min(1).default(['completed']),
  when: followUpConditionSchema.prefault({}),
  then: z
    .strictObject({
      /**
       * A follow-up task for an advisor (not a live hand-over), due this many hours later. The
       * reason may name what the customer wants and when: {{products}} (the catalogue items the
       * rule is about, by name), {{windowStart}} (the first day of the purchase window) and
       * {{window}} (its bucket, e.g. 1-3个月).
       */
      task: z
        .strictObject({
          reason: textSchema.max(200),
          dueHours: z.number().positive().max(720).default(24),
          /**
           * Due `leadDays` before the customer's purchase window starts, instead of `dueHours`
           * after the survey ("contact before the window about the product"). When the window has
           * no start, or it starts sooner than the lead time, `dueHours` applies.
           */
          beforeWindow: z.strictObject({ leadDays: z.number().int().min(0).max(90) }).optional(),
        })
        .optional(),
      /** Extra tags for the customer, besides the automatic ones. */
      tags: z.array(tagNameSchema).min(1).max(20).optional(),
    })
    .refine((a) => a.task !== undefined || a.tags !== undefined, { message: 'needs a task or tags' }),
});
export type FollowUpRule = z.infer<typeof followUpRuleSchema>;

/** What happens after a session: automatic tags and rules (see src/followup/). */
export const followUpSchema = z.strictObject({
  tags: z.array(z.enum(autoTagGroups)).default([...autoTagGroups]),
  rules: z.array(followUpRuleSchema).max(50).default([]),
});
export type FollowUpSettings = z.infer<typeof followUpSchema>;

/** What of customers' words may leave huifang for third parties (issue 15). */
export const privacySchema = z.strictObject({
  llmFullText: z
    .boolean()
    .default(false)
    .describe(
      'true: the LLM (reply analyser and advisor summaries) reads customers\' words as written. Default false: phone, ID-card and bank-card numbers and email addresses are masked (138****5678) before they are sent.',
    ),
});
export type PrivacySettings = z.infer<typeof privacySchema>;

/**
 * Which reading fills a step: `score` (a scale step: nps, csat, rating, repurchase), or for a text
 * step the reply's `timing` (a date), `products` (catalogue items), `factors` (what decides a
 * purchase) or `reason` (a reply that names a topic, "2分，等了一个小时"; taken only for the
 * question the flow asks next, so the reason goes to the branch the score chose).
 */
export const fillSourceSchema = z.enum(['score', 'timing', 'products', 'factors', 'reason']);
export type FillSource = z.infer<typeof fillSourceSchema>;

/**
 * One entry of the flow's `fills`: a reply to any question may also answer `step` ("9分，下个月还想
 * 来做水光" answers the NPS, timing and products questions at once). The reply is read as if it
 * answered `step`; the answer is recorded under it (marked `inPassing`) when that reading gives
 * `from`, and the step is then skipped unless it says `alwaysAsk`.
 */
export const fillSchema = z.strictObject({
  step: stepIdSchema,
  from: fillSourceSchema,
  /** Only when the reply names one of these topics (a CSAT touchpoint the customer talks about). */
  topics: z.array(textSchema).min(1).optional(),
});
export type Fill = z.infer<typeof fillSchema>;

/** A whole survey flow, `schemaVersion: 1`. */
export const flowSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lowercase letters, digits and - (the file is <id>.yaml)'),
  version: z.number().int().min(1),
  title: textSchema,
  locale: z.literal('zh-CN').default('zh-CN'),
  /** Values for bare template fields such as `{{brand}}`. */
  variables: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'variable names are letters, digits and _'), z.string()).default({}),
  settings: settingsSchema.prefault({}),
  faq: z.array(faqEntrySchema).default([]),
  /** Steps a reply to another question may answer in passing (see `fillSchema`). */
  fills: z.array(fillSchema).default([]),
  /**
   * The merchant's products and services. Free-text and repurchase questions carry it to the
   * analyser, which reports the items an answer names (ids, in the order mentioned).
   */
  catalog: z.array(catalogItemSchema).max(100).default([]),
  /** Follow-up after each completed or escalated session: tags and rules (tasks, extra tags). */
  followUp: followUpSchema.prefault({}),
  /** Personal numbers sent to the LLM: masked unless `llmFullText`. */
  privacy: privacySchema.prefault({}),
  steps: z.array(stepSchema).min(1),
});

/** A parsed flow, defaults filled in. */
export type Flow = z.infer<typeof flowSchema>;
/** A flow as written in a file, before defaults. */
export type FlowInput = z.input<typeof flowSchema>;
export type FlowSettings = Flow['settings'];
export type FlowTexts = FlowSettings['texts'];

/** True for steps that ask the customer something. */
export function isQuestionStep(step: Step): step is QuestionStep {
  return step.kind !== 'message' && step.kind !== 'end';
}
