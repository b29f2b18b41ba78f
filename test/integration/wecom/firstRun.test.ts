import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './wecomHarness.ts';

// The simulated WeCom clock runs an hour behind, so what customers write now is "history" for
// a first pull whose callback arrives at our (real) time.
let offsetMs = -3600_000;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: 'wecom_first_run', simulator: { now: () => Date.now() + offsetMs } });
});
afterAll(async () => h.close());

describe('first run without a cursor', () => {
  it('drains history without handing it on, then saves the cursor', async () => {
    await h.sim.customerSays('hist_a', 'written an hour ago');
    await h.sim.customerSays('hist_b', 'also old');
    await h.idle();
    expect(h.inbound).toEqual([]);
    expect(await h.instances[0]!.redis.get(h.stores.keys.wecomCursor(h.sim.openKfId))).toEqual(expect.any(String));
    // The drained customer message still opened the send allowance, as it does at WeCom.
    const sent = await h.channel.port.send({ channel: 'wecom-kf', accountId: h.sim.openKfId, customerId: 'hist_a' }, { kind: 'text', text: '抱歉回复晚了' });
    expect(sent).toMatchObject({ status: 'sent' });
  });

  it('after that, every new message is handed on, whatever its timestamp', async () => {
    const { msgid: late } = await h.sim.customerSays('hist_a', 'old clock, new message');
    offsetMs = 0;
    const { msgid: now } = await h.sim.customerSays('hist_c', 'right now');
    await h.idle();
    expect(h.inbound.map((m) => m.id)).toEqual([late, now]);
  });
});
