import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/core/messages.ts';
import { startHarness, type Harness } from './wecomHarness.ts';

// Two channel "processes" share Redis and the queue: one puller per open_kfid across both.
let h: Harness;
beforeAll(async () => {
  // Small pages and WeCom's occasional empty has_more page make pulls long enough to overlap.
  h = await startHarness({ label: 'wecom_many', instances: 2, simulator: { emptyPageEvery: 7 }, channel: { options: { syncPageSize: 20 } } });
});
afterAll(async () => h.close());

describe('200 simulated customers writing at once', () => {
  it('hands every message on exactly once, in order per customer', async () => {
    const customers = Array.from({ length: 200 }, (_, i) => `load_${String(i).padStart(3, '0')}`);
    const perCustomer = 3;
    const sent = new Map<string, string[]>();
    await Promise.all(
      customers.map(async (customer) => {
        for (let n = 0; n < perCustomer; n++) {
          const { msgid, callbackStatus } = await h.sim.customerSays(customer, `${customer}#${n}`);
          expect(callbackStatus).toBe(200);
          sent.set(customer, [...(sent.get(customer) ?? []), msgid]);
        }
      }),
    );
    // Meanwhile WeCom retries some callbacks.
    await h.sim.redeliverLastCallback(3);
    await h.idle(25_000);

    expect(h.inbound).toHaveLength(customers.length * perCustomer);
    const ids = h.inbound.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const customer of customers) {
      const mine = h.inbound.filter((m) => m.conversation.customerId === customer) as Extract<InboundMessage, { kind: 'text' }>[];
      expect(mine.map((m) => m.id)).toEqual(sent.get(customer));
      expect(mine.map((m) => m.text)).toEqual([0, 1, 2].map((n) => `${customer}#${n}`));
    }
    // Callbacks were coalesced: fewer pulls than callbacks, though at least one per page.
    expect(h.sim.stats().syncCalls).toBeGreaterThanOrEqual((customers.length * perCustomer) / 20);
    expect(h.sim.stats().syncCalls).toBeLessThan(customers.length * perCustomer);
  }, 30_000);
});
