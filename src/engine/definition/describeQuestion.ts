import type { ChoiceOption, QuestionKind } from '../../core/analysis.ts';
import type { QuestionStep } from './flowSchema.ts';

/** What the NLU must be told to read a reply to one question (the `awaiting` of a turn). */
export interface QuestionShape {
  question: QuestionKind;
  range?: { min: number; max: number };
  options?: ChoiceOption[];
  multiple?: boolean;
}

/** Fixed scales of the built-in kinds; `rating` brings its own. */
const fixedRanges = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  repurchase: { min: 0, max: 5 },
} as const;

/** Maps a question step to the NLU's question kind, range and options. */
export function describeQuestion(step: QuestionStep): QuestionShape {
  switch (step.kind) {
    case 'nps':
    case 'csat':
    case 'repurchase':
      return { question: step.kind, range: { ...fixedRanges[step.kind] } };
    case 'rating':
      return { question: 'rating', range: { min: step.min, max: step.max } };
    case 'choice':
      return {
        question: 'choice',
        options: step.options.map((o) => ({ id: o.id, label: o.label, ...(o.synonyms ? { synonyms: o.synonyms } : {}) })),
        multiple: step.multiple,
      };
    case 'text':
      return { question: step.question };
  }
}
