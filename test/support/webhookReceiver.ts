import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message the receiver accepted, with the result of checking its signature by hand. */
export interface Received {
  id: string;
  timestamp: number;
  type: string;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  verified: boolean;
}

/**
 * Verifies a Standard Webhooks signature the way the spec describes it, without the library the
 * service signs with: HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>" keyed with the
 * base64-decoded secret after "whsec_"; the header holds space-separated "v1,<base64>" entries.
 */
export function verifyStandardWebhook(secret: string, headers: Record<string, string | undefined>, body: string, toleranceSeconds = 300): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures || !secret.startsWith('whsec_')) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * A test receiver for webhooks: records what arrives, answers `status()` (200 by default), and
 * can be stopped and started again on the same port to play an endpoint that is down.
 */
export async function startWebhookReceiver(options: { secret?: () => string | undefined; port?: number; host?: string } = {}) {
  const host = options.host ?? '127.0.0.1';
  const received: Received[] = [];
  let status = 200;
  let answerText: string | undefined;
  let location: string | undefined;
  let requests = 0;
  let server: Server | undefined;
  let port = options.port ?? 0;

  async function start(): Promise<void> {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests++;
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(' ') : v]));
        if (status >= 200 && status < 300) {
          const json = JSON.parse(body) as Received['json'];
          const secret = options.secret?.();
          received.push({ id: String(headers['webhook-id']), timestamp: Number(headers['webhook-timestamp']), type: json.type, body, json, verified: secret ? verifyStandardWebhook(secret, headers, body) : false });
        }
        res.writeHead(status, { 'content-type': 'text/plain', ...(location ? { location } : {}) });
        res.end(answerText ?? (status >= 300 ? `receiver says ${status}` : 'ok'));
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, host, resolve));
    port = (server.address() as AddressInfo).port;
  }
  await start();

  return {
    url: () => `http://${host}:${port}/hooks`,
    received,
    requests: () => requests,
    /** Answers `code` from now on, with `text` as the body (default a short line). */
    answer(code: number, text?: string) {
      status = code;
      answerText = text;
      location = undefined;
    },
    /** Answers 302 with a Location header from now on. */
    redirect(to: string) {
      status = 302;
      answerText = undefined;
      location = to;
    },
    /** Closes the port: connections are refused until `start()`. */
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
      server = undefined;
    },
    start,
  };
}
