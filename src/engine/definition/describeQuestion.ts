import type { CatalogItem, ChoiceOption, QuestionKind } from '../../core/analysis.ts';
import type { QuestionStep } from './flowSchema.ts';

/** What the NLU must be told to read a reply to one question (the `awaiting` of a turn). */
export interface QuestionShape {
  question: QuestionKind;
  range?: { min: number; max: number };
  options?: ChoiceOption[];
  multiple?: boolean;
  /** The flow's catalogue, on questions whose answers may name products (absent when it is empty). */
  catalog?: CatalogItem[];
}

/** Fixed scales of the built-in kinds; `rating` brings its own. */
const fixedRanges = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  repurchase: { min: 0, max: 5 },
} as const;

/**
 * Maps a question step to the NLU's question kind, range and options. Free-text questions
 * (reasons, timing, "what interests you") and the repurchase question also carry the flow's
 * catalogue, since customers name products there ("下个月想做热玛吉"); score and menu questions
 * do not, which keeps it out of their stored `awaiting` and their LLM prompts.
 */
export function describeQuestion(step: QuestionStep, catalog: readonly CatalogItem[] = []): QuestionShape {
  switch (step.kind) {
    case 'nps':
    case 'csat':
      return { question: step.kind, range: { ...fixedRanges[step.kind] } };
    case 'repurchase':
      return { question: step.kind, range: { ...fixedRanges[step.kind] }, ...withCatalog(catalog) };
    case 'rating':
      return { question: 'rating', range: { min: step.min, max: step.max } };
    case 'choice':
      return {
        question: 'choice',
        options: step.options.map((o) => ({ id: o.id, label: o.label, ...(o.synonyms ? { synonyms: o.synonyms } : {}) })),
        multiple: step.multiple,
      };
    case 'text':
      return { question: step.question, ...withCatalog(catalog) };
  }
}

/** A copy of the catalogue (the shape is stored with the session), or nothing when it is empty. */
export function withCatalog(catalog: readonly CatalogItem[]): { catalog?: CatalogItem[] } {
  if (catalog.length === 0) return {};
  return { catalog: catalog.map((c) => ({ id: c.id, name: c.name, ...(c.synonyms ? { synonyms: [...c.synonyms] } : {}) })) };
}
