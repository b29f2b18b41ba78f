import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { chooseCharset, emptySurvey, splitLines, surveyLine } from '../../../src/campaigns/csvBytes.ts';
import { charsetOf, readAudienceCsv, type CsvLine } from '../../../src/campaigns/readAudienceCsv.ts';

const now = new Date('2026-12-01T10:00:00+08:00');
const options = { timeZone: 'Asia/Shanghai', now };

async function read(bytes: Buffer | string, extra: { charset?: string; chunk?: number } = {}): Promise<CsvLine[]> {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const size = extra.chunk ?? buffer.length;
  async function* chunks() {
    for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
  }
  // As an upload does: the charset is chosen on all the bytes, then the bytes are read again.
  const survey = emptySurvey();
  for await (const line of splitLines(chunks())) surveyLine(survey, line);
  const out: CsvLine[] = [];
  for await (const line of readAudienceCsv(chunks(), { ...options, charset: chooseCharset(survey, extra.charset) })) out.push(line);
  return out;
}

const good = [
  '客户编号,姓名,手机号,门店,订单号,项目,服务类型,到店时间',
  'C001,张女士,138 0013 8000,静安店,O-1,"水光针、热玛吉",护理,2026-11-28 14:30',
  'C002,李先生,,徐汇店,,,到店,2026/11/29',
  '',
  'C003,,+8613900000000,,O-3,皮秒,购买,',
].join('\r\n');

describe('audience CSV', () => {
  it('reads Chinese headers, quoted cells, empty cells and local times, with file line numbers', async () => {
    const lines = await read(good);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({
      line: 2,
      row: { customerRef: 'C001', name: '张女士', phone: '13800138000', store: '静安店', orderId: 'O-1', products: ['水光针', '热玛吉'], touchpoint: '护理', visitAt: new Date('2026-11-28T14:30:00+08:00') },
    });
    expect(lines[1]).toEqual({ line: 3, row: { customerRef: 'C002', name: '李先生', store: '徐汇店', touchpoint: '到店', visitAt: new Date('2026-11-29T00:00:00+08:00') } });
    expect(lines[2]).toMatchObject({ line: 5, row: { customerRef: 'C003', phone: '+8613900000000', orderId: 'O-3', products: ['皮秒'] } });
  });

  it('reads English headers and a UTF-8 BOM', async () => {
    const lines = await read(`\uFEFFcustomerRef,name,store,visitAt,extra\nC9,Amy,Jing'an,2026-11-28T06:30:00Z,x\n`);
    expect(lines).toEqual([{ line: 2, row: { customerRef: 'C9', name: 'Amy', store: "Jing'an", visitAt: new Date('2026-11-28T06:30:00Z') } }]);
  });

  it('reports every bad line with its number and the field at fault', async () => {
    const bad = [
      'customerRef,name,phone,visitAt,externalUserId',
      'C1,王女士,13800000000,2026-11-28 10:00,wmAAA',
      ',缺编号,,,',
      'C3,电话错,12ab,,',
      'C4,时间错,,2026-13-01,',
      'C5,外部ID错,,,wm 空格',
      'C6,列太多,,,,多出来',
      'C7,未来,,2027-06-01,',
    ].join('\n');
    const lines = await read(bad);
    const problems = lines.filter((l) => 'problems' in l);
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(problems[0]).toMatchObject({ problems: [{ field: 'customerRef' }] });
    expect(problems[1]).toMatchObject({ problems: [{ field: 'phone' }] });
    expect(problems[2]).toMatchObject({ problems: [{ field: 'visitAt' }] });
    expect(problems[3]).toMatchObject({ problems: [{ field: 'externalUserId' }] });
    expect(problems[4]).toMatchObject({ problems: [{ message: expect.stringMatching(/columns length is 5, got 6/) }] });
    expect(problems[5]).toMatchObject({ problems: [{ field: 'visitAt', message: 'is in the future' }] });
    expect(lines.filter((l) => 'row' in l).map((l) => l.line)).toEqual([2]);
  });

  it('refuses a file without a customer reference column on line 1', async () => {
    const lines = await read('姓名,门店\n张女士,静安店\n');
    expect(lines).toEqual([{ line: 1, problems: [{ field: 'customerRef', message: expect.stringMatching(/no customer reference column/) }] }]);
  });

  it('reads GBK, named by the charset or detected, even split mid-character', async () => {
    const gbk = iconv.encode(good, 'gbk');
    expect(gbk.equals(Buffer.from(good))).toBe(false);
    const named = await read(gbk, { charset: charsetOf('text/csv; charset=GBK') });
    const detected = await read(gbk, { chunk: 7 });
    const utf8 = await read(good, { chunk: 5 });
    expect(named).toEqual(utf8);
    expect(detected).toEqual(utf8);
    expect(detected[0]).toMatchObject({ row: { name: '张女士', store: '静安店', products: ['水光针', '热玛吉'] } });
  });
});

