// The fault suite of issue 13: `npm run -s faults [-- --quick] [--scenario NAME]... [--json] [--verbose]`.
// Real processes on loopback (FerretDB, redis-server, the WeCom simulator, the service), scripted
// customers through flows/nps-default.yaml, one line per scenario and a total; exit code 1 unless
// every count is 0. See README "Fault suite".
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NICKNAME } from './customers.ts';
import { loadOracle } from './oracle.ts';
import { buildPersonas } from './personas.ts';
import { killAllChildren } from './processes.ts';
import { startRig, type Rig } from './rig.ts';
import { runScenario, type ScenarioResult } from './runScenario.ts';
import { SCENARIOS } from './scenarios.ts';
import { seconds } from './time.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (values.help) {
  console.log('npm run -s faults -- [--quick] [--scenario NAME]... [--json] [--verbose]\n\nscenarios:');
  for (const s of SCENARIOS) console.log(`  ${s.name.padEnd(16)} ${s.summary}`);
  process.exit(0);
}
const wanted = (values.scenario ?? []).flatMap((s) => s.split(',')).filter(Boolean);
const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : [...SCENARIOS];
const quick = values.quick ?? false;
const started = Date.now();
const dir = '.data/faults';

// The whole run ends with a verdict by this time, however broken the service is.
const SETUP_BUDGET_MS = 5 * 60_000;
const budget = SETUP_BUDGET_MS + selected.reduce((ms, s) => ms + s.budgetMs(quick), 0);
const results: ScenarioResult[] = [];
const watchdog = setTimeout(() => {
  console.error(`fault suite: the run exceeded its ${seconds(budget)} budget; stopping everything`);
  finish(true);
}, budget);

const COLUMNS = ['scenario', 'customers', 'messages', 'lost', 'duplicated', 'misordered', 'wrong', 'time', 'notes'];
const WIDTHS = [16, 9, 8, 5, 10, 10, 5, 5];
function row(cells: Array<string | number>): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(WIDTHS[0]!) : i < WIDTHS.length ? String(c).padStart(WIDTHS[i]!) : String(c))).join('  ');
}

function failed(r: ScenarioResult): boolean {
  return r.tally.lost + r.tally.duplicated + r.tally.misordered + r.tally.wrong > 0 || r.invalid.length > 0;
}

function notesOf(r: ScenarioResult): string {
  const kinds = Object.entries(r.tally.kinds).map(([k, v]) => `${k} ${v}`);
  return [...r.invalid.map((i) => `INVALID: ${i}`), ...kinds, ...(r.gaveUp.length ? [`${r.gaveUp.length} walked away`] : []), ...r.notes].join('; ') || 'ok';
}

let finished = false;
let crashed = false;
function finish(timedOut = false): never {
  if (!finished) {
    finished = true;
    clearTimeout(watchdog);
    const total = results.reduce(
      (t, r) => ({
        customers: t.customers + r.customers,
        messages: t.messages + r.messages,
        lost: t.lost + r.tally.lost,
        duplicated: t.duplicated + r.tally.duplicated,
        misordered: t.misordered + r.tally.misordered,
        wrong: t.wrong + r.tally.wrong,
      }),
      { customers: 0, messages: 0, lost: 0, duplicated: 0, misordered: 0, wrong: 0 },
    );
    const notRun = selected.filter((s) => !results.some((r) => r.name === s.name)).map((s) => s.name);
    const ok = !timedOut && !crashed && notRun.length === 0 && !results.some(failed);
    const verdict = ok ? 'PASS' : `FAIL${notRun.length ? ` (not run: ${notRun.join(', ')})` : ''}`;
    console.log(row(['total', total.customers, total.messages, total.lost, total.duplicated, total.misordered, total.wrong, seconds(Date.now() - started), verdict]));
    if (values.json) {
      console.log(
        JSON.stringify({
          ok,
          quick,
          seconds: Math.round((Date.now() - started) / 1000),
          total,
          notRun,
          scenarios: results.map((r) => ({
            name: r.name,
            customers: r.customers,
            messages: r.messages,
            lost: r.tally.lost,
            duplicated: r.tally.duplicated,
            misordered: r.tally.misordered,
            wrong: r.tally.wrong,
            seconds: r.seconds,
            kinds: r.tally.kinds,
            invalid: r.invalid,
            notes: r.notes,
            problems: r.tally.problems.slice(0, 50),
            gaveUp: r.gaveUp.slice(0, 50),
          })),
        }),
      );
    }
    if (timedOut) killAllChildren();
    process.exitCode = ok ? 0 : 1;
  }
  // Children are killed by the exit hook in processes.ts.
  process.exit(process.exitCode ?? 1);
}

process.once('SIGINT', () => {
  console.error('fault suite: interrupted');
  killAllChildren();
  finish(true);
});

let rig: Rig | undefined;
try {
  const personas = buildPersonas(await loadOracle('flows/nps-default.yaml', NICKNAME));
  console.error(`fault suite: ${selected.length} scenario(s)${quick ? ', quick' : ''}; budget ${seconds(budget)}`);
  rig = await startRig({ dir, onProgress: (line) => console.error(`fault suite: ${line}`) });
  const runId = `r${Date.now().toString(36)}`;
  console.log(row(COLUMNS));
  for (const scenario of selected) {
    const result = await runScenario(rig, scenario, personas, { quick, runId });
    results.push(result);
    console.log(row([result.name, result.customers, result.messages, result.tally.lost, result.tally.duplicated, result.tally.misordered, result.tally.wrong, seconds(result.seconds * 1000), notesOf(result)]));
    if (values.verbose) {
      for (const p of [...result.tally.problems, ...result.gaveUp.map((g) => `walked away: ${g}`)]) console.error(`  ${result.name}: ${p}`);
    }
  }
  await writeFile(join(dir, 'report.json'), JSON.stringify(results, null, 2));
  console.error(`fault suite: details in ${join(dir, 'report.json')}, process logs in ${join(dir, 'logs')}`);
} catch (error) {
  console.error(`fault suite: ${(error as Error).stack ?? error}`);
  crashed = true;
} finally {
  await rig?.close().catch(() => undefined);
}
finish();
