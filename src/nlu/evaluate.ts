import { z } from 'zod';
import { questionKindSchema, type Analysis, type AnalysisRequest, type Analyzer, type CatalogItem } from '../core/analysis.ts';
import { ValidationError } from '../core/errors.ts';
import { fieldsToRead } from './fieldsToRead.ts';
import type { AnalysisField, RuleAnalyzer } from './ruleAnalyzer.ts';

/**
 * Measures an analyser against labelled replies: accuracy per field and per phenomenon tag, the
 * precision of what the rules call settled, how many replies would go to the LLM, and how well
 * sentiment polarity is read (recall per label, precision of the polar labels given).
 */

/** The fields a gold line may label; a value is right when it is one of the gold list. */
export const EVAL_FIELDS = ['score', 'intent', 'sentiment', 'timing', 'products'] as const;
export type EvalField = (typeof EVAL_FIELDS)[number];

const goldValue = z.union([z.string(), z.number(), z.null()]);
export const evalLineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  question: questionKindSchema,
  text: z.string(),
  tags: z.array(z.string()).default([]),
  range: z.object({ min: z.number().int(), max: z.number().int() }).optional(),
  gold: z.object({
    score: z.array(goldValue).min(1).optional(),
    intent: z.array(goldValue).min(1).optional(),
    sentiment: z.array(goldValue).min(1).optional(),
    timing: z.array(goldValue).min(1).optional(),
    /** Catalogue ids named, in any order; right when the sets are equal. */
    products: z.array(z.string()).optional(),
  }),
});
export type EvalLine = z.infer<typeof evalLineSchema>;

interface Tally {
  right: number;
  total: number;
}

export interface EvalMiss {
  id: string | number;
  text: string;
  field: EvalField;
  got: unknown;
  want: unknown;
  settled: boolean;
}

export interface EvalSummary {
  lines: number;
  /** Share of lines with every labelled field right. */
  fullyRight: Tally;
  fields: Partial<Record<EvalField, Tally>>;
  tags: Record<string, { lines: number; fullyRight: number; fields: Partial<Record<EvalField, Tally>> }>;
  /** Labelled fields the rules settled, and how many of them the rules had right. */
  settled: Tally;
  /** Replies where some field that matters is unsettled: they would go to the LLM. */
  toLlm: Tally;
  /** Gold sentiment label → how often it was read right. */
  sentimentRecall: Record<string, Tally>;
  /** Of the lines read as positive or negative (with a gold sentiment), how many had that polarity. */
  polarPrecision: Tally;
  misses: EvalMiss[];
}

/** The value of one evaluated field in an analysis, as gold lines spell it. */
function valueOf(analysis: Analysis, field: EvalField): unknown {
  switch (field) {
    case 'score':
      return analysis.score;
    case 'intent':
      return analysis.intent;
    case 'sentiment':
      return analysis.sentiment?.label ?? null;
    case 'timing':
      return analysis.timing?.bucket ?? null;
    case 'products':
      return [...analysis.products].sort();
  }
}

function isRight(field: EvalField, got: unknown, want: unknown[]): boolean {
  if (field === 'products') return JSON.stringify(got) === JSON.stringify([...(want as string[])].sort());
  return want.includes(got as never);
}

function bump(t: Tally, right: boolean): void {
  t.total++;
  if (right) t.right++;
}

