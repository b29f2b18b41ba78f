/**
 * Batch analysis: reads JSON lines {id, question, text, range?, options?, multiple?, sessionId?} on
 * stdin and writes one JSON line per input on stdout, in input order:
 * {id, intent, score, sentiment, timing, topics, products, factors, openInterest, source}
 * (sentiment and timing as their label and bucket, null where a field does not apply; products are
 * catalogue ids). Logs go to stderr. Used to measure the analyser and to re-analyse stored answers
 * after a prompt change.
 *
 *   npm run -s nlu -- --now 2026-11-23T10:00:00+08:00 < replies.jsonl
 *   npm run -s nlu -- --flow flows/nps-default.yaml < replies.jsonl     (reads products from that flow's catalogue)
 *   options: --now ISO  --tz Asia/Shanghai  --mode auto|rules|llm|composed  --concurrency 4  --full  --flow FILE
 *
 * `eval` measures the analyser against labelled JSON lines instead (see evaluate.ts); "now" defaults
 * to 2026-11-23T10:00:00+08:00, the day the dev sets' timing labels were written against:
 *
 *   npm run -s nlu -- eval test/nlu/*.jsonl [--mode rules|composed|llm] [--json] [--misses] [--now ISO]
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { questionKindSchema, type Analysis, type Analyzer, type CatalogItem } from '../core/analysis.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { loadConfig } from '../config.ts';
// This command is an entry point (like main.ts): it may read a flow file through the engine's
// parser, so the catalogue is validated exactly as at import. The analyser never imports the engine.
import { formatProblem, loadFlowFile } from '../engine/index.ts';
import { evaluate, formatSummary, parseEvalLines, type EvalSummary } from '../nlu/evaluate.ts';
import { createAnalyzer, createRuleAnalyzer, type AnalyzerMode, type LlmUsage } from '../nlu/index.ts';

const inputSchema = z.object({
  id: z.union([z.string(), z.number()]),
  question: z.string(),
  text: z.string(),
  range: z.object({ min: z.number().int(), max: z.number().int() }).refine((r) => r.min < r.max, 'min must be below max').optional(),
  options: z.array(z.object({ id: z.string(), label: z.string(), synonyms: z.array(z.string()).optional() })).optional(),
  multiple: z.boolean().optional(),
  sessionId: z.string().optional(),
});

const MODES: readonly AnalyzerMode[] = ['auto', 'rules', 'llm', 'composed'];

function usage(message: string): never {
  console.error(`${message}\nusage: npm run -s nlu -- [--now ISO_TIME] [--tz ZONE] [--mode ${MODES.join('|')}] [--concurrency N] [--full] [--flow FILE] < input.jsonl`);
  process.exit(2);
}

function summarise(id: string | number, a: Analysis, full: boolean): Record<string, unknown> {
  const line: Record<string, unknown> = {
    id,
    intent: a.intent,
    score: a.score,
    sentiment: a.sentiment?.label ?? null,
    timing: a.timing?.bucket ?? null,
    topics: a.topics,
    products: a.products,
    factors: a.factors ?? [],
    openInterest: a.openInterest ?? false,
    source: a.source,
  };
  if (full) line.analysis = a;
  return line;
}

async function handleLine(
  line: string,
  deps: { analyzer: Analyzer; now: Date; timeZone: string; full: boolean; logger: Logger; catalog: CatalogItem[] },
): Promise<Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { id: null, error: 'line is not JSON' };
  }
  const parsed = inputSchema.safeParse(json);
  const rawId = (json as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
  if (!parsed.success) {
    return { id, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ') };
  }
  const input = parsed.data;
  // Kinds this build does not know are read as free text.
  const question = questionKindSchema.safeParse(input.question).data ?? 'text';
  try {
    const analysis = await deps.analyzer.analyze(
      {
        question,
        text: input.text,
        range: input.range,
        options: input.options,
        multiple: input.multiple,
        ...(deps.catalog.length > 0 ? { catalog: deps.catalog } : {}),
        now: deps.now,
        timeZone: deps.timeZone,
      },
      { sessionId: input.sessionId },
    );
    return summarise(input.id, analysis, deps.full);
  } catch (err) {
    deps.logger.error({ err, id: input.id }, 'analysis failed');
    return { id: input.id, error: err instanceof Error ? err.message : String(err) };
  }
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        now: { type: 'string' },
        tz: { type: 'string' },
        mode: { type: 'string', default: 'auto' },
        concurrency: { type: 'string', default: '4' },
        full: { type: 'boolean', default: false },
        flow: { type: 'string' },
      },
    }).values;
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  const now = args.now === undefined ? new Date() : new Date(args.now);
  if (Number.isNaN(now.getTime())) usage(`--now ${args.now} is not an ISO time`);
  const mode = args.mode as AnalyzerMode;
  if (!MODES.includes(mode)) usage(`--mode must be one of ${MODES.join(', ')}`);
  const concurrency = Number(args.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) usage('--concurrency must be a positive integer');

  const config = loadConfig();
  const timeZone = args.tz ?? config.surveyTimeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    usage(`--tz ${timeZone} is not an IANA time zone`);
  }
  // stdout carries only result lines, so logs go to stderr.
  const logger: Logger = pino(
    { name: 'huifang-nlu', level: config.logLevel, redact: { paths: ['*.apiKey', '*.authorization'], censor: '[redacted]' } },
    pino.destination(2),
  );
  const totals = { calls: 0, promptTokens: 0, completionTokens: 0 };
  const onUsage = (u: LlmUsage) => {
    totals.calls++;
    totals.promptTokens += u.promptTokens;
    totals.completionTokens += u.completionTokens;
  };
  const catalog = args.flow === undefined ? [] : await readCatalog(args.flow);
  const analyzer = createAnalyzer({ config, logger, onUsage, mode });
  const deps = { analyzer, now, timeZone, full: args.full ?? false, logger, catalog };

  // Up to `concurrency` lines are analysed at once; results are written in input order.
  const pending: Array<Promise<Record<string, unknown>>> = [];
  let written = 0;
  const writeNext = async () => {
    const result = await (pending[written] as Promise<Record<string, unknown>>);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    written++;
  };
  for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const line = raw.trim();
    if (line === '') continue;
    pending.push(handleLine(line, deps));
    if (pending.length - written >= concurrency) await writeNext();
  }
  while (written < pending.length) await writeNext();
  if (totals.calls > 0) logger.info(totals, 'LLM token usage');
}

/** The catalogue of a flow file; a flow with problems stops the command with them (exit 2). */
async function readCatalog(file: string): Promise<CatalogItem[]> {
  const result = await loadFlowFile(file);
  if (!result.ok) {
    for (const problem of result.problems) console.error(formatProblem(problem, file));
    usage(`--flow ${file} is not a valid flow`);
  }
  if (result.flow.catalog.length === 0) console.error(`note: ${file} has no catalog; products will be empty`);
  return result.flow.catalog;
}

