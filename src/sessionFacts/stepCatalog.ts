import { describeQuestion, isQuestionStep, type Flow } from '../engine/index.ts';
import type { AnswerKind } from './types.ts';

/** One question step as reports show it, from the newest flow version that has it. */
export interface CatalogStep {
  stepId: string;
  kind: AnswerKind;
  /** csat: its touchpoint; other kinds: the question text, shortened. */
  label: string;
  range?: { min: number; max: number };
  options?: Array<{ id: string; label: string }>;
  /** text steps: reason, timing or text */
  question?: string;
}

/**
 * The question steps of a flow across its versions, newest version's order first, then steps
 * only older versions had (their sessions still count).
 */
export function stepCatalog(versionsNewestFirst: readonly Pick<Flow, 'steps'>[]): CatalogStep[] {
  const seen = new Map<string, CatalogStep>();
  for (const flow of versionsNewestFirst) {
    for (const step of flow.steps) {
      if (!isQuestionStep(step) || seen.has(step.id)) continue;
      const shape = describeQuestion(step);
      seen.set(step.id, {
        stepId: step.id,
        kind: step.kind,
        label: step.kind === 'csat' ? step.touchpoint : shorten(step.text),
        ...(shape.range ? { range: shape.range } : {}),
        ...(shape.options ? { options: shape.options.map((o) => ({ id: o.id, label: o.label })) } : {}),
        ...(step.kind === 'text' ? { question: step.question } : {}),
      });
    }
  }
  return [...seen.values()];
}

/** Question text without template fields, cut to 30 characters. */
function shorten(text: string): string {
  const plain = text.replace(/\{\{[^}]*\}\}/g, '…').replace(/\s+/g, ' ').trim();
  return plain.length > 30 ? `${plain.slice(0, 29)}…` : plain;
}

/** One catalogue item as reports name it. */
export interface ProductName {
  id: string;
  name: string;
}

/**
 * The catalogue items of a flow across its versions: the newest version's items in its order
 * (with its names), then items only older versions had (their sessions still count).
 */
export function productCatalog(versionsNewestFirst: readonly Pick<Flow, 'catalog'>[]): ProductName[] {
  const seen = new Map<string, ProductName>();
  for (const flow of versionsNewestFirst) for (const item of flow.catalog) if (!seen.has(item.id)) seen.set(item.id, { id: item.id, name: item.name });
  return [...seen.values()];
}
