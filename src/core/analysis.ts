import { z } from 'zod';

/**
 * What the analyser (nlu/) says about one customer reply, and what the engine consumes.
 * Shared here so neither side imports the other.
 */

export const questionKindSchema = z.enum(['nps', 'csat', 'rating', 'repurchase', 'choice', 'timing', 'reason', 'text']);
export type QuestionKind = z.infer<typeof questionKindSchema>;

export const intentSchema = z.enum([
  'answer', // answers the question
  'escalate', // wants a person, complains, threatens
  'opt_out', // stop messaging me
  'later', // busy now
  'question', // asks something
  'back', // wants to change the previous answer ("上一题")
  'unclear',
]);
export type Intent = z.infer<typeof intentSchema>;

export const sentimentLabelSchema = z.enum(['positive', 'neutral', 'negative']);
export type SentimentLabel = z.infer<typeof sentimentLabelSchema>;

export const timingBucketSchema = z.enum([
  'within_1_month',
  '1_3_months',
  '3_6_months',
  '6_12_months',
  'over_12_months',
  'undecided',
  'never',
]);
export type TimingBucket = z.infer<typeof timingBucketSchema>;

/**
 * What would decide the customer's next purchase, as stable ids (reports translate them):
 * price or promotion, the effect or quality of the result, convenience or time, the advisor
 * (doctor, technician, service person), the range of products and services.
 */
export const purchaseFactorSchema = z.enum(['price', 'effect', 'convenience', 'advisor', 'range']);
export type PurchaseFactor = z.infer<typeof purchaseFactorSchema>;

export const analysisSourceSchema = z.enum(['rules', 'llm']);
export type AnalysisSource = z.infer<typeof analysisSourceSchema>;

export const analysisSchema = z.object({
  intent: intentSchema,
  /** Integer inside the question's range, or null when the text gives none. */
  score: z.number().int().nullable(),
  sentiment: z.object({ label: sentimentLabelSchema, confidence: z.number().min(0).max(1) }).nullable(),
  topics: z.array(z.string()),
  timing: z
    .object({
      bucket: timingBucketSchema,
      /** Estimated purchase window, ISO dates (YYYY-MM-DD) in the survey time zone. */
      from: z.string().nullable(),
      to: z.string().nullable(),
    })
    .nullable(),
  /** Ids of the question's catalogue items the reply names, in the order mentioned; never an id outside it. */
  products: z.array(z.string()),
  /**
   * Purchase factors the reply names, in the order mentioned. Optional so that analyses stored
   * before factors existed still parse; the analysers always fill it (absent reads as []).
   */
  factors: z.array(purchaseFactorSchema).optional(),
  /**
   * "都行" / "都想试试": interested in the range as a whole without naming an item (then
   * `products` is empty). Optional for the same reason as `factors`; absent reads as false.
   */
  openInterest: z.boolean().optional(),
  /** Option ids picked, for choice questions. */
  choices: z.array(z.string()).nullable(),
  /** Which analyser produced each field. */
  source: z.record(z.string(), analysisSourceSchema),
});
export type Analysis = z.infer<typeof analysisSchema>;

export interface ChoiceOption {
  id: string;
  label: string;
  /** Extra words that also select this option. */
  synonyms?: string[];
}

/** One product or service of a flow's catalogue, as the analyser is given it. */
export interface CatalogItem {
  id: string;
  name: string;
  /** Other words for it: short names, English names, common typos. */
  synonyms?: string[];
}

/** Everything the analyser needs to read one reply. */
export interface AnalysisRequest {
  question: QuestionKind;
  text: string;
  range?: { min: number; max: number };
  options?: ChoiceOption[];
  multiple?: boolean;
  /** The merchant's products and services; `products` holds ids from it (empty when absent). */
  catalog?: CatalogItem[];
  /** Wall-clock "now" for relative dates. */
  now: Date;
  /** IANA zone, e.g. Asia/Shanghai. */
  timeZone: string;
}

/** Where a reply is read, and what may leave with it. */
export interface AnalysisContext {
  sessionId?: string;
  /**
   * The flow's `privacy.llmFullText`: an LLM reads the reply as written. Otherwise it gets the
   * reply with personal numbers masked (the rules, which run in-process, always read it whole).
   */
  llmFullText?: boolean;
}

/** Reads one customer reply. Implementations: rules, LLM, and their composition. */
export interface Analyzer {
  analyze(request: AnalysisRequest, context?: AnalysisContext): Promise<Analysis>;
}
