import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.ts';

/** A logger writing JSON lines into memory. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  return { logger, lines: () => lines.join('') };
}

describe('createLogger masks personal numbers in whatever is logged', () => {
  it('masks fields, nested fields, the message and errors', () => {
    const { logger, lines } = capture();
    logger.info({ text: '我手机 138 1234 5678', nested: { words: ['邮箱 zhang@example.com'] }, count: 3 }, '客户说 13912345678');
    logger.child({ module: 'x' }).warn({ err: new Error('bad reply: 身份证11010119900307123X') }, 'failed');
    logger.error(new Error('card 6222021234567890128'));
    const out = lines();
    expect(out).toContain('138****5678');
    expect(out).toContain('z***@example.com');
    expect(out).toContain('139****5678');
    expect(out).toContain('1101**********123X');
    expect(out).toContain('6222***********0128');
    expect(out).toContain('"count":3');
    for (const full of ['1234 5678', '13912345678', 'zhang@', '11010119900307123X', '6222021234567890128']) expect(out).not.toContain(full);
    // Still one JSON object per line, errors still serialized with their type.
    const parsed = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect((parsed[1]?.err as { type?: string }).type).toBe('Error');
  });

  it('masks a number glued to letters in a plain field such as scene (only identifier keys are left alone)', () => {
    const { logger, lines } = capture();
    logger.warn({ reason: 'not a signed invitation', scene: 'tel13812345678', sceneParam: 'wx138.1234.5678', conversationKey: 'wk:kf1:wm1' }, 'entry parameter refused');
    const line = JSON.parse(lines()) as Record<string, unknown>;
    expect(line.scene).toBe('tel138****5678');
    expect(line.sceneParam).toBe('wx138****5678');
    expect(line.conversationKey).toBe('wk:kf1:wm1');
    expect(lines()).not.toContain('13812345678');
  });

  it('keeps an err given as a string a string, masked', () => {
    const { logger, lines } = capture();
    logger.warn({ err: '400 rejected: 13812345678' }, 'failed');
    expect((JSON.parse(lines()) as { err: unknown }).err).toBe('400 rejected: 138****5678');
  });

  it('still redacts secrets by path', () => {
    const { logger, lines } = capture();
    logger.info({ wecom: { secret: 's3cret-value' } }, 'x');
    expect(lines()).not.toContain('s3cret-value');
  });
});
