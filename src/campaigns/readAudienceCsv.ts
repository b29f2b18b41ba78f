import { pipeline, Readable } from 'node:stream';
import { parse, type Parser } from 'csv-parse';
import { ValidationError } from '../core/errors.ts';
import type { AudienceRow } from './campaignTypes.ts';
import { readAudienceRow, type RowProblem } from './audienceRow.ts';
import { decodeLine, MAX_LINE_BYTES, splitLines, type Charset, type RawLine } from './csvBytes.ts';
import { cut, MAX_MESSAGE_CHARS, MAX_PROBLEMS_COUNTED } from './uploadProblems.ts';

/**
 * Reads an audience CSV whose charset was chosen on the whole file (see csvBytes.ts): decodes it
 * line by line strictly (a line with invalid bytes, or a byte-order mark past the file's start,
 * is an `encoding` problem of that line, never mojibake), maps Chinese or English headers to row
 * fields, and validates every record. Yields each line's row or its problems with the file line
 * number (the header is line 1); nothing is held but one line.
 */

export type CsvLine = { line: number; row: AudienceRow } | { line: number; problems: RowProblem[] } | { line: number; encoding: string };

/** Header → field; compared without case, spaces, '_' or '-'. */
const HEADERS: Record<keyof AudienceRow, string[]> = {
  customerRef: ['customerref', 'customer', 'ref', 'customerid', '客户编号', '客户id', '客户号', '会员号', '会员编号', '客户'],
  name: ['name', 'customername', '姓名', '客户姓名', '称呼', '名字'],
  phone: ['phone', 'mobile', 'tel', '手机', '手机号', '手机号码', '电话'],
  externalUserId: ['externaluserid', 'wecomid', '外部联系人id', '企业微信id', '微信id'],
  advisorUserId: ['advisoruserid', 'advisor', '顾问', '顾问id', '专属顾问'],
  store: ['store', 'shop', '门店', '店铺'],
  orderId: ['orderid', 'order', '订单号', '订单编号'],
  products: ['products', 'product', 'items', '项目', '产品', '商品', '服务项目'],
  touchpoint: ['touchpoint', 'service', '服务', '服务类型', '触点', '环节'],
  visitAt: ['visitat', 'visittime', 'time', 'occurredat', '到店时间', '消费时间', '服务时间', '时间'],
};
const byHeader = new Map<string, keyof AudienceRow>(Object.entries(HEADERS).flatMap(([field, names]) => names.map((n) => [n, field as keyof AudienceRow])));
const normalize = (header: string) => header.trim().toLowerCase().replace(/[\s_-]/g, '');

/** At most this many columns: a header of thousands of cells is not an export of ours. */
export const MAX_COLUMNS = 100;

/** Reads the charset a Content-Type names (utf-8, gbk, gb2312, gb18030), if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /charset\s*=\s*"?([\w-]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

/** The decoded text of the raw lines; a line that cannot be decoded is reported and left out. */
async function* decodeLines(lines: AsyncIterable<RawLine>, charset: Charset, onProblem: (line: number, message: string) => void): AsyncGenerator<string> {
  for await (const line of lines) {
    const decoded = decodeLine(line, charset);
    if ('problem' in decoded) {
      onProblem(line.number, decoded.problem);
      // Keep the line count of what follows right for csv-parse.
      if (line.lf) yield '\n';
    } else yield line.lf ? `${decoded.text}\n` : decoded.text;
  }
}

/** Maps a header line to fields (false drops a column), or says why it cannot be read. */
function mapHeader(header: string[], ignored?: string[]): { columns: Array<keyof AudienceRow | false>; problem: RowProblem | null } {
  if (header.length > MAX_COLUMNS) return { columns: [], problem: { message: `${header.length} columns; an audience file has at most ${MAX_COLUMNS}` } };
  const mapped = header.map((h) => byHeader.get(normalize(h)) ?? null);
  ignored?.push(...header.filter((_h, i) => mapped[i] === null));
  const problem = mapped.includes('customerRef') ? null : { field: 'customerRef', message: `no customer reference column; name one of: ${HEADERS.customerRef.slice(0, 4).join(', ')}, 客户编号` };
  return { columns: mapped.map((m) => m ?? false), problem };
}

