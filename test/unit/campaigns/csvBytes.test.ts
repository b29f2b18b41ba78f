import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { chooseCharset, decodeLine, emptySurvey, MAX_LINES, splitLines, surveyLine, type RawLine } from '../../../src/campaigns/csvBytes.ts';

async function linesOf(bytes: Buffer, chunk: number): Promise<RawLine[]> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: RawLine[] = [];
  for await (const line of splitLines(chunks())) out.push({ ...line, bytes: Buffer.from(line.bytes) });
  return out;
}

async function charsetOfFile(bytes: Buffer, named?: string) {
  const survey = emptySurvey();
  for (const line of await linesOf(bytes, 4096)) surveyLine(survey, line);
  return chooseCharset(survey, named);
}

const text = '客户编号,姓名,门店\nC1,张女士,静安店\nC2,李先生,徐汇店\n';

describe('audience CSV bytes', () => {
  it('splits into the same lines whatever the chunking, the last one without a line feed', async () => {
    const bytes = Buffer.from(`${text}C3,王女士`);
    const whole = await linesOf(bytes, bytes.length);
    expect(whole.map((l) => [l.number, l.bytes.toString(), l.lf])).toEqual([
      [1, '客户编号,姓名,门店', true],
      [2, 'C1,张女士,静安店', true],
      [3, 'C2,李先生,徐汇店', true],
      [4, 'C3,王女士', false],
    ]);
    for (const chunk of [1, 2, 5, 17]) expect(await linesOf(bytes, chunk)).toEqual(whole);
  });

  it(`refuses more than ${MAX_LINES - 1} rows as soon as it sees them`, async () => {
    await expect(linesOf(Buffer.from('a\n'.repeat(MAX_LINES + 1)), 64 * 1024)).rejects.toMatchObject({ code: 'AUDIENCE_TOO_MANY_ROWS', status: 413 });
  });

  it.each([
    ['valid UTF-8', Buffer.from(text), undefined, 'utf-8'],
    ['plain ASCII', Buffer.from('customerRef\nC1\n'), undefined, 'utf-8'],
    ['GBK', iconv.encode(text, 'gbk'), undefined, 'gb18030'],
    ['GBK named', iconv.encode(text, 'gbk'), 'gbk', 'gb18030'],
    ['UTF-8 with one damaged line', Buffer.concat([Buffer.from(text), Buffer.from([0xe5, 0x0a])]), undefined, 'utf-8'],
    ['a UTF-8 BOM, whatever is named', Buffer.from(`\uFEFF${text}`), 'gbk', 'utf-8'],
  ])('reads %s as %s', async (_what, bytes, named, expected) => {
    expect(await charsetOfFile(bytes, named)).toBe(expected);
  });

  it('decodes strictly: invalid bytes and a BOM past the first line are problems, a leading BOM is dropped', () => {
    const line = (number: number, bytes: Buffer): RawLine => ({ number, bytes, lf: true });
    expect(decodeLine(line(1, Buffer.from('\uFEFFcustomerRef')), 'utf-8')).toEqual({ text: 'customerRef' });
    expect(decodeLine(line(2, Buffer.from('\uFEFF客户编号')), 'utf-8')).toEqual({ problem: expect.stringMatching(/byte-order mark/) });
    expect(decodeLine(line(2, Buffer.from([0x43, 0x31, 0x2c, 0xe5, 0x9b])), 'utf-8')).toEqual({ problem: expect.stringMatching(/not valid UTF-8/) });
    expect(decodeLine(line(2, Buffer.from([0xd5, 0xc5, 0xff])), 'gb18030')).toEqual({ problem: expect.stringMatching(/not valid GBK/) });
    expect(decodeLine(line(2, iconv.encode('C1,赵女士', 'gbk')), 'gb18030')).toEqual({ text: 'C1,赵女士' });
  });
});
