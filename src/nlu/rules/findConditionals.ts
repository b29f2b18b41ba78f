import { splitClauses, type Span } from './normalizeText.ts';

/**
 * Hypotheticals and conditionals (如果/要是/假如/万一 … 就; 要不是 … 肯定; 除非 …): the parts of a
 * reply that describe a world that is not the case. "如果便宜点就给满分" gives no score, and
 * "要是态度好点就好了" wishes rather than praises. Scale statements ("如果满分10分") are not
 * hypothetical verdicts and are left alone.
 */

const MARKER = /如果|要是|假如|假设|假使|倘若|万一|若是|要不是|除非|只要/g;
// The consequence is in the same clause when one of these follows the marker.
const CONSEQUENCE = /就|才|会|肯定|一定|否则|的话|那/;
const SCALE_ONLY = /^(?:满分|总分)(?:是|为)?\s*[\d零一二两三四五六七八九十]+\s*分?(?:制)?(?:的话)?/;

/** A stretch of the reply that is hypothetical, and whether it is a wish ("…就好了"). */
export interface Conditional {
  span: Span;
  /** Counterfactual: 要不是 X, Y — X happened, Y did not. */
  counterfactual: boolean;
}

/**
 * Finds the hypothetical stretches of a normalised reply.
 *
 * @example
 * findConditionals('现在7分，如果改进了就给满分') // [{ span: [5, 15], counterfactual: false }]
 */
export function findConditionals(text: string): Conditional[] {
  const clauses = splitClauses(text);
  const out: Conditional[] = [];
  for (const m of text.matchAll(MARKER)) {
    const start = m.index ?? 0;
    const after = text.slice(start + m[0].length);
    const statement = SCALE_ONLY.exec(after);
    if (statement) continue;
    const index = clauses.findIndex((c) => c.start <= start && start < c.start + c.text.length);
    if (index < 0) continue;
    const clause = clauses[index] as { text: string; start: number };
    const next = clauses[index + 1];
    const clauseEnd = clause.start + clause.text.length;
    const rest = text.slice(start + m[0].length, clauseEnd);
    if (m[0] === '要不是') {
      // The condition is a fact (要不是排队太久); what would have followed is not.
      if (next) out.push({ span: [next.start, next.start + next.text.length], counterfactual: true });
      continue;
    }
    // 除非 names the condition only; the "否则" clause after it is the real verdict.
    const end = m[0] !== '除非' && !CONSEQUENCE.test(rest) && next ? next.start + next.text.length : clauseEnd;
    out.push({ span: [start, end], counterfactual: false });
  }
  return out;
}

/** The text with the given spans blanked out (same length, so other spans stay valid). */
export function blankSpans(text: string, spans: readonly Span[]): string {
  let out = text;
  for (const [s, e] of spans) out = out.slice(0, s) + ' '.repeat(e - s) + out.slice(e);
  return out;
}
