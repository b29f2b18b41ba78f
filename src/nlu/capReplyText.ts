/**
 * The most characters of one reply the analysers read. Replies are a few words; a pasted essay
 * only costs time (the rules are regular expressions over the whole text) and LLM tokens, and its
 * answer is near the start. The conversation layer keeps the whole text in the transcript.
 */
export const MAX_ANALYSED_CHARS = 500;

/**
 * The part of `text` the analysers read: its first MAX_ANALYSED_CHARS UTF-16 units, without a
 * dangling half of a surrogate pair at the cut.
 *
 * @example
 * capReplyText('八'.repeat(50_000)).length // 500
 */
export function capReplyText(text: string): string {
  if (text.length <= MAX_ANALYSED_CHARS) return text;
  const head = text.slice(0, MAX_ANALYSED_CHARS);
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
}