function csvParser(columns: (header: string[]) => Array<keyof AudienceRow | false>): Parser {
  return parse({
    bom: false,
    skip_empty_lines: true,
    trim: true,
    info: true,
    skip_records_with_error: true,
    // No record may grow past one line's bytes, not even one whose quoted field spans lines.
    max_record_size: MAX_LINE_BYTES,
    columns,
  });
}

/**
 * Queues csv-parse's errors as line problems, one per line: it reports every stray quote of a line,
 * each quoting the cell so far. A record past MAX_LINE_BYTES (an unclosed quote) ends reading with
 * AUDIENCE_LINE_TOO_LONG; past MAX_PROBLEMS_COUNTED errors reading stops (`stoppedAt` tells where),
 * since each costs more than it tells.
 */
function queueParseErrors(parser: Parser, queued: CsvLine[], quiet: () => boolean): { stoppedAt(): number } {
  let lastLine = 0;
  let errors = 0;
  let stoppedAt = 0;
  parser.on('skip', (error: Error & { lines?: number; code?: string }) => {
    const line = error.lines ?? 0;
    if (error.code === 'CSV_MAX_RECORD_SIZE') parser.destroy(new ValidationError('AUDIENCE_LINE_TOO_LONG', `The record that starts before line ${line} is longer than ${MAX_LINE_BYTES / 1024} KB: an unclosed quote?`, { line }));
    if (++errors > MAX_PROBLEMS_COUNTED && !stoppedAt) {
      stoppedAt = line;
      parser.destroy();
    }
    if (quiet() || stoppedAt || line === lastLine) return;
    lastLine = line;
    queued.push({ line, problems: [{ message: cut(error.message.replace(/ on line \d+$/, ''), MAX_MESSAGE_CHARS) }] });
  });
  return { stoppedAt: () => stoppedAt };
}

/**
 * The lines of an audience CSV, validated. A header without a customer reference column (or with
 * more than MAX_COLUMNS columns) is reported as line 1's problem; unknown columns are ignored (and
 * listed in `ignored`).
 */
export async function* readAudienceCsv(
  input: AsyncIterable<Buffer | string>,
  options: { charset: Charset; timeZone: string; now: Date; ignored?: string[] },
): AsyncGenerator<CsvLine> {
  const queued: CsvLine[] = [];
  let headerProblem: RowProblem | null = null;
  const parser = csvParser((header) => {
    const mapped = mapHeader(header, options.ignored);
    headerProblem = mapped.problem;
    return mapped.columns;
  });
  // pipeline: when the parser stops early, the decoding and the file reading stop with it.
  pipeline(Readable.from(decodeLines(splitLines(input), options.charset, (line, message) => queued.push({ line, encoding: message }))), parser, () => undefined);
  const errors = queueParseErrors(parser, queued, () => headerProblem !== null);
  try {
    for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (headerProblem) break;
      // Records are read ahead: report the skipped and undecodable lines in file order.
      while (queued.length && queued[0]!.line < record.info.lines) yield queued.shift()!;
      const read = readAudienceRow(record.record, options);
      yield read.ok ? { line: record.info.lines, row: read.row } : { line: record.info.lines, problems: read.problems };
    }
  } catch (error) {
    if (!errors.stoppedAt()) throw error;
    queued.push({ line: errors.stoppedAt(), problems: [{ message: `more than ${MAX_PROBLEMS_COUNTED} CSV format errors by this line; reading stopped. Is this the CSV export?` }] });
  }
  if (headerProblem) {
    yield { line: 1, problems: [headerProblem] };
    return;
  }
  while (queued.length) yield queued.shift()!;
}