/** Parses JSON lines into eval lines; a bad line throws a ValidationError naming file and line. */
export function parseEvalLines(source: string, file: string): EvalLine[] {
  const out: EvalLine[] = [];
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new ValidationError('EVAL_LINE_INVALID', `${file}:${i + 1}: not JSON`);
    }
    const parsed = evalLineSchema.safeParse(json);
    if (!parsed.success) throw new ValidationError('EVAL_LINE_INVALID', `${file}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    out.push(parsed.data);
  });
  return out;
}

/**
 * Runs every line through `analyzer` (and through the rules, for settledness and the LLM share)
 * and tallies the results.
 *
 * @example
 * const summary = await evaluate(lines, { rules, analyzer: rules, now, timeZone: 'Asia/Shanghai' });
 * summary.fields.score // { right: 57, total: 60 }
 */
export async function evaluate(
  lines: readonly EvalLine[],
  deps: { rules: RuleAnalyzer; analyzer: Analyzer; now: Date; timeZone: string; catalog?: CatalogItem[] },
): Promise<EvalSummary> {
  const summary: EvalSummary = {
    lines: 0,
    fullyRight: { right: 0, total: 0 },
    fields: {},
    tags: {},
    settled: { right: 0, total: 0 },
    toLlm: { right: 0, total: 0 },
    sentimentRecall: {},
    polarPrecision: { right: 0, total: 0 },
    misses: [],
  };
  for (const line of lines) {
    const request: AnalysisRequest = {
      question: line.question,
      text: line.text,
      range: line.range,
      now: deps.now,
      timeZone: deps.timeZone,
      ...(deps.catalog && deps.catalog.length > 0 ? { catalog: deps.catalog } : {}),
    };
    const reading = deps.rules.read(request);
    const analysis = deps.analyzer === deps.rules ? reading.analysis : await deps.analyzer.analyze(request, { sessionId: `eval-${line.id}` });
    summary.lines++;
    bump(summary.toLlm, !reading.injection && !fieldsToRead(request, reading).every((f) => reading.settled.has(f)));
    let allRight = true;
    const lineFields: Array<[EvalField, boolean]> = [];
    for (const field of EVAL_FIELDS) {
      const want = line.gold[field];
      if (want === undefined) continue;
      const got = valueOf(analysis, field);
      const right = isRight(field, got, want);
      const settled = reading.settled.has(field as AnalysisField);
      if (settled) bump(summary.settled, isRight(field, valueOf(reading.analysis, field), want));
      bump((summary.fields[field] ??= { right: 0, total: 0 }), right);
      lineFields.push([field, right]);
      if (!right) {
        allRight = false;
        summary.misses.push({ id: line.id, text: line.text, field, got, want, settled });
      }
    }
    bump(summary.fullyRight, allRight);
    for (const tag of line.tags) {
      const t = (summary.tags[tag] ??= { lines: 0, fullyRight: 0, fields: {} });
      t.lines++;
      if (allRight) t.fullyRight++;
      for (const [field, right] of lineFields) bump((t.fields[field] ??= { right: 0, total: 0 }), right);
    }
    const wantSentiment = line.gold.sentiment;
    if (wantSentiment) {
      const got = valueOf(analysis, 'sentiment');
      if (wantSentiment.length === 1) bump((summary.sentimentRecall[String(wantSentiment[0])] ??= { right: 0, total: 0 }), got === wantSentiment[0]);
      if (got === 'positive' || got === 'negative') bump(summary.polarPrecision, wantSentiment.includes(got));
    }
  }
  return summary;
}

function ratio(t: Tally | undefined): string {
  if (!t || t.total === 0) return '   -';
  return `${(t.right / t.total).toFixed(3)} (${t.right}/${t.total})`;
}

/** A plain-text report of a summary, misses last (settled misses marked with !). */
export function formatSummary(summary: EvalSummary, options: { misses: boolean }): string {
  const out: string[] = [];
  out.push(`lines ${summary.lines}, fully right ${ratio(summary.fullyRight)}`);
  for (const field of EVAL_FIELDS) if (summary.fields[field]) out.push(`  ${field.padEnd(10)} ${ratio(summary.fields[field])}`);
  out.push(`settled precision ${ratio(summary.settled)}`);
  out.push(`to the LLM ${ratio(summary.toLlm)}`);
  const recall = Object.entries(summary.sentimentRecall);
  if (recall.length > 0) {
    out.push(`sentiment read right by gold label: ${recall.map(([label, t]) => `${label} ${ratio(t)}`).join(', ')}`);
    out.push(`polar labels right ${ratio(summary.polarPrecision)}`);
  }
  out.push('by tag (lines, fully right, per field):');
  for (const [tag, t] of Object.entries(summary.tags).sort(([a], [b]) => a.localeCompare(b))) {
    const fields = EVAL_FIELDS.filter((f) => t.fields[f]).map((f) => `${f} ${ratio(t.fields[f])}`);
    out.push(`  ${tag.padEnd(14)} ${String(t.lines).padStart(4)}  ${(t.fullyRight / t.lines).toFixed(3)}  ${fields.join('  ')}`);
  }
  if (options.misses) {
    out.push('misses:');
    for (const m of summary.misses) {
      out.push(`  ${m.settled ? '!' : ' '} ${m.id} ${m.field}: "${m.text}" -> ${JSON.stringify(m.got)} (want ${JSON.stringify(m.want)})`);
    }
  }
  return out.join('\n');
}
