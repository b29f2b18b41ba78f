import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { AudienceRow } from './campaignTypes.ts';
import { readAudienceRow, type RowProblem } from './audienceRow.ts';

/**
 * Streams an audience CSV: decodes it (UTF-8, with or without BOM, or GBK/GB18030 as Excel in
 * China saves it: named by the charset, else detected from the first 64 KB), maps Chinese or
 * English headers to row fields, and validates every line. Yields each line's row or its
 * problems with the file line number (the header is line 1); nothing is held but one line.
 */

export type CsvLine = { line: number; row: AudienceRow } | { line: number; problems: RowProblem[] };

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

const SNIFF_BYTES = 64 * 1024;

/** Reads the charset a Content-Type names (utf-8, gbk, gb2312, gb18030), if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /charset\s*=\s*"?([\w-]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

/** GBK and GB2312 are read as GB18030, their superset. */
function decoderName(charset: string): string {
  return /^(gbk|gb2312|gb18030|cp936)$/i.test(charset) ? 'gb18030' : 'utf-8';
}

/** The input as UTF-8 text chunks: the named charset, else UTF-8 when the first 64 KB are valid UTF-8, else GB18030. */
async function* decode(input: AsyncIterable<Buffer | string>, charset: string | undefined): AsyncGenerator<string> {
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    size += chunk.length;
  }
  const prefix = Buffer.concat(head);
  const name = charset ? decoderName(charset) : looksLikeUtf8(prefix) ? 'utf-8' : 'gb18030';
  const decoder = iconv.getDecoder(name);
  const first = decoder.write(prefix);
  if (first) yield first;
  while (!done) {
    const next = await iterator.next();
    if (next.done) break;
    const text = decoder.write(Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

function looksLikeUtf8(bytes: Buffer): boolean {
  try {
    // stream: a character cut at the 64 KB mark is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The lines of an audience CSV, validated. A header without a customer reference column is
 * reported as line 1's problem; unknown columns are ignored (and listed in `ignored`).
 */
export async function* readAudienceCsv(
  input: AsyncIterable<Buffer | string>,
  options: { charset?: string; timeZone: string; now: Date; ignored?: string[] },
): AsyncGenerator<CsvLine> {
  const problems: CsvLine[] = [];
  let headerProblem: RowProblem | null = null;
  const parser = Readable.from(decode(input, options.charset)).pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      skip_records_with_error: true,
      columns: (header: string[]) => {
        const mapped = header.map((h) => byHeader.get(normalize(h)) ?? null);
        options.ignored?.push(...header.filter((_h, i) => mapped[i] === null));
        if (!mapped.includes('customerRef')) headerProblem = { field: 'customerRef', message: `no customer reference column; name one of: ${HEADERS.customerRef.slice(0, 4).join(', ')}, 客户编号` };
        // csv-parse drops columns named false.
        return mapped.map((m) => m ?? false);
      },
    }),
  );
  parser.on('skip', (error: Error & { lines?: number }) => {
    problems.push({ line: error.lines ?? 0, problems: [{ message: error.message.replace(/ on line \d+$/, '') }] });
  });
  for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    if (headerProblem) break;
    // Records are read ahead: report the skipped lines in file order.
    while (problems.length && problems[0]!.line < record.info.lines) yield problems.shift()!;
    const read = readAudienceRow(record.record, options);
    yield read.ok ? { line: record.info.lines, row: read.row } : { line: record.info.lines, problems: read.problems };
  }
  if (headerProblem) {
    yield { line: 1, problems: [headerProblem] };
    return;
  }
  while (problems.length) yield problems.shift()!;
}