/** The day the dev sets' timing labels were written against. */
const EVAL_NOW = '2026-11-23T10:00:00+08:00';

async function runEval(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mode: { type: 'string', default: 'rules' },
        json: { type: 'boolean', default: false },
        misses: { type: 'boolean', default: false },
        now: { type: 'string', default: EVAL_NOW },
        tz: { type: 'string' },
      },
    });
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  const { values: args, positionals: files } = parsed;
  if (files.length === 0) usage('eval needs at least one labelled JSONL file');
  const mode = args.mode as AnalyzerMode;
  if (!['rules', 'composed', 'llm'].includes(mode)) usage('eval --mode must be one of rules, composed, llm');
  const now = new Date(args.now ?? EVAL_NOW);
  if (Number.isNaN(now.getTime())) usage(`--now ${args.now} is not an ISO time`);
  const config = loadConfig();
  const logger: Logger = pino({ name: 'huifang-nlu', level: config.logLevel, redact: { paths: ['*.apiKey', '*.authorization'], censor: '[redacted]' } }, pino.destination(2));
  const lines = [];
  for (const file of files) lines.push(...parseEvalLines(await readFile(file, 'utf8'), file));
  const rules = createRuleAnalyzer();
  const analyzer = mode === 'rules' ? rules : createAnalyzer({ config, logger, mode });
  const summary: EvalSummary = await evaluate(lines, { rules, analyzer, now, timeZone: args.tz ?? config.surveyTimeZone });
  if (args.json) {
    const { misses, ...rest } = summary;
    process.stdout.write(`${JSON.stringify({ mode, files, ...rest, ...(args.misses ? { misses } : {}) })}\n`);
  } else {
    process.stdout.write(`mode ${mode}, ${files.join(' ')}\n${formatSummary(summary, { misses: args.misses ?? false })}\n`);
  }
}

(process.argv[2] === 'eval' ? runEval(process.argv.slice(3)) : main()).catch((err: unknown) => {
  console.error(err instanceof AppError ? err.message : err);
  process.exit(err instanceof AppError ? 2 : 1);
});
