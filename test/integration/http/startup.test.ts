import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { startService, type RunningService } from '../../../src/main.ts';
import { isolatedEnv } from '../../support/serviceHarness.ts';

// The service listens before its app is attached (the simulator needs its URL); onListening runs
// in that window, so the "early" requests below are deterministic rather than a race.
let service: RunningService;
let early: { status: number; retryAfter: string | null; nosniff: string | null; body: unknown }[] = [];

beforeAll(async () => {
  const config = loadConfig(isolatedEnv('startup'));
  service = await startService(config, {
    logger: createLogger({ level: config.logLevel }),
    onListening: async (url) => {
      // A hang here fails the test through the timeout rather than stalling it.
      const probes = [
        fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) }),
        fetch(`${url}/wecom/callback?msg_signature=x&timestamp=1&nonce=n`, { method: 'POST', body: '<xml></xml>', signal: AbortSignal.timeout(10_000) }),
      ];
      early = await Promise.all(
        probes.map(async (p) => {
          const res = await p;
          return { status: res.status, retryAfter: res.headers.get('retry-after'), nosniff: res.headers.get('x-content-type-options'), body: await res.json() };
        }),
      );
    },
  });
}, 120_000);
afterAll(async () => service?.stop());

describe('start-up', () => {
  it('answers 503 NOT_READY with Retry-After to requests that arrive before the app is attached', () => {
    expect(early).toHaveLength(2);
    for (const answer of early) {
      expect(answer).toMatchObject({ status: 503, retryAfter: '1', nosniff: 'nosniff', body: { error: { code: 'NOT_READY' } } });
    }
  });

  it('answers normally once started', async () => {
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
