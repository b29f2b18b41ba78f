/**
 * The second phase of wiring. Some parts need each other (the channel hands messages to the
 * conversation, which sends through the channel), so a composition root first constructs every
 * part, then connects the few that point back. A part holds such a dependency in a connector:
 * using it before `connect()` is a wiring mistake and throws at once, instead of an undefined
 * slot failing later.
 *
 * @example
 * const conversation = connector<ConversationControl>('escalation → conversation');
 * // ... constructed; later, by the composition root:
 * conversation.connect(service);
 */
export interface Connector<T> {
  connect(value: T): void;
  get(): T;
}

export function connector<T>(name: string): Connector<T> {
  let value: T | undefined;
  return {
    connect(v) {
      if (value !== undefined) throw new Error(`${name} is connected twice`);
      value = v;
    },
    get() {
      if (value === undefined) throw new Error(`${name} is used before it is connected`);
      return value;
    },
  };
}
