/**
 * `npm run -s flow -- validate FILE...` checks flow files and prints every problem (exit 1) or
 * one OK line per file (exit 0). `npm run -s flow -- schema` prints the flow JSON Schema.
 */
import { compileFlow, createFlowJsonSchema, formatProblem, loadFlowFile } from '../engine/index.ts';

const usage = 'usage: flow validate FILE...   |   flow schema';

async function main(argv: string[]): Promise<number> {
  const [command, ...files] = argv;
  if (command === 'schema') {
    console.log(JSON.stringify(createFlowJsonSchema(), null, 2));
    return 0;
  }
  if (command !== 'validate' || files.length === 0) {
    console.error(usage);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const result = await loadFlowFile(file);
    if (!result.ok) {
      failed++;
      for (const problem of result.problems) console.log(formatProblem(problem, file));
      continue;
    }
    // Validation passed, so compiling should too; building the machine proves it.
    compileFlow(result.flow);
    const { id, version, steps } = result.flow;
    console.log(`${file}: OK (${id} v${version}, ${steps.length} steps)`);
  }
  if (failed > 0) console.log(`${failed} of ${files.length} flow file(s) have problems`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
