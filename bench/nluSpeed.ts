// The rule analyser's speed (a benchmark, not a test): one 50,000-character reply of several
// kinds (prose, a numeral run, emoji, mixed dialect and English), and batches of 1,000 typical
// replies taken from the labelled dev sets under test/nlu/. Goals (issue 19): a 50,000-character
// reply under 100 ms, 1,000 typical replies under 1 s. Prints numbers (JSON with --json).
//   npm run -s bench -- nlu-speed [--rounds 5] [--json]
import { readdirSync, readFileSync } from 'node:fs';
import type { AnalysisRequest } from '../src/core/analysis.ts';
import { parseEvalLines } from '../src/nlu/evaluate.ts';
import { createRuleAnalyzer } from '../src/nlu/ruleAnalyzer.ts';

const args = process.argv.slice(3);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;
const asJson = args.includes('--json');
const NOW = new Date('2026-11-23T10:00:00+08:00');
const rules = createRuleAnalyzer();

const dir = new URL('../test/nlu/', import.meta.url);
const typical: AnalysisRequest[] = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => parseEvalLines(readFileSync(new URL(f, dir), 'utf8'), f))
  .map((l) => ({ question: l.question, text: l.text, now: NOW, timeZone: 'Asia/Shanghai' }));

const long = (unit: string) => unit.repeat(Math.ceil(50_000 / unit.length)).slice(0, 50_000);
const longReplies: Record<string, string> = {
  prose: long('技师手法很好，但是前台等了两个多小时没人理，如果便宜点就给满分，呵呵。'),
  numerals: `10分制${long('八')}`,
  emoji: long('👍😡🤮❤️'),
  mixed: long('唔会再嚟, not bad 嗯那个就是 久分 扣两分 '),
};

const ms = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const round1 = (n: number) => Math.round(n * 10) / 10;

// Warm up regex compilation and the JIT once, as a running service would be.
for (const r of typical) rules.read(r);

const longResults: Record<string, { kinds: string[]; worstMs: number }> = {};
for (const question of ['nps', 'reason', 'timing', 'repurchase'] as const) {
  for (const [kind, text] of Object.entries(longReplies)) {
    let worst = 0;
    for (let i = 0; i < rounds; i++) worst = Math.max(worst, ms(() => rules.read({ question, text, now: NOW, timeZone: 'Asia/Shanghai' })));
    const key = `${question}/${kind}`;
    longResults[key] = { kinds: [question, kind], worstMs: round1(worst) };
  }
}
const batchMs: number[] = [];
for (let i = 0; i < rounds; i++) {
  batchMs.push(ms(() => {
    for (let k = 0; k < 1000; k++) rules.read(typical[k % typical.length] as AnalysisRequest);
  }));
}

const worstLong = Math.max(...Object.values(longResults).map((r) => r.worstMs));
const result = {
  typicalLines: typical.length,
  rounds,
  longReplyWorstMs: worstLong,
  longReplies: Object.fromEntries(Object.entries(longResults).map(([k, v]) => [k, v.worstMs])),
  thousandTypicalMs: { best: round1(Math.min(...batchMs)), worst: round1(Math.max(...batchMs)) },
  goals: { longReplyUnder100ms: worstLong < 100, thousandUnder1s: Math.max(...batchMs) < 1000 },
};
if (asJson) console.log(JSON.stringify(result));
else {
  console.log(`50,000-character reply, worst of ${rounds} per question kind and text: ${worstLong} ms (goal < 100 ms)`);
  for (const [k, v] of Object.entries(result.longReplies)) console.log(`  ${k.padEnd(20)} ${v} ms`);
  console.log(`1,000 typical replies (cycled from ${typical.length} dev lines): best ${result.thousandTypicalMs.best} ms, worst ${result.thousandTypicalMs.worst} ms (goal < 1 s)`);
}
