import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedAddress } from '../../../src/core/networkAddress.ts';
import { createOutboundGuard, type Resolver } from '../../../src/followup/webhooks/outboundGuard.ts';

/** A resolver answering from a table, as DNS would (NXDOMAIN for names it does not know). */
function fakeDns(table: Record<string, string[]>): Resolver & { answers: Record<string, string[]> } {
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    const addresses = resolve.answers[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  resolve.answers = table;
  return resolve;
}

const dns = fakeDns({
  'hooks.example.com': ['93.184.216.34'],
  'v6.example.com': ['2606:4700::1111'],
  'rebind.example.com': ['93.184.216.34', '127.0.0.1'],
  'private.example.com': ['10.0.0.7'],
  'cgnat.example.com': ['100.64.1.1'],
  'metadata.example.com': ['169.254.169.254'],
  'ula.example.com': ['fd00::1'],
  'mapped.example.com': ['::ffff:192.168.1.1'],
  'crm.internal': ['10.1.2.3'],
  'crm2.example.com': ['10.1.2.4'],
});

describe('webhook URLs that lead inside are refused at registration', () => {
  const guard = createOutboundGuard({ resolve: dns });
  afterAll(() => guard.close());

  it.each([
    // Loopback in every way an address can be written.
    'http://127.0.0.1:6379/',
    'http://127.0.0.2/',
    'http://2130706433/',
    'http://017700000001/',
    'http://0x7f000001/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://[::1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
    'http://[::127.0.0.1]/',
    // Unspecified, broadcast, multicast.
    'http://0.0.0.0/',
    'http://0/',
    'http://[::]/',
    'http://255.255.255.255/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
    // Private, CGNAT, link-local with the metadata service, unique-local, mapped private.
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[2002:7f00:1::]/',
    // Names that never lead outside.
    'http://localhost:8080/',
    'http://LOCALHOST./',
    'http://app.localhost/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://printer.local/',
    'http://router.home.arpa/',
    // Names whose DNS answer leads inside (any one address is enough).
    'https://rebind.example.com/hooks',
    'https://private.example.com/',
    'https://cgnat.example.com/',
    'https://metadata.example.com/',
    'https://ula.example.com/',
    'https://mapped.example.com/',
  ])('%s', async (url) => {
    await expect(guard.assertAllowed(url)).rejects.toMatchObject({ code: 'WEBHOOK_URL_REFUSED', status: 400 });
  });

  it('lets public addresses and names through', async () => {
    for (const url of ['https://hooks.example.com/x?token=abc', 'https://v6.example.com/', 'http://93.184.216.34/', 'https://[2606:4700::1111]/', 'http://[::ffff:93.184.216.34]/']) {
      await expect(guard.assertAllowed(url), url).resolves.toBeUndefined();
    }
  });

  it('refuses a name that does not resolve, with its own code, and never repeats the URL in the message', async () => {
    const refused = await guard.assertAllowed('https://nowhere.example.com/secret-token-123').catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'WEBHOOK_HOST_UNRESOLVED', status: 400 });
    const inside = await guard.assertAllowed('http://127.0.0.1/secret-token-123').catch((e: Error) => e);
    for (const e of [refused, inside]) {
      expect((e as Error).message).not.toContain('secret-token-123');
      expect((e as Error).message).toMatch(/[\u4e00-\u9fff]/);
      expect((e as Error).message).toMatch(/webhook URL|webhook host/i);
    }
  });
});

describe('WEBHOOK_ALLOW_HOSTS', () => {
  const guard = createOutboundGuard({ resolve: dns, allowHosts: ['crm.internal', '10.9.9.9', '192.168.50.0/24', '[fd00::1]'] });
  afterAll(() => guard.close());

  it('allows the named hosts, addresses and ranges, and nothing else inside', async () => {
    for (const url of ['http://crm.internal/hooks', 'http://CRM.internal./hooks', 'http://10.9.9.9/', 'http://192.168.50.17/', 'http://ula.example.com/', 'http://[fd00::1]/']) {
      await expect(guard.assertAllowed(url), url).resolves.toBeUndefined();
    }
    for (const url of ['http://crm2.example.com/', 'http://10.9.9.10/', 'http://192.168.51.1/', 'http://other.internal/', 'http://127.0.0.1/']) {
      await expect(guard.assertAllowed(url), url).rejects.toMatchObject({ code: 'WEBHOOK_URL_REFUSED' });
    }
  });
});

describe('refusedAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['100.127.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['239.1.1.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:100.64.0.1', 'carrierGradeNat'],
    ['93.184.216.34', null],
    ['2606:4700::1111', null],
  ])('%s → %s', (address, why) => {
    expect(refusedAddress(address)).toBe(why);
  });
});

describe('the connect-time check (DNS rebinding)', () => {
  let server: Server;
  let port = 0;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('refuses a name that resolved to a public address at registration and to loopback when connecting', async () => {
    const rebinding = fakeDns({ 'hooks.example.com': ['93.184.216.34'] });
    const guard = createOutboundGuard({ resolve: rebinding });
    const url = `http://hooks.example.com:${port}/hooks`;
    await guard.assertAllowed(url);
    rebinding.answers['hooks.example.com'] = ['127.0.0.1'];
    const error = await request(url, { method: 'POST', body: '{}', dispatcher: guard.dispatcher }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WEBHOOK_URL_REFUSED' });
    expect(requests).toBe(0);
    await guard.close();
  });

  it('connects through the same lookup when the address is allowed (so the refusal above is the guard, not DNS)', async () => {
    const guard = createOutboundGuard({ resolve: fakeDns({ 'hooks.example.com': ['127.0.0.1'] }), allowHosts: ['127.0.0.1'] });
    const response = await request(`http://hooks.example.com:${port}/hooks`, { method: 'POST', body: '{}', dispatcher: guard.dispatcher });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    expect(requests).toBe(1);
    await guard.close();
  });
});
