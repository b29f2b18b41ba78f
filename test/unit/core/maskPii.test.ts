import { describe, expect, it } from 'vitest';
import { containsPii, isResidentId, maskPii, maskPiiDeep, passesLuhn } from '../../../src/core/maskPii.ts';

describe('maskPii masks personal numbers as customers write them', () => {
  it.each([
    // Mobile numbers: plain, grouped, dashed, with country prefixes, full-width.
    ['我手机13812345678', '我手机138****5678'],
    ['我手机 138 1234 5678', '我手机 138****5678'],
    ['电话：138-1234-5678，随时打', '电话：138****5678，随时打'],
    ['+86 138 1234 5678', '+86 138****5678'],
    ['+8613812345678', '+86138****5678'],
    ['0086-13812345678', '0086-138****5678'],
    ['86 19912345678找我', '86 199****5678找我'],
    ['手机号１３８１２３４５６７８', '手机号138****5678'],
    ['打给我15012345678或者17712345678', '打给我150****5678或者177****5678'],
    ['9分，有事打13812345678', '9分，有事打138****5678'],
    // Glued to letters in front or behind, and 3-4-4 with dots (issue 25).
    ['tel13812345678', 'tel138****5678'],
    ['wx13812345678', 'wx138****5678'],
    ['13812345678abc', '138****5678abc'],
    ['138.1234.5678', '138****5678'],
    ['加我wx13812345678谢谢', '加我wx138****5678谢谢'],
    ['TEL:+8613812345678', 'TEL:+86138****5678'],
    ['Tel１３８．１２３４．５６７８', 'Tel138****5678'],
    ['order_13812345678_x', 'order_138****5678_x'],
    // Landlines with an area code.
    ['座机010-12345678', '座机010-****5678'],
    ['门店电话 0755 8888 9999', '门店电话 0755-****9999'],
    ['(021)61234567转人工', '021-****4567转人工'],
    ['（０２１）６１２３ ４５６７', '021-****4567'],
    ['0571-87654321-801', '0571-****4321'],
    // Resident ID numbers: 18 digits with X or x, grouped, the old 15 digits.
    ['身份证110101199003071234', '身份证1101**********1234'],
    ['身份证号11010119900307123X', '身份证号1101**********123X'],
    ['证件 44030519851231002x 请核对', '证件 4403**********002x 请核对'],
    ['110101 19900307 123X', '1101**********123X'],
    ['老身份证110101900307123', '老身份证1101*******7123'],
    ['ID11010119900307123X', 'ID1101**********123X'],
    // Bank cards (Luhn-valid), in one piece or in groups of 4.
    ['退款到卡6222021234567890128', '退款到卡6222***********0128'],
    ['卡号 6222 0212 3456 7890 128', '卡号 6222***********0128'],
    ['6217-0012-3456-7893', '6217********7893'],
    // Email addresses.
    ['邮箱 zhangsan@example.com 谢谢', '邮箱 z***@example.com 谢谢'],
    ['发到Li.Ming+hf@mail.qq.com', '发到L***@mail.qq.com'],
    ['13812345678@163.com', '1***@163.com'],
  ])('%s → %s', (input, expected) => {
    expect(maskPii(input)).toBe(expected);
    expect(containsPii(input)).toBe(true);
  });
});

describe('maskPii leaves ordinary survey answers alone', () => {
  it.each([
    '8分',
    '10',
    '给个九分吧',
    '下次 2026-12-01 再来',
    '20261201 到店',
    '¥1299 有点贵',
    '价格1299元，优惠200',
    '订单号 A20261128001',
    '订单 8812345',
    '12:30 到店，等了 45 分钟',
    '0.5 折都不买',
    '服务 5 5 4 5',
    // 19 digits that fail the Luhn check: an order number, not a card.
    '订单号2026112812345678901',
    // 18 digits whose "birth date" is impossible: not an ID.
    '流水号110101199013071234',
    // Identifiers with letters and other digits around an 11-digit run: not a glued phone.
    'A1B13812345678',
    '6571a13812345678bcdef012',
    'SO13812345678001',
    'SO20261207000123',
    // A courier number (letters + 16 digits) that happens to pass Luhn stays: cards must stand apart.
    'YT4111111111111111',
    // Timestamps, hashes and uuids.
    '1765120000000',
    'ts1765120000000',
    '2026-12-07T18:24:53.123Z',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '550e8400-e29b-41d4-a716-446655440000',
    // Dots elsewhere than 3-4-4, and prices.
    '138.12345678',
    '1381234.5678',
    '价格13.80元',
    'v1.38.1234',
    '',
  ])('%s', (input) => {
    expect(maskPii(input)).toBe(input);
    expect(containsPii(input)).toBe(false);
  });

  it('does not mask twice', () => {
    const once = maskPii('手机 138 1234 5678 身份证11010119900307123X');
    expect(maskPii(once)).toBe(once);
  });
});

describe('helpers', () => {
  it('checks region and birth date of IDs', () => {
    expect(isResidentId('110101199003071234')).toBe(true);
    expect(isResidentId('990101199003071234')).toBe(false);
    expect(isResidentId('110101199002301234')).toBe(false);
  });

  it('checks Luhn digits', () => {
    expect(passesLuhn('6222021234567890128')).toBe(true);
    expect(passesLuhn('6222021234567890123')).toBe(false);
  });
});

describe('maskPiiDeep', () => {
  it('masks strings in nested objects and arrays, and leaves other values and the input alone', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    const input = { n: 13812345678, at, answers: [{ raw: '手机13812345678', value: 8 }], nested: { mail: 'a.b@qq.com' } };
    const out = maskPiiDeep(input);
    expect(out).toEqual({ n: 13812345678, at, answers: [{ raw: '手机138****5678', value: 8 }], nested: { mail: 'a***@qq.com' } });
    expect(out.at).toBe(at);
    expect(input.answers[0]?.raw).toBe('手机13812345678');
  });
});

describe('maskPiiDeep and identifiers', () => {
  it('leaves ids, keys and links alone, however much they look like a card number', () => {
    // 16 digits that pass Luhn, as the start of a hex id might.
    const id = '4111111111111111abcdef01';
    const input = { id: '4111111111111111', sessionId: id, taskIds: ['4111111111111111'], eventKey: `${id}:completed`, links: { console: `https://hf/console#/x/4111111111111111` }, raw: '4111111111111111' };
    expect(maskPiiDeep(input)).toEqual({ ...input, raw: '4111********1111' });
  });
});
