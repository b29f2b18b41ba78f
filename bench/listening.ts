// Benchmark (not a test): bot messages per completed survey of nps-default for a talkative and a
// terse customer, as shipped and as before issue 20 (no fills, no probes of vague reasons). In-process: the engine and the rule analyser, as the service runs them.
//   npm run -s bench -- listening [--json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileFlow, parseFlow, readInPassing, runTurn, startSession, type CompiledFlow, type Flow } from '../src/engine/index.ts';
import { createRuleAnalyzer } from '../src/nlu/index.ts';

const { values } = parseArgs({ args: process.argv.slice(3), options: { json: { type: 'boolean', default: false } } });

/** What each customer answers to each question (by step id); a menu answer is typed as its number. */
const scripts: Record<string, Record<string, string>> = {
  talkative: {
    nps: '9分，顾问很专业，下个月还想来做水光',
    reason_promoter: '顾问讲解很耐心，环境也好',
    csat_booking: '5',
    csat_advisor: '5',
    csat_result: '4',
    intent: '会的',
    timing: '下个月',
    products: '水光针',
    referral: '推荐朋友',
  },
  terse: {
    nps: '8',
    reason_passive: '还行',
    csat_booking: '4',
    csat_advisor: '4',
    csat_result: '4',
    intent: '4',
    timing: '下个月',
    products: '水光',
  },
};

const parsed = parseFlow(readFileSync(new URL('../flows/nps-default.yaml', import.meta.url), 'utf8'));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const shipped = compileFlow(parsed.flow);
// As the survey was before issue 20: no fills, no probes of vague reasons, no reason acks.
const withoutFills = compileFlow({ ...parsed.flow, fills: [], settings: { ...parsed.flow.settings, maxProbes: 0, acknowledgeReasons: false } } satisfies Flow);
const rules = createRuleAnalyzer();
const now = new Date('2026-12-07T02:00:00Z');
const timeZone = 'Asia/Shanghai';

async function run(compiled: CompiledFlow, script: Record<string, string>) {
  let turn = startSession(compiled, { customer: {}, now });
  let botMessages = turn.messages.length;
  let customerMessages = 0;
  while (turn.awaiting !== null && customerMessages < 30) {
    const awaiting = turn.awaiting;
    const text = script[awaiting.stepId] ?? '不知道';
    const analysis = await rules.analyze({ ...awaiting, text, now, timeZone });
    const passing = await readInPassing(rules, awaiting, text, { now, timeZone }, {});
    turn = runTurn(compiled, turn.snapshot, { type: 'user.replied', text, analysis, ...(passing ? { passing } : {}) }, now);
    customerMessages += 1;
    botMessages += turn.messages.length;
  }
  return { status: turn.status, botMessages, customerMessages, answers: Object.keys(turn.answers).length };
}

const results: Record<string, unknown> = {};
for (const [name, script] of Object.entries(scripts)) {
  const before = await run(withoutFills, script);
  const after = await run(shipped, script);
  results[name] = { before, after };
  console.log(
    `${name.padEnd(9)} before: ${before.botMessages} bot / ${before.customerMessages} customer messages (${before.status}, ${before.answers} answers)` +
      `  now: ${after.botMessages} bot / ${after.customerMessages} customer messages (${after.status}, ${after.answers} answers)`,
  );
}
if (values.json) console.log(JSON.stringify(results));
