import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetOf, readAudienceCsv, type CsvLine } from '../../../src/campaigns/readAudienceCsv.ts';

const now = new Date('2026-12-01T10:00:00+08:00');
const options = { timeZone: 'Asia/Shanghai', now };

async function read(bytes: Buffer | string, extra: { charset?: string; chunk?: number } = {}): Promise<CsvLine[]> {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const size = extra.chunk ?? buffer.length;
  async function* chunks() {
    for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
  }
  const out: CsvLine[] = [];
  for await (const line of readAudienceCsv(chunks(), { ...options, charset: extra.charset })) out.push(line);
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
