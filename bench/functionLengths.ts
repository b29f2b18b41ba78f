// Function lengths over src/ (issue 23's goal: no function over 120 lines that is not a table or schema).
//   npm run -s bench -- function-lengths [--over 80] [--json]
// Counts every function-like node (declarations, expressions, arrows, methods) from its first to its last line,
// nested functions included in their parent's count, as a reader sees them on screen.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

interface FunctionLength { file: string; name: string; line: number; lines: number }

const args = process.argv.slice(3);
const overIndex = args.indexOf('--over');
const over = overIndex >= 0 ? Number(args[overIndex + 1]) : 80;
const asJson = args.includes('--json');
const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** The name a reader would use: the function's own, or the variable, property or method that holds it. */
function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (node.name) return node.name.getText();
  return '(anonymous)';
}

function measure(path: string): FunctionLength[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const first = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
      found.push({ file: relative(root, path), name: functionName(fn), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const longest = sourceFiles(join(root, 'src'))
  .flatMap(measure)
  .filter((fn) => fn.lines > over)
  .sort((a, b) => b.lines - a.lines);

if (asJson) {
  console.log(JSON.stringify({ over, count: longest.length, over120: longest.filter((fn) => fn.lines > 120).length, functions: longest }, null, 2));
} else {
  for (const fn of longest) console.log(`${String(fn.lines).padStart(4)}  ${fn.name}  ${fn.file}:${fn.line}`);
  console.log(`${longest.length} functions over ${over} lines, ${longest.filter((fn) => fn.lines > 120).length} over 120`);
}