describe('audience CSV bytes and charset', () => {
  const names = Array.from({ length: 4_000 }, (_, n) => `C${n},张三${n % 10 === 0 ? '丰' : ''},静安店`);
  const utf8 = Buffer.from(['客户编号,姓名,门店', ...names].join('\n'));
  // One invalid byte (0xFF) in the last row, the way the issue's file had it.
  const damaged = Buffer.concat([utf8, Buffer.from('\nC4000,李四'), Buffer.from([0xff]), Buffer.from(',徐汇店\n')]);

  it('chooses the charset on the whole file: one damaged UTF-8 row is refused by its line in every chunking', async () => {
    const answers = [];
    for (const chunk of [5, 1000, 64 * 1024, damaged.length]) {
      const lines = await read(damaged, { chunk });
      answers.push(lines.filter((l) => 'encoding' in l));
      expect(lines.filter((l) => 'row' in l)).toHaveLength(4_000);
      expect(lines.find((l) => 'row' in l && l.line === 2)).toMatchObject({ row: { name: '张三丰' } });
    }
    for (const answer of answers) expect(answer).toEqual([{ line: 4_002, encoding: expect.stringMatching(/not valid UTF-8/) }]);
  }, 30_000);

  it('refuses invalid GBK bytes by line, named or detected, instead of reading them as U+FFFD', async () => {
    const gbk = Buffer.concat([iconv.encode('客户编号,姓名\r\nG1,赵女士\r\nG2,钱', 'gbk'), Buffer.from([0xff, 0xfe]), iconv.encode('先生\r\nG3,孙女士\r\n', 'gbk')]);
    for (const charset of ['gbk', undefined]) {
      const lines = await read(gbk, { charset, chunk: 5 });
      expect(lines.filter((l) => 'encoding' in l)).toEqual([{ line: 3, encoding: expect.stringMatching(/not valid GBK\/GB18030/) }]);
      expect(lines).toContainEqual({ line: 4, row: { customerRef: 'G3', name: '孙女士' } });
    }
  });

  it('takes a BOM only at the very start: one before a second header mid-file is refused with its line', async () => {
    const first = `\uFEFF客户编号,姓名\nC1,张女士\n`;
    const joined = `${first}\uFEFF客户编号,姓名\nC2,李先生\n`;
    expect(await read(first)).toEqual([{ line: 2, row: { customerRef: 'C1', name: '张女士' } }]);
    const lines = await read(joined, { chunk: 2 });
    expect(lines.filter((l) => 'encoding' in l)).toEqual([{ line: 3, encoding: expect.stringMatching(/byte-order mark/) }]);
    expect(lines.some((l) => 'row' in l && l.row.name === '姓名')).toBe(false);
  });

  it('stops at a line longer than 16 KB, however the bytes arrive', async () => {
    const hostile = `客户编号,姓名\n${`${'a'.repeat(999)}"`.repeat(1_000)}\n`;
    for (const chunk of [1000, 64 * 1024]) await expect(read(hostile, { chunk })).rejects.toMatchObject({ code: 'AUDIENCE_LINE_TOO_LONG', context: { line: 2 } });
  });

  it('reports one short problem per line with stray quotes, not one per quote quoting the cell', async () => {
    const line = `C1,${'ab"'.repeat(300)}`;
    const lines = await read(`客户编号,姓名\n${line}\nC2,王"五\n`);
    const problems = lines.flatMap((l) => ('problems' in l ? l.problems.map((p) => ({ line: l.line, length: p.message.length })) : []));
    expect(problems.map((p) => p.line)).toEqual([2, 3]);
    for (const p of problems) expect(p.length).toBeLessThan(200);
  });

  it('stops reading after 1,000 format errors, even within a few lines of stray quotes', async () => {
    const line = `C1,${'a"'.repeat(8_000)}`;
    const lines = await read(`客户编号,姓名\n${Array.from({ length: 50 }, () => line).join('\n')}\n`);
    const problems = lines.filter((l) => 'problems' in l);
    expect(problems.at(-1)).toEqual({ line: 2, problems: [{ message: expect.stringMatching(/more than 1000 CSV format errors by this line; reading stopped/) }] });
    expect(problems.length).toBeLessThanOrEqual(2);
  }, 30_000);

  it('refuses an unclosed quote once its record passes 16 KB, and a header of thousands of columns', async () => {
    await expect(read(`客户编号,姓名\nC1,"${'张三\n'.repeat(10_000)}`)).rejects.toMatchObject({ code: 'AUDIENCE_LINE_TOO_LONG' });
    const wide = await read(`客户编号,${Array.from({ length: 2_000 }, (_, n) => `x${n}`).join(',')}\nC1\n`);
    expect(wide).toEqual([{ line: 1, problems: [{ message: expect.stringMatching(/2001 columns; an audience file has at most 100/) }] }]);
  });
});
