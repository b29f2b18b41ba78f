/**
 * Size limits of what the bot says. WeCom takes a text of up to 2048 UTF-8 bytes as one message,
 * and a reply may carry few messages (see packMessages.ts); a text over that is split, and a turn
 * over the budget is refused whole, so the question in it never arrives. Flows are checked
 * against these limits at publish time, with every placeholder at its cap; the renderer enforces
 * them again at run time.
 */
export const messageLimits = {
  /** One WeCom text message, in UTF-8 bytes. */
  textBytes: 2048,
  /** A menu's head; a longer head is sent as a text before the menu (one more message). */
  menuHeadBytes: 1024,
  /**
   * An answer or customer field quoted in a text is cut to this many UTF-16 units (with "…"),
   * so a 2,000-character answer cannot blow up the next question.
   */
  fieldChars: 200,
} as const;

/** A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4): the most a capped field takes. */
export const fieldMaxBytes = messageLimits.fieldChars * 3;

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/** `text` cut to at most `max` UTF-16 units, the cut marked with "…" (never inside a surrogate pair). */
export function capChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/** `text` cut to at most `max` UTF-8 bytes at a character boundary, the cut marked with "…". */
export function capBytes(text: string, max: number): string {
  if (utf8Bytes(text) <= max) return text;
  let bytes = 3; // the "…"
  let end = 0;
  for (const char of text) {
    bytes += utf8Bytes(char);
    if (bytes > max) break;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}

/** WeCom messages a text of `bytes` bytes takes (a part holds at least 2045 bytes: cuts fall between characters). */
export function textParts(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / (messageLimits.textBytes - 3)));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
