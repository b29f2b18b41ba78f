import { readFile } from 'node:fs/promises';
import { parseFlow } from './parseFlow.ts';
import type { ParseFlowResult } from './parseFlow.ts';

/** Reads and parses one flow file; an unreadable file is reported as a problem, not thrown. */
export async function loadFlowFile(path: string): Promise<ParseFlowResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ path: '', message: `cannot read the file: ${reason}` }] };
  }
  return parseFlow(text, path);
}
