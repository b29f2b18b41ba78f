import ipaddr from 'ipaddr.js';

/**
 * Which network addresses an outbound request may go to: pure, so config validation and the
 * webhook guard share it.
 */

/**
 * Why an address must not be called, or null when it is an ordinary public unicast address.
 * IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as its IPv4; every range ipaddr.js knows other
 * than `unicast` is refused: loopback, private (RFC 1918), carrier-grade NAT (100.64/10),
 * link-local (169.254/16 with the metadata service, fe80::/10), unique-local (fc00::/7),
 * multicast, unspecified, broadcast, reserved, and IPv6 forms that carry an IPv4 inside (NAT64,
 * 6to4, Teredo) or the deprecated IPv4-compatible ::a.b.c.d, whose IPv4 could be any of those.
 *
 * @example
 * refusedAddress('169.254.169.254') // 'linkLocal'
 * refusedAddress('93.184.216.34')   // null
 */
export function refusedAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an address';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range !== 'unicast') return range;
  // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291) has no range of its own in ipaddr.js.
  return ip.kind() === 'ipv6' && ip.match(IPV4_COMPATIBLE) ? 'ipv4Compatible' : null;
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** An allow list (names, addresses, CIDR ranges) split into exact names and address ranges. */
export function parseAllowList(entries: readonly string[]): { names: Set<string>; ranges: Range[] } {
  const names = new Set<string>();
  const ranges: Range[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (!entry) continue;
    if (ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const ip = ipaddr.parse(entry);
      ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else names.add(entry);
  }
  return { names, ranges };
}

/** Whether `address` (IPv4-mapped IPv6 judged as its IPv4) lies in `range`. */
export function inRange(address: string, [base, bits]: Range): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.kind() === base.kind() && ip.match(base, bits);
}

/** Whether an allow-list entry is a name, an address or a range (config validation). */
export function isAllowListEntry(entry: string): boolean {
  const e = entry.trim().replace(/^\[|\]$/g, '');
  return ipaddr.isValidCIDR(e) || ipaddr.isValid(e) || /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(e);
}
