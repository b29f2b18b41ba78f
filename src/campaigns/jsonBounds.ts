/**
 * JSON.parse builds the whole value at once, and a few bytes can cost a hundred times their size
 * in heap: 20 MB of `{},` is 6.9 million objects, which ran a 256 MiB heap out of memory. So the
 * text is measured first, one pass outside strings, and refused when it holds more objects,
 * arrays or values than an audience of the allowed size could.
 */

export interface JsonSize {
  /** Objects and arrays. */
  containers: number;
  /** Values inside containers (commas + 1 per non-empty container), a bound on what JSON.parse allocates. */
  values: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPENERS = new Set([0x7b, 0x5b]);
const CLOSERS = new Set([0x7d, 0x5d]);

export function measureJson(text: string): JsonSize {
  let containers = 0;
  let values = 0;
  let inString = false;
  // Whether the innermost open container has anything in it yet (its first value has no comma).
  let emptySoFar = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c <= 0x20) continue;
    if (emptySoFar && !CLOSERS.has(c)) {
      values += 1;
      emptySoFar = false;
    }
    if (c === QUOTE) inString = true;
    else if (c === COMMA) values += 1;
    else if (OPENERS.has(c)) {
      containers += 1;
      emptySoFar = true;
    } else if (CLOSERS.has(c)) emptySoFar = false;
  }
  return { containers, values };
}
