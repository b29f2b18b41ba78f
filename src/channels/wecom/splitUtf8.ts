const encoder = new TextEncoder();

/** Bytes `text` takes in UTF-8 (WeCom's limits are in bytes: a CJK char is 3, an emoji 4). */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Splits `text` into parts of at most `maxBytes` UTF-8 bytes, never inside a character (a
 * surrogate pair stays whole). Prefers to cut after a newline or sentence end in the last
 * fifth of a part, so parts read naturally. Empty text gives no parts.
 *
 * @example
 * splitUtf8('你好'.repeat(1000), 2048).length; // 3
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must be at least 4 (one UTF-8 character)');
  const parts: string[] = [];
  let current: string[] = [];
  let currentBytes = 0;
  let lastBreak = -1; // index in `current` after which a natural cut is possible
  for (const char of text) {
    const size = charBytes(char);
    if (currentBytes + size > maxBytes) {
      const cutAt = lastBreak >= 0 && bytesOf(current, lastBreak + 1) >= maxBytes * 0.8 ? lastBreak + 1 : current.length;
      parts.push(current.slice(0, cutAt).join(''));
      current = current.slice(cutAt);
      currentBytes = bytesOf(current, current.length);
      lastBreak = -1;
    }
    current.push(char);
    currentBytes += size;
    if (char === '\n' || char === '。' || char === '！' || char === '？') lastBreak = current.length - 1;
  }
  if (current.length > 0) parts.push(current.join(''));
  return parts;
}

function charBytes(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code < 0x10000) return 3;
  return 4;
}

function bytesOf(chars: string[], count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += charBytes(chars[i] ?? '');
  return total;
}
