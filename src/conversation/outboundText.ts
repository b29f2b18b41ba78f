import type { OutboundMessage } from '../core/messages.ts';

/** Plain-text rendering of an outbound message, for transcripts and logs. */
export function outboundText(message: OutboundMessage): string {
  if (message.kind === 'text') return message.text;
  const items = message.items.map((item) => `[${item.label}]`).join(' ');
  return [message.head, items, message.tail].filter(Boolean).join('\n');
}

/**
 * Folds a turn's messages into what a one-shot welcome code can carry: exactly one message.
 * Leading texts are joined; a following menu takes them as its head. Anything after that is
 * returned separately (it goes through the normal send path).
 */
export function mergeForWelcome(messages: OutboundMessage[]): { welcome: OutboundMessage | null; rest: OutboundMessage[] } {
  const texts: string[] = [];
  let index = 0;
  for (; index < messages.length; index++) {
    const message = messages[index]!;
    if (message.kind === 'text') {
      texts.push(message.text);
      continue;
    }
    const head = [...texts, message.head].filter(Boolean).join('\n\n');
    return { welcome: { ...message, head: head || undefined }, rest: messages.slice(index + 1) };
  }
  return { welcome: texts.length ? { kind: 'text', text: texts.join('\n\n') } : null, rest: [] };
}
