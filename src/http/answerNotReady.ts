import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './securityHeaders.ts';

/** Seconds a client should wait before retrying while the service starts. */
const RETRY_AFTER_SECONDS = 1;

/**
 * The request handler of a server that listens before the app is ready: answers 503 NOT_READY
 * with Retry-After, so probes and WeCom callbacks during start-up get an answer instead of hanging.
 *
 * @example
 * const server = createServer(answerNotReady); // later: removeListener, then on('request', app.callback())
 */
export function answerNotReady(req: IncomingMessage, res: ServerResponse): void {
  // Read and drop any body, so the connection can be reused once the app is attached.
  req.resume();
  const body = JSON.stringify({ error: { code: 'NOT_READY', message: 'The service is starting; retry in a moment' } });
  res.writeHead(503, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'retry-after': String(RETRY_AFTER_SECONDS),
  });
  res.end(body);
}
