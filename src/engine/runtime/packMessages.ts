import type { OutboundMessage } from '../../core/messages.ts';

/** WeCom allows 5 messages per customer message, reminders and pauses included; we use at most 3. */
export const maxMessagesPerTurn = 3;

/**
 * Merges one turn's message parts so the customer gets as few bubbles as possible: consecutive
 * texts become one text, and a text right before a menu becomes the menu's head. Anything still
 * over `max` is folded into the last message as plain text.
 */
export function packMessages(parts: readonly OutboundMessage[], max = maxMessagesPerTurn): OutboundMessage[] {
  const packed: OutboundMessage[] = [];
  for (const part of parts) {
    const last = packed.at(-1);
    if (last?.kind === 'text' && part.kind === 'text') packed[packed.length - 1] = { kind: 'text', text: `${last.text}\n${part.text}` };
    else if (last?.kind === 'text' && part.kind === 'menu') {
      packed[packed.length - 1] = { ...part, head: part.head === undefined ? last.text : `${last.text}\n${part.head}` };
    } else packed.push(part);
  }
  while (packed.length > max) {
    const tail = packed.splice(max - 1);
    packed.push({ kind: 'text', text: tail.map(toText).join('\n') });
  }
  return packed;
}

function toText(message: OutboundMessage): string {
  if (message.kind === 'text') return message.text;
  return [message.head, ...message.items.map((i) => i.label), message.tail].filter((s) => s !== undefined).join('\n');
}
