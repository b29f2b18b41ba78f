import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import { ADMIN_TOKEN, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

let service: RunningService;
beforeAll(async () => {
  service = await startTestService(isolatedEnv('response_headers'));
}, 120_000);
afterAll(async () => service?.stop());

describe('security headers', () => {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  it.each([
    ['/healthz', {}],
    ['/readyz', {}],
    ['/api/flows', auth],
    ['/api/flows', {}],
    ['/api/openapi.json', {}],
    ['/api/no-such-thing', auth],
    ['/simulator', {}],
    ['/simulator/cgi-bin/gettoken', {}],
    ['/simulator/api/info', {}],
    ['/console', {}],
    ['/console/app.js', {}],
    ['/admin', {}],
    ['/admin/static/app.js', {}],
    ['/wecom/callback', {}],
    ['/nowhere', {}],
  ])('GET %s carries nosniff, Referrer-Policy and a CSP', async (path, headers) => {
    const res = await fetch(`${service.url}${path}`, { headers });
    await res.arrayBuffer();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('keeps each page its own CSP and gives everything else one that loads nothing', async () => {
    const csp = async (path: string) => (await fetch(`${service.url}${path}`)).headers.get('content-security-policy');
    expect(await csp('/admin')).toContain("script-src 'self'");
    expect(await csp('/console')).toContain("script-src 'self'");
    expect(await csp('/simulator')).toContain("script-src 'self'");
    expect(await csp('/simulator')).toContain("frame-ancestors 'none'");
    expect(await csp('/healthz')).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  });
});

describe('malformed URLs', () => {
  it.each(['/api/flows/%E0%A4%A', '/admin/vendor/yaml/%E0%A4%A.js', '/simulator/%E0%A4%A', '/api/sessions/%ZZ', '/console/%C0'])(
    'GET %s answers 400 URL_MALFORMED',
    async (path) => {
      const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: { code: 'URL_MALFORMED', message: 'The URL path has invalid percent-encoding' } });
    },
  );
});
