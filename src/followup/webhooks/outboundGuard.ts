import { lookup as systemLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';
import { AppError } from '../../core/errors.ts';
import { inRange, parseAllowList, refusedAddress } from '../../core/networkAddress.ts';
import { withTimeout } from '../../core/withTimeout.ts';

/** The addresses a host name resolves to (all of them: one bad answer is enough to refuse). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface OutboundGuardOptions {
  /**
   * Hosts a merchant reaches on purpose although they are internal (WEBHOOK_ALLOW_HOSTS): a name
   * (`crm.internal`, matched exactly), an address (`10.1.2.3`) or a range (`10.1.0.0/16`).
   */
  allowHosts?: readonly string[];
  /** DNS (tests pass their own); default the system resolver, as every other connection uses. */
  resolve?: Resolver;
  /** A resolution slower than this fails (default 5 s). */
  resolveTimeoutMs?: number;
}

/**
 * A webhook URL that leads inside: loopback, a private or link-local network, the cloud metadata
 * service… 400, in Chinese and English; the message names the kind of address, never the URL
 * (it may carry the receiver's token and would be logged).
 */
export class OutboundUrlRefusedError extends AppError {
  constructor(code: 'WEBHOOK_URL_REFUSED' | 'WEBHOOK_HOST_UNRESOLVED', why: string) {
    const message =
      code === 'WEBHOOK_URL_REFUSED'
        ? `接收地址指向内网或本机（${why}），不能推送；内部系统请由运维加入 WEBHOOK_ALLOW_HOSTS。The webhook URL leads inside the network (${why}); an operator may allow an internal host with WEBHOOK_ALLOW_HOSTS.`
        : `接收地址的主机名无法解析（${why}），请检查地址。The webhook host name does not resolve (${why}); check the URL.`;
    super(code, message, { status: 400, context: { why } });
  }
}

/** Special-use names that never lead outside (RFC 6761, 6762, 8375; `.internal` as in metadata.google.internal). */
const INSIDE_NAME = /(?:^|\.)(?:localhost|localdomain|internal|local|home\.arpa)$/;

/**
 * Guards outbound webhook requests against reaching inside the network (SSRF): a URL is checked
 * when it is registered (its name resolved, every address judged) and again at connect time, by
 * the `lookup` of the HTTP agent that sends deliveries, so a name that resolved to a public
 * address at registration and to 127.0.0.1 later (DNS rebinding) is refused before a byte is sent.
 *
 * @example
 * const guard = createOutboundGuard({ allowHosts: ['crm.internal'] });
 * await guard.assertAllowed('http://169.254.169.254/latest/'); // throws OutboundUrlRefusedError (linkLocal)
 * await guard.assertAllowed('http://crm.internal/hooks');      // allowed by name
 * await request(url, { dispatcher: guard.dispatcher });         // the lookup judges again
 */
export function createOutboundGuard(options: OutboundGuardOptions = {}) {
  const resolve = options.resolve ?? ((hostname: string) => systemLookup(hostname, { all: true, verbatim: true }));
  const resolveTimeoutMs = options.resolveTimeoutMs ?? 5_000;
  const allow = parseAllowList(options.allowHosts ?? []);

  const addressAllowed = (address: string) => allow.ranges.some((range) => inRange(address, range));

  /** Throws unless every address is public or allowed. */
  function judge(addresses: readonly string[]): void {
    for (const address of addresses) {
      const why = addressAllowed(address) ? null : refusedAddress(address);
      if (why) throw new OutboundUrlRefusedError('WEBHOOK_URL_REFUSED', why);
    }
  }

  /**
   * What can be said without DNS: `allowed` (an allowed name or address, or a public address
   * written in the URL), `resolve` (a name to look up), or it throws (an inside address or name).
   */
  function checkWithoutDns(url: string): { verdict: 'allowed' } | { verdict: 'resolve'; hostname: string } {
    const hostname = hostOf(url);
    if (allow.names.has(hostname)) return { verdict: 'allowed' };
    if (ipaddr.isValid(hostname)) {
      judge([hostname]);
      return { verdict: 'allowed' };
    }
    if (INSIDE_NAME.test(hostname)) throw new OutboundUrlRefusedError('WEBHOOK_URL_REFUSED', 'special-use name');
    return { verdict: 'resolve', hostname };
  }

  async function resolveChecked(hostname: string): Promise<LookupAddress[]> {
    let addresses: LookupAddress[];
    try {
      addresses = await withTimeout(resolve(hostname), resolveTimeoutMs, 'DNS lookup');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new OutboundUrlRefusedError('WEBHOOK_HOST_UNRESOLVED', typeof code === 'string' ? code : 'no answer');
    }
    if (addresses.length === 0) throw new OutboundUrlRefusedError('WEBHOOK_HOST_UNRESOLVED', 'no address');
    if (!allow.names.has(hostname)) judge(addresses.map((a) => a.address));
    return addresses;
  }

  /** Registration: throws OutboundUrlRefusedError (400) unless the URL leads to public addresses only. */
  async function assertAllowed(url: string): Promise<void> {
    const first = checkWithoutDns(url);
    if (first.verdict === 'resolve') await resolveChecked(first.hostname);
  }

  // Called by net.connect for every name (never for an address literal, which checkWithoutDns
  // has judged before the request is made).
  function lookup(hostname: string, opts: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
    const host = hostname.toLowerCase().replace(/\.$/, '');
    resolveChecked(host).then(
      (addresses) => {
        if (opts.all) return callback(null, addresses);
        const wanted = addresses.find((a) => !opts.family || a.family === opts.family) ?? addresses[0]!;
        callback(null, wanted.address, wanted.family);
      },
      // An AppError carries its code (WEBHOOK_URL_REFUSED…), as a system error would.
      (error: unknown) => callback(error as NodeJS.ErrnoException, ''),
    );
  }

  const dispatcher = new Agent({ connect: { lookup } });
  return {
    assertAllowed,
    /** Before each request: the checks that need no DNS (the connect-time lookup does the rest). */
    assertAllowedWithoutDns: (url: string) => void checkWithoutDns(url),
    /** The undici dispatcher whose connections pass the guard; redirects are never followed by it. */
    dispatcher,
    close: () => dispatcher.close(),
  };
}

export type OutboundGuard = ReturnType<typeof createOutboundGuard>;

/** The URL's host as DNS and ipaddr.js read it: lower case, no IPv6 brackets, no trailing dot. */
function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}
