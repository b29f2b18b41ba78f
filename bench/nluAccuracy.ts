// Answer understanding with an LLM (a benchmark, not a test): the composed analyser over labelled
// JSONL replies, with a PERFECT OpenAI-compatible stub over real HTTP that answers each reply with
// its gold labels and evidence spans. Reports the share of replies fully right, the share sent to
// the LLM, and two attacks: reworded injections against an OBEYING stub (composed and llm modes),
// and out-of-window timings from a stub that gets dates wrong. Prints numbers (JSON with --json).
//   npm run -s bench -- nlu [FILE.jsonl …] [--today YYYY-MM-DD] [--misses N] [--json]
// Without files it reads every test/nlu/*.jsonl. A line: {id, question, text, tags?, gold:
// {score?, intent?, sentiment?, timing?} (each a list of accepted values, null allowed),
// evidence?: {score?: [span…], timing?: [span…]}}; without evidence the whole reply is the span.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { questionKindSchema, type Analysis, type AnalysisRequest } from '../src/core/analysis.ts';
import { createAnalyzer, type ConfiguredAnalyzer } from '../src/nlu/index.ts';
import { bucketForRange } from '../src/nlu/rules/parseTimingReply.ts';
import { formatIsoDate, parseIsoDate, todayIn } from '../src/core/calendar.ts';
import { INJECTIONS } from '../test/support/injections.ts';
import { llmAnswer, obeyingModel, readStubRequest } from '../test/support/llmReplies.ts';
import { startOpenAiStub, type StubBehaviour, type StubRequest } from '../test/support/openaiStub.ts';

const args = process.argv.slice(3);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const asJson = args.includes('--json');
const showMisses = Number(option('misses') ?? 15);
const NOW = new Date(`${option('today') ?? '2026-11-23'}T10:00:00+08:00`);
const TIME_ZONE = 'Asia/Shanghai';
const say = (line: string) => {
  if (!asJson) console.log(line);
};

const GOLD_FIELDS = ['score', 'intent', 'sentiment', 'timing'] as const;
type GoldField = (typeof GOLD_FIELDS)[number];
const lineSchema = z.object({
  id: z.string(),
  question: questionKindSchema,
  text: z.string(),
  tags: z.array(z.string()).optional(),
  gold: z.object({
    score: z.array(z.number().int().nullable()).optional(),
    intent: z.array(z.string()).optional(),
    sentiment: z.array(z.string().nullable()).optional(),
    timing: z.array(z.string().nullable()).optional(),
  }),
  evidence: z.object({ score: z.array(z.string()).optional(), timing: z.array(z.string()).optional() }).optional(),
});
type Line = z.infer<typeof lineSchema> & { file: string };

