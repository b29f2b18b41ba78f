import type { Analysis, CatalogItem, ChoiceOption, QuestionKind } from '../../core/analysis.ts';
import type { OutboundMessage } from '../../core/messages.ts';
import type { QuestionStepKind } from '../definition/flowSchema.ts';
import type { PersistedSnapshot, escalationTriggerSchema, recordedAnswerSchema } from './persistedSnapshot.ts';
import type { z } from 'zod';

/** What happened in the conversation, as the conversation layer reports it. */
export type EngineEvent =
  /** A reply to the awaited question; `analysis` is the NLU's reading of it. */
  /**
   * A reply to the awaited question; `analysis` is the NLU's reading of it. `passing` holds its
   * readings as answers to the other steps `awaiting.passing` lists (the flow's `fills`), by step id.
   */
  | { type: 'user.replied'; text: string; menuId?: string; analysis: Analysis; passing?: Record<string, Analysis> }
  /** The customer writes again after `later`: re-ask the current question. */
  | { type: 'user.returned' }
  /** The idle reminder job fired. */
  | { type: 'reminder.due' }
  | { type: 'session.expired' }
  /** The advisor hands the conversation back: resume the survey, or thank and finish. */
  | { type: 'agent.released'; resume: boolean }
  /** The customer asks to continue after opting out. */
  | { type: 'user.opted_in' };

export type SessionStatus = 'active' | 'paused' | 'escalated' | 'completed' | 'opted_out' | 'expired';

/** One answer as stored; `value` is null (and `missing` set) when the question was skipped as unreadable. */
export type RecordedAnswer = z.infer<typeof recordedAnswerSchema>;
export type AnswerValue = RecordedAnswer['value'];

export type EscalationTrigger = z.infer<typeof escalationTriggerSchema>;

/** Work the conversation layer does after persisting the turn, in order. */
export type EngineEffect =
  | {
      type: 'answer.recorded';
      stepId: string;
      kind: QuestionStepKind;
      value: AnswerValue;
      raw: string;
      missing?: true;
      /** Taken from a reply to another question (the flow's `fills`). */
      inPassing?: true;
      analysis?: Analysis;
    }
  /** The customer went back past this step, so its earlier answer no longer applies. */
  | { type: 'answer.withdrawn'; stepId: string }
  | { type: 'escalate'; trigger: EscalationTrigger; reason: string; stepId: string; advisors: string[] }
  | { type: 'opt_out' }
  /** The survey finished: at an end step, or after an advisor closed it (`endStepId` absent). */
  | { type: 'completed'; endStepId?: string }
  /** (Re)schedule the one idle reminder for the awaited question; replaces any earlier one. */
  | { type: 'schedule.reminder'; afterHours: number; stepId: string }
  /** (Re)schedule expiry after customer activity; replaces any earlier one. */
  | { type: 'schedule.expiry'; afterHours: number }
  /** A `once` question was put to the customer: remember it for their later sessions. */
  | { type: 'asked.once'; stepId: string };

/** What the NLU should be told about the next reply. */
export interface Awaiting {
  stepId: string;
  question: QuestionKind;
  range?: { min: number; max: number };
  options?: ChoiceOption[];
  multiple?: boolean;
  /** The flow's catalogue, on questions whose answers may name products; pass it on to the analyser. */
  catalog?: CatalogItem[];
  /**
   * Other steps the reply may answer in passing (the flow's `fills`, not answered yet): read the
   * reply as an answer to each and hand the readings back in `user.replied`'s `passing`.
   */
  passing?: PassingQuestion[];
  /** The catalogue for the `passing` questions that read it, when the awaited one does not carry it. */
  passingCatalog?: CatalogItem[];
}

/**
 * A step a reply may answer in passing, described for the analyser like the awaited one; the
 * catalogue is not copied per step: `readsCatalog` says to pass `catalog ?? passingCatalog`.
 */
export type PassingQuestion = Omit<Awaiting, 'passing' | 'passingCatalog' | 'catalog'> & { readsCatalog?: true };

/** Everything one turn produced. */
export interface TurnResult {
  snapshot: PersistedSnapshot;
  status: SessionStatus;
  /** To send now, in order; never more than 3. */
  messages: OutboundMessage[];
  effects: EngineEffect[];
  answers: Record<string, RecordedAnswer>;
  awaiting: Awaiting | null;
}
