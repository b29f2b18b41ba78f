import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does to matching requests:
 * - `unavailable`: answers HTTP 503 without passing the request on (WeCom down);
 * - `refuse`: answers `{errcode}` without passing the request on (WeCom refusing it);
 * - `lose-answer`: passes the request on (it takes effect) but cuts the connection instead of
 *   answering, as a timeout after WeCom did the work looks to the caller;
 * - `errcode`: passes it on and replaces errcode `from` in the answer with `to`.
 */
export type Fault =
  | { path: RegExp; kind: 'unavailable'; times?: number }
  | { path: RegExp; kind: 'refuse'; errcode: number; times?: number }
  | { path: RegExp; kind: 'lose-answer'; times?: number }
  | { path: RegExp; kind: 'errcode'; from: number; to: number; times?: number };

/**
 * An HTTP proxy in front of a WeCom stand-in that injects faults on chosen paths, so tests can
 * break the real HTTP exchange between the service and "WeCom" without touching either.
 */
export interface FaultyProxy {
  url: string;
  add(fault: Fault): void;
  clear(): void;
  /** How many requests each path pattern of the current faults affected. */
  hits(path: RegExp): number;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const faults: Array<Fault & { left: number }> = [];
  const hitCounts = new Map<string, number>();
  const base = target.replace(/\/+$/, '');

  function take(path: string): (Fault & { left: number }) | undefined {
    const fault = faults.find((f) => f.path.test(path) && f.left > 0);
    if (!fault) return undefined;
    fault.left -= 1;
    hitCounts.set(fault.path.source, (hitCounts.get(fault.path.source) ?? 0) + 1);
    return fault;
  }

  async function forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; text: string }> {
    const response = await fetch(`${base}${req.url ?? '/'}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    return { status: response.status, text: await response.text() };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0]!;
    const fault = take(path);
    if (fault?.kind === 'unavailable') {
      res.writeHead(503).end('unavailable');
      return;
    }
    if (fault?.kind === 'refuse') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: fault.errcode, errmsg: 'refused by the test proxy' }));
      return;
    }
    const answer = await forward(req, Buffer.concat(chunks));
    if (fault?.kind === 'lose-answer') {
      res.socket?.destroy();
      return;
    }
    let text = answer.text;
    if (fault?.kind === 'errcode') text = text.replace(new RegExp(`"errcode":\\s*${fault.from}\\b`), `"errcode":${fault.to}`);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add(fault) {
      faults.push({ ...fault, left: fault.times ?? Infinity });
    },
    clear() {
      faults.length = 0;
    },
    hits(path) {
      return hitCounts.get(path.source) ?? 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
