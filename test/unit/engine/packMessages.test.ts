import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/core/messages.ts';
import { packMessages } from '../../../src/engine/runtime/packMessages.ts';

const text = (t: string): OutboundMessage => ({ kind: 'text', text: t });
const menu = (head: string): OutboundMessage => ({ kind: 'menu', head, items: [{ id: 'q:1', label: '1' }] });

describe('packMessages', () => {
  it('joins consecutive texts and puts a leading text into the menu head', () => {
    expect(packMessages([text('谢谢'), text('下一题'), menu('满意吗？')])).toEqual([
      { kind: 'menu', head: '谢谢\n下一题\n满意吗？', items: [{ id: 'q:1', label: '1' }] },
    ]);
  });

  it('keeps a menu and a text after it apart', () => {
    expect(packMessages([menu('a'), text('b')])).toEqual([menu('a'), text('b')]);
  });

  it('folds anything beyond the limit into the last message as text', () => {
    const packed = packMessages([menu('a'), menu('b'), menu('c'), text('d')], 3);
    expect(packed).toHaveLength(3);
    expect(packed[2]).toEqual({ kind: 'text', text: 'c\n1\nd' });
  });
});
