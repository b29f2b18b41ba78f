import { expect } from 'vitest';
import type { Analysis } from '../../../src/core/analysis.ts';
import type { OutboundMessage } from '../../../src/core/messages.ts';
import { compileFlow, parseFlow, persistedSnapshotSchema, runTurn, startSession } from '../../../src/engine/index.ts';
import type { CompiledFlow, EngineEvent, TurnResult } from '../../../src/engine/index.ts';

/** An NLU result: an `answer` with nothing extracted, plus what the test sets. */
export function analysis(fields: Partial<Analysis> = {}): Analysis {
  return { intent: 'answer', score: null, sentiment: null, topics: [], timing: null, products: [], choices: null, source: {}, ...fields };
}

/** A `user.replied` event. */
export function reply(text: string, fields: Partial<Analysis> = {}, menuId?: string): EngineEvent {
  return { type: 'user.replied', text, analysis: analysis(fields), ...(menuId === undefined ? {} : { menuId }) };
}

/** Shorthands for common replies. */
export const says = {
  score: (score: number, text = String(score)) => reply(text, { score }),
  text: (text: string, fields: Partial<Analysis> = {}) => reply(text, fields),
  unclear: (text = '嗯嗯') => reply(text, { intent: 'unclear' }),
  intent: (intent: Analysis['intent'], text: string) => reply(text, { intent }),
  click: (menuId: string, label = menuId) => reply(label, { intent: 'unclear' }, menuId),
};

/** Parses YAML or fails the test with the problems. */
export function compileYaml(yamlText: string): CompiledFlow {
  const parsed = parseFlow(yamlText);
  if (!parsed.ok) throw new Error(`flow invalid: ${JSON.stringify(parsed.problems, null, 2)}`);
  return compileFlow(parsed.flow);
}

/** The text a customer reads in one message (menu head, items and tail). */
export function readable(message: OutboundMessage): string {
  return message.kind === 'text' ? message.text : [message.head, ...message.items.map((i) => i.label), message.tail].filter(Boolean).join('\n');
}

/**
 * Drives one session the way the conversation layer does: the snapshot goes through JSON (as
 * MongoDB stores it) between every turn, and no turn may send more than 3 messages.
 */
export class Conversation {
  last: TurnResult;
  readonly turns: TurnResult[] = [];
  private clock: number;

  constructor(
    readonly compiled: CompiledFlow,
    customer: Record<string, string | undefined> = { nickname: '王女士' },
    start = new Date('2025-03-01T02:00:00Z'),
    askedBefore: string[] = [],
  ) {
    this.clock = start.getTime();
    this.last = this.record(startSession(compiled, { customer, now: start, askedBefore }));
  }

  send(event: EngineEvent): TurnResult {
    this.clock += 60_000;
    // As the store would hand it back: serialised, then parsed and checked.
    const stored = persistedSnapshotSchema.parse(JSON.parse(JSON.stringify(this.last.snapshot)));
    return this.record(runTurn(this.compiled, stored, event, new Date(this.clock)));
  }

  /** All the customer would read from the last turn, as one string. */
  get text(): string {
    return this.last.messages.map(readable).join('\n');
  }

  private record(turn: TurnResult): TurnResult {
    expect(turn.messages.length).toBeLessThanOrEqual(3);
    expect(JSON.parse(JSON.stringify(turn.snapshot))).toEqual(turn.snapshot);
    this.turns.push(turn);
    this.last = turn;
    return turn;
  }
}
