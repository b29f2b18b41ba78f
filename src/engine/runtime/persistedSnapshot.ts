import { z } from 'zod';
import { analysisSchema } from '../../core/analysis.ts';

/**
 * The JSON document stored per survey session: XState's persisted snapshot inside our envelope.
 * The envelope pins the flow version the snapshot belongs to, so a new flow version never
 * resumes an old session by accident; `snapshotVersion` versions this envelope itself.
 */

export const recordedAnswerSchema = z.object({
  kind: z.enum(['nps', 'csat', 'rating', 'repurchase', 'choice', 'text']),
  value: z.union([z.number(), z.string(), z.array(z.string()), z.null()]),
  raw: z.string(),
  missing: z.literal(true).optional(),
  at: z.string(),
  touchpoint: z.string().optional(),
  /** Taken from a reply to another question (the flow's `fills`), not asked. */
  inPassing: z.literal(true).optional(),
  extracted: analysisSchema
    .pick({ sentiment: true, topics: true, timing: true, products: true, factors: true, openInterest: true })
    .partial()
    .optional(),
});

export const escalationTriggerSchema = z.enum(['detractor', 'intent', 'unreadable', 'negative']);

/** The survey machine's context: everything a session remembers between turns. */
export const surveyContextSchema = z.object({
  customer: z.record(z.string(), z.string()),
  answers: z.record(z.string(), recordedAnswerSchema),
  /** Question steps asked so far on the current path, current last; `back` pops it. */
  trail: z.array(z.string()),
  /** Re-asks of the current question. */
  reasks: z.number().int().min(0),
  /** Whether the idle reminder for the current question went out. */
  reminded: z.boolean(),
  /** Automatic escalations already raised; each is raised once per session. */
  flagged: z.array(escalationTriggerSchema),
  startedAt: z.string(),
  /** The current question's answer came with a hand-over, opt-out or pause: resume past it. */
  kept: z.string().optional(),
  /** `once` questions this customer was asked in earlier sessions: skipped now. */
  askedBefore: z.array(z.string()).optional(),
  /** What was taken in passing and not yet confirmed: said ("记下了：…") before the next question. */
  noted: z.array(z.string()).optional(),
  /** Acknowledgements of reasons taken in passing ("让您等了这么久，真的很抱歉。"), said before the next question. */
  heard: z.array(z.string()).optional(),
  /** Probes of vague reasons so far (the flow allows `settings.maxProbes`). */
  probes: z.number().int().min(0).optional(),
  /** The vague reply to the current question that was probed; the next reply completes it. */
  vague: z.object({ stepId: z.string(), text: z.string() }).optional(),
});
export type SurveyContext = z.infer<typeof surveyContextSchema>;

export const persistedSnapshotSchema = z.object({
  flowId: z.string(),
  flowVersion: z.number().int(),
  snapshotVersion: z.literal(1),
  /** `machine.getPersistedSnapshot()`, JSON-normalised. */
  machine: z.looseObject({ status: z.string(), value: z.unknown(), context: surveyContextSchema }),
});
/** A stored session: JSON-safe, restorable with `runTurn` or `createActor(machine, { snapshot: machine })`. */
export type PersistedSnapshot = z.infer<typeof persistedSnapshotSchema>;
