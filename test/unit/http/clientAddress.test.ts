import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../../src/http/signInBrake.ts';

describe('clientAddress: what failed sign-ins are counted under', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    // One IPv6 host usually holds a whole /64: every address in it counts as one.
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['::1', '::/64'],
    ['', 'unknown'],
  ])('%s → %s', (ip, key) => {
    expect(clientAddress(ip)).toBe(key);
  });
});
