import { TextDecoder } from 'node:util';
import { AppError, ValidationError } from '../core/errors.ts';

/**
 * The byte level of an audience CSV: physical lines (bounded), and the charset chosen on the
 * whole file. A line feed (0x0A) is never part of a multi-byte character in UTF-8 or GB18030, so
 * splitting the raw bytes there is safe in both, and every later step sees the same lines
 * however the body arrived in chunks.
 */

/** An audience row is a few hundred bytes (no field may pass 1,000 characters). */
export const MAX_LINE_BYTES = 16 * 1024;
/** Header plus 200,000 rows (about 30 MB): the most one upload takes. */
export const MAX_LINES = 200_001;

const LF = 0x0a;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export type Charset = 'utf-8' | 'gb18030';

/** One physical line, without its line feed; `lf` tells whether one followed. */
export interface RawLine {
  number: number;
  bytes: Buffer;
  lf: boolean;
}

/**
 * Splits bytes into lines. A line longer than `MAX_LINE_BYTES` (a giant field, a file that is not
 * CSV at all) or more than `MAX_LINES` lines stops the upload at once: memory never holds more
 * than one line.
 */
export async function* splitLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let number = 1;
  for await (const piece of input) {
    const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    let start = 0;
    for (let lf = chunk.indexOf(LF, start); lf !== -1; lf = chunk.indexOf(LF, start)) {
      refuseLongLine(number, pendingSize + lf - start);
      const bytes = pending.length ? Buffer.concat([...pending, chunk.subarray(start, lf)]) : chunk.subarray(start, lf);
      yield { number, bytes, lf: true };
      pending = [];
      pendingSize = 0;
      start = lf + 1;
      number += 1;
      if (number > MAX_LINES) throw tooManyLines();
    }
    if (start < chunk.length) {
      pendingSize += chunk.length - start;
      refuseLongLine(number, pendingSize);
      pending.push(chunk.subarray(start));
    }
  }
  if (pendingSize) yield { number, bytes: Buffer.concat(pending), lf: false };
}

function refuseLongLine(number: number, size: number): void {
  if (size > MAX_LINE_BYTES) {
    throw new ValidationError('AUDIENCE_LINE_TOO_LONG', `Line ${number} is longer than ${MAX_LINE_BYTES / 1024} KB; an audience row is a few hundred bytes. Is this the CSV export?`, { line: number });
  }
}

function tooManyLines(): AppError {
  return new AppError('AUDIENCE_TOO_MANY_ROWS', `The file has more than ${MAX_LINES - 1} rows; split it into several uploads`, { status: 413 });
}

/** What the whole file says about its charset. */
export interface ByteSurvey {
  startsWithBom: boolean;
  /** Multi-byte characters on lines that are valid UTF-8. */
  utf8Characters: number;
  /** Lines that are not valid UTF-8. */
  utf8InvalidLines: number;
}

/** Looks at one line for `survey` (call for every line, in order). */
export function surveyLine(survey: ByteSurvey, line: RawLine): void {
  if (line.number === 1) survey.startsWithBom = line.bytes.subarray(0, 3).equals(UTF8_BOM);
  try {
    utf8.decode(line.bytes);
    // In valid UTF-8 each multi-byte character has exactly one lead byte (0xC2–0xF4).
    for (const byte of line.bytes) if (byte >= 0xc0) survey.utf8Characters += 1;
  } catch {
    survey.utf8InvalidLines += 1;
  }
}

export function emptySurvey(): ByteSurvey {
  return { startsWithBom: false, utf8Characters: 0, utf8InvalidLines: 0 };
}

/**
 * The charset to read the file in, decided on all of its bytes: a leading UTF-8 BOM says UTF-8;
 * else the charset named by the upload; else UTF-8 when the file is valid UTF-8, or when its valid
 * multi-byte characters outnumber its invalid lines (a UTF-8 file with a damaged line, which is
 * then refused with that line, not read as GBK mojibake); else GB18030 (GBK's superset). GBK
 * text is almost never valid UTF-8 line after line, so the rule does not flip on such files.
 */
export function chooseCharset(survey: ByteSurvey, named: string | undefined): Charset {
  if (survey.startsWithBom) return 'utf-8';
  if (named) return /^(gbk|gb2312|gb18030|cp936)$/i.test(named) ? 'gb18030' : 'utf-8';
  return survey.utf8InvalidLines === 0 || survey.utf8Characters >= survey.utf8InvalidLines ? 'utf-8' : 'gb18030';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const decoders: Record<Charset, TextDecoder> = { 'utf-8': utf8, gb18030: new TextDecoder('gb18030', { fatal: true }) };

/** A line's text, or why it cannot be read: bytes invalid in `charset`, or a BOM past the file's start. */
export function decodeLine(line: RawLine, charset: Charset): { text: string } | { problem: string } {
  const bom = line.bytes.subarray(0, 3).equals(UTF8_BOM);
  if (bom && line.number > 1) return { problem: 'starts with a byte-order mark (U+FEFF): a second file pasted into this one? Only the first line may carry one' };
  let text: string;
  try {
    text = decoders[charset].decode(bom ? line.bytes.subarray(3) : line.bytes);
  } catch {
    return { problem: `has bytes that are not valid ${charset === 'utf-8' ? 'UTF-8' : 'GBK/GB18030'}; save the file again as UTF-8 (or name its charset)` };
  }
  if (text.includes('\uFEFF')) return { problem: 'contains a byte-order mark (U+FEFF) inside the text' };
  return { text };
}