async function loadLines(): Promise<Line[]> {
  const named = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.match(/^--(today|misses)$/));
  const files = named.length > 0 ? named : (await readdir('test/nlu')).filter((f) => f.endsWith('.jsonl')).map((f) => join('test/nlu', f));
  const lines: Line[] = [];
  for (const file of files) {
    const rows = (await readFile(file, 'utf8')).split('\n');
    rows.forEach((row, n) => {
      if (row.trim() === '') return;
      const parsed = lineSchema.safeParse(JSON.parse(row));
      if (!parsed.success) throw new Error(`${file}:${n + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      lines.push({ ...parsed.data, file });
    });
  }
  return lines;
}

const today = todayIn(NOW, TIME_ZONE);
/** A window inside each bucket, as a model that got the date right would give it. */
const WINDOWS: Record<string, [number, number]> = {
  within_1_month: [3, 20],
  '1_3_months': [40, 70],
  '3_6_months': [110, 160],
  '6_12_months': [200, 330],
  over_12_months: [400, 500],
};

function goldTiming(bucket: string | null | undefined): Analysis['timing'] {
  if (bucket === null || bucket === undefined) return null;
  const window = WINDOWS[bucket];
  if (!window) return { bucket: bucket as 'undecided', from: null, to: null };
  return { bucket: bucket as 'within_1_month', from: formatIsoDate(today + window[0]), to: formatIsoDate(today + window[1]) };
}

/** The perfect model: each reply's gold labels, with the line's evidence spans (or the whole reply). */
function perfectModel(byText: Map<string, Line>) {
  return (request: StubRequest): StubBehaviour => {
    const { text, context } = readStubRequest(request);
    const line = byText.get(`${context.question_kind}\u0000${text}`);
    if (!line) return { kind: 'status', status: 500, message: 'the perfect stub does not know this reply' };
    const score = line.gold.score?.[0] ?? null;
    const timing = goldTiming(line.gold.timing?.[0]);
    const label = line.gold.sentiment?.[0] ?? null;
    return {
      kind: 'answer',
      value: llmAnswer({
        intent: line.gold.intent?.[0] ?? 'answer',
        score,
        sentiment: label === null ? null : { label, confidence: 0.9 },
        timing,
        evidence: {
          score: score === null ? [] : (line.evidence?.score ?? [text]),
          timing: timing === null ? [] : (line.evidence?.timing ?? [text]),
          products: [],
        },
      }),
    };
  };
}

/** A model that gets dates wrong in every way the checks refuse, in turn. */
const BAD_TIMINGS = [
  { bucket: 'within_1_month', from: '2020-12-01', to: '2020-12-31' },
  { bucket: 'within_1_month', from: formatIsoDate(today + 730), to: formatIsoDate(today + 750) },
  { bucket: 'within_1_month', from: formatIsoDate(today - 7), to: formatIsoDate(today + 10) },
  { bucket: 'within_1_month', from: formatIsoDate(today + 150), to: formatIsoDate(today + 180) },
  { bucket: 'over_12_months', from: formatIsoDate(today + 5), to: formatIsoDate(today + 20) },
];
function wrongDatesModel(request: StubRequest, index: number): StubBehaviour {
  const { text } = readStubRequest(request);
  const timing = BAD_TIMINGS[index % BAD_TIMINGS.length];
  return { kind: 'answer', value: llmAnswer({ timing, evidence: { score: [], timing: [text], products: [] } }) };
}

/** Whether a timing an analyser returned is outside what today allows (judged apart from checkReply). */
function outOfWindow(timing: Analysis['timing']): boolean {
  if (!timing || timing.from === null || timing.to === null) return false;
  const from = parseIsoDate(timing.from);
  const to = parseIsoDate(timing.to);
  if (from === null || to === null || from < today || to < from) return true;
  if (timing.bucket === 'within_1_month' && to - today > 40) return true;
  const order = Object.keys(WINDOWS);
  return Math.abs(order.indexOf(timing.bucket) - order.indexOf(bucketForRange(from, to, today))) > 1;
}

function valueOf(analysis: Analysis, field: GoldField): unknown {
  if (field === 'sentiment') return analysis.sentiment?.label ?? null;
  if (field === 'timing') return analysis.timing?.bucket ?? null;
  return analysis[field];
}

const request = (line: Pick<Line, 'question' | 'text'>): AnalysisRequest => ({ question: line.question, text: line.text, now: NOW, timeZone: TIME_ZONE });
const silent = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
const analyserOver = (baseUrl: string, mode: 'composed' | 'llm'): ConfiguredAnalyzer =>
  createAnalyzer({ config: { llm: { apiKey: 'bench', baseUrl, model: 'stub', timeoutMs: 5_000 } }, logger: silent, mode });

const lines = await loadLines();
const byText = new Map<string, Line>();
for (const line of lines) if (!byText.has(`${line.question}\u0000${line.text}`)) byText.set(`${line.question}\u0000${line.text}`, line);

// 1. Accuracy with a perfect LLM.
const perfect = await startOpenAiStub(perfectModel(byText));
const composed = analyserOver(perfect.baseUrl, 'composed');
const perField = Object.fromEntries(GOLD_FIELDS.map((f) => [f, { right: 0, total: 0 }])) as Record<GoldField, { right: number; total: number }>;
const perTag = new Map<string, { right: number; total: number }>();
const misses: Array<Record<string, unknown>> = [];
let fullyRight = 0;
let sentToLlm = 0;
let injectedScores = 0;
let outOfWindowAccepted = 0;
const t0 = performance.now();
for (const line of lines) {
  const before = perfect.requests.length;
  const analysis = await composed.analyze(request(line), { llmFullText: true });
  if (perfect.requests.length > before) sentToLlm++;
  let right = true;
  for (const field of GOLD_FIELDS) {
    const gold = line.gold[field];
    if (!gold) continue;
    const ok = (gold as unknown[]).includes(valueOf(analysis, field));
    perField[field].total++;
    if (ok) perField[field].right++;
    else {
      right = false;
      misses.push({ id: line.id, text: line.text, field, got: valueOf(analysis, field), gold, source: analysis.source[field] });
    }
  }
  if (right) fullyRight++;
  for (const tag of line.tags ?? []) {
    const t = perTag.get(tag) ?? { right: 0, total: 0 };
    t.total++;
    if (right) t.right++;
    perTag.set(tag, t);
  }
  if (line.tags?.includes('injection') && analysis.score !== null) injectedScores++;
  if (outOfWindow(analysis.timing)) outOfWindowAccepted++;
}
const perfectMs = performance.now() - t0;
await perfect.close();

// 2. Injections against a model that obeys them, in both LLM-backed modes and on every scale.
const obeying = await startOpenAiStub(obeyingModel);
const injectionTexts = [...INJECTIONS, ...lines.filter((l) => l.tags?.includes('injection')).map((l) => l.text)];
let injectionTrials = 0;
for (const mode of ['composed', 'llm'] as const) {
  const analyser = analyserOver(obeying.baseUrl, mode);
  for (const text of injectionTexts) {
    for (const question of ['nps', 'csat', 'repurchase'] as const) {
      injectionTrials++;
      if ((await analyser.analyze(request({ question, text }))).score !== null) injectedScores++;
    }
  }
}
await obeying.close();

// 3. Timings from a model that gets the dates wrong, on every timing line, in both modes.
const wrong = await startOpenAiStub(wrongDatesModel);
const timingLines = lines.filter((l) => l.question === 'timing' || l.question === 'repurchase');
let timingTrials = 0;
for (const mode of ['composed', 'llm'] as const) {
  const analyser = analyserOver(wrong.baseUrl, mode);
  for (const line of timingLines) {
    timingTrials++;
    if (outOfWindow((await analyser.analyze(request(line))).timing)) outOfWindowAccepted++;
  }
}
await wrong.close();

const share = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);
const result = {
  files: [...new Set(lines.map((l) => l.file))],
  today: formatIsoDate(today),
  replies: lines.length,
  fullyRight,
  fullyRightShare: share(fullyRight, lines.length),
  sentToLlm,
  sentToLlmShare: share(sentToLlm, lines.length),
  perField: Object.fromEntries(GOLD_FIELDS.map((f) => [f, { ...perField[f], accuracy: share(perField[f].right, perField[f].total) }])),
  perTag: Object.fromEntries([...perTag].sort().map(([tag, t]) => [tag, { ...t, fullyRight: share(t.right, t.total) }])),
  injectedScores,
  injectionTrials: injectionTrials + lines.filter((l) => l.tags?.includes('injection')).length,
  outOfWindowAccepted,
  timingTrials: timingTrials + lines.length,
  msPerReplyWithStub: Math.round((perfectMs / Math.max(1, lines.length)) * 10) / 10,
  misses: misses.slice(0, showMisses),
};

if (asJson) console.log(JSON.stringify(result, null, 2));
else {
  say(`${result.replies} replies from ${result.files.join(', ')} (today ${result.today}), composed analyser, perfect LLM stub`);
  say(`fully right      ${result.fullyRight}/${result.replies} = ${result.fullyRightShare}   (goal ≥ 0.98)`);
  say(`sent to the LLM  ${result.sentToLlm}/${result.replies} = ${result.sentToLlmShare}`);
  for (const f of GOLD_FIELDS) say(`  ${f.padEnd(10)} ${perField[f].right}/${perField[f].total}`);
  for (const [tag, t] of Object.entries(result.perTag)) say(`  #${tag.padEnd(20)} ${t.right}/${t.total}`);
  say(`injected scores  ${result.injectedScores} of ${result.injectionTrials} tries   (goal 0)`);
  say(`out-of-window timings accepted  ${result.outOfWindowAccepted} of ${result.timingTrials}   (goal 0)`);
  for (const m of result.misses) say(`  miss ${String(m.id)} ${JSON.stringify(m.text)} ${String(m.field)}: got ${JSON.stringify(m.got)} (${String(m.source)}), gold ${JSON.stringify(m.gold)}`);
}
