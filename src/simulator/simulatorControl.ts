import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { SimulatorHandler } from './simulatorServer.ts';
import type { SimulatorMessage, WecomSimulator } from './simulatorTypes.ts';

/**
 * The control surface of a standalone simulator process (see cli.ts), for drivers that must
 * outlive the service they test (the fault suite kills it): a feed of every transcript message,
 * the advisor notifications, and injected faults. Faults are WeCom's API answering HTTP 5xx or
 * timing out, and callbacks delivered twice or out of order. Callbacks go through a relay in
 * this process (`/control/relay`), so duplicating and reordering them needs nothing from the
 * simulator itself.
 */

/** How WeCom's API (`/cgi-bin/...`) misbehaves right now. */
export interface ApiFault {
  /**
   * `none`; `error`: answer HTTP `status` without doing anything; `timeout`: do the call, but only
   * after `delayMs` (longer than the caller's timeout), so the caller cannot know it happened.
   */
  mode: 'none' | 'error' | 'timeout';
  status: number;
  delayMs: number;
  /** Only calls whose path starts with one of these suffer (e.g. the sending side); empty = every `/cgi-bin/` call. */
  paths: string[];
}

/** How callbacks travel to the service right now. */
export interface CallbackFault {
  /** Extra copies of every callback: one at once (racing the original), the rest spread over a second. */
  duplicates: number;
  /** Every other callback is held this long, so the next one overtakes it (0 = in order). */
  reorderMs: number;
}

export interface SimulatorFaults {
  api: ApiFault;
  callbacks: CallbackFault;
}

/** Counters a driver reads to prove a fault was really exercised. */
export interface FaultCounters {
  apiFailed: number;
  apiDelayed: number;
  callbacksRelayed: number;
  callbackCopies: number;
  callbacksHeld: number;
}

const faultsBody = z.strictObject({
  api: z
    .strictObject({
      mode: z.enum(['none', 'error', 'timeout']),
      status: z.number().int().min(500).max(599).default(503),
      delayMs: z.number().int().min(0).max(60_000).default(8_000),
      paths: z.array(z.string().regex(/^\/cgi-bin\//)).max(20).default([]),
    })
    .optional(),
  callbacks: z
    .strictObject({
      duplicates: z.number().int().min(0).max(5).default(0),
      reorderMs: z.number().int().min(0).max(4_000).default(0),
    })
    .optional(),
});

const NO_FAULTS: SimulatorFaults = { api: { mode: 'none', status: 503, delayMs: 8_000, paths: [] }, callbacks: { duplicates: 0, reorderMs: 0 } };
/** Feed entries kept in memory; a run of the fault suite produces a few thousand. */
const FEED_LIMIT = 200_000;
/** Longest a feed request waits for news. */
const MAX_WAIT_MS = 10_000;
/** A forwarded callback gives up a little before WeCom's own 5 s patience. */
const FORWARD_TIMEOUT_MS = 4_500;

/** One transcript message with its place in the feed. */
export interface FeedEntry {
  seq: number;
  customerId: string;
  message: SimulatorMessage;
}

export interface SimulatorControl {
  /** Serves `/control/...`; resolves false for other paths. */
  handle: SimulatorHandler;
  /** Wraps the simulator's own handler so `/cgi-bin/...` calls suffer the current API fault. */
  withApiFaults(inner: SimulatorHandler): SimulatorHandler;
  /** Where the simulator must send callbacks so they pass the relay. */
  relayPath: string;
  faults(): SimulatorFaults;
  close(): void;
}

/**
 * Builds the control layer for `simulator`, relaying callbacks to `serviceCallbackUrl`.
 *
 * @example
 * const control = createSimulatorControl({ simulator, serviceCallbackUrl: 'http://127.0.0.1:3000/wecom/callback' });
 * simulator.setCallbackUrl(`${origin}${control.relayPath}`);
 */
export function createSimulatorControl(deps: { simulator: WecomSimulator; serviceCallbackUrl: string }): SimulatorControl {
  const state: ControlState = {
    ...deps,
    faults: structuredClone(NO_FAULTS),
    counters: { apiFailed: 0, apiDelayed: 0, callbacksRelayed: 0, callbackCopies: 0, callbacksHeld: 0 },
    feed: createFeed(deps.simulator),
    relayed: 0,
    timers: new Set(),
  };
  return {
    handle: (req, res) => handleControlRoute(state, req, res),
    withApiFaults: (inner) => withApiFaults(state, inner),
    relayPath: '/control/relay',
    faults: () => structuredClone(state.faults),
    close() {
      state.feed.close();
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
    },
  };
}

/** What the control routes, the relay and the API faults share; `faults` changes by `POST /control/faults`. */
interface ControlState {
  simulator: WecomSimulator;
  serviceCallbackUrl: string;
  faults: SimulatorFaults;
  counters: FaultCounters;
  feed: Feed;
  /** Callbacks relayed so far: every other one is held when reordering. */
  relayed: number;
  /** Late duplicate callbacks still to send, cleared on close. */
  timers: Set<NodeJS.Timeout>;
}

type Feed = ReturnType<typeof createFeed>;

/** Every transcript message the simulator sees, numbered, with long-polling readers woken by news. */
function createFeed(simulator: WecomSimulator) {
  const entries: FeedEntry[] = [];
  let seq = 0;
  const waiters = new Set<() => void>();
  const unsubscribe = simulator.onEvent(({ customerId, message }) => {
    seq += 1;
    entries.push({ seq, customerId, message });
    if (entries.length > FEED_LIMIT) entries.splice(0, entries.length - FEED_LIMIT);
    wakeAll();
  });
  function wakeAll(): void {
    for (const wake of waiters) wake();
    waiters.clear();
  }
  return {
    seq: () => seq,
    /** Resolves when an entry after `after` exists, or after `waitMs`. */
    async waitFor(after: number, waitMs: number): Promise<void> {
      if (seq > after || waitMs <= 0) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve();
        }, waitMs);
        waiters.add(wake);
      });
    },
    /** Up to `limit` entries after `after`, oldest first. */
    after(after: number, limit: number): FeedEntry[] {
      const start = entries.findIndex((e) => e.seq > after);
      return start === -1 ? [] : entries.slice(start, start + limit);
    },
    close(): void {
      unsubscribe();
      wakeAll();
    },
  };
}

async function handleControlRoute(state: ControlState, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  if (!url.pathname.startsWith('/control/')) return false;
  const { simulator, counters } = state;
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  switch (route) {
    case 'POST /control/relay':
      await relayCallback(state, req, res, url.search);
      return true;
    case 'GET /control/events':
      await sendFeed(state.feed, url.searchParams, res);
      return true;
    case 'GET /control/notifications':
      sendJson(res, 200, { robot: simulator.robotMessages(), app: simulator.appMessages() });
      return true;
    case 'GET /control/stats':
      sendJson(res, 200, { ...simulator.stats(), ...counters, callbackAttempts: simulator.callbackAttempts().length, faults: state.faults });
      return true;
    case 'GET /control/faults':
      sendJson(res, 200, state.faults);
      return true;
    case 'POST /control/faults':
      await updateFaults(state, req, res);
      return true;
    default:
      sendJson(res, 404, { error: `no control route ${route}` });
      return true;
  }
}

/** `GET /control/events?after=N&waitMs=M`: the entries after N, waiting up to M ms for one. */
async function sendFeed(feed: Feed, params: URLSearchParams, res: ServerResponse): Promise<void> {
  const after = Math.max(0, Number.parseInt(params.get('after') ?? '0', 10) || 0);
  const waitMs = Math.min(MAX_WAIT_MS, Math.max(0, Number.parseInt(params.get('waitMs') ?? '0', 10) || 0));
  await feed.waitFor(after, waitMs);
  sendJson(res, 200, { seq: feed.seq(), events: feed.after(after, 5_000) });
}

/** `POST /control/faults`: replaces the API fault, the callback fault, or both. */
async function updateFaults(state: ControlState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    sendJson(res, 400, { error: 'body must be JSON' });
    return;
  }
  const parsed = faultsBody.safeParse(json);
  if (!parsed.success) {
    sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
    return;
  }
  state.faults = { api: parsed.data.api ?? state.faults.api, callbacks: parsed.data.callbacks ?? state.faults.callbacks };
  sendJson(res, 200, state.faults);
}

/** Passes one callback on to the service, held back or copied as the callback fault says. */
async function relayCallback(state: ControlState, req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
  const body = await readBody(req);
  const { duplicates, reorderMs } = state.faults.callbacks;
  const { counters } = state;
  const forward = () => forwardCallback(state.serviceCallbackUrl, search, body);
  state.relayed += 1;
  counters.callbacksRelayed += 1;
  if (reorderMs > 0 && state.relayed % 2 === 1) {
    counters.callbacksHeld += 1;
    await sleep(reorderMs);
  }
  const copies: Array<Promise<number>> = [];
  for (let i = 0; i < duplicates; i++) {
    counters.callbackCopies += 1;
    // The first copy races the original; later ones arrive while the first pull may still run.
    if (i === 0) copies.push(forward());
    else later(state.timers, 250 * i, () => void forward());
  }
  const status = await forward();
  await Promise.all(copies);
  // The simulator retries on anything but 200, as WeCom does.
  sendJson(res, status === 0 ? 502 : status, { relayed: status });
}

/** POSTs one callback to the service; the HTTP status, or 0 when it could not be reached in time. */
async function forwardCallback(serviceCallbackUrl: string, search: string, body: Buffer): Promise<number> {
  try {
    const response = await fetch(`${serviceCallbackUrl}${search}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => undefined);
    return response.status;
  } catch {
    return 0;
  }
}

/** Wraps the simulator's own handler so `/cgi-bin/...` calls suffer the current API fault. */
function withApiFaults(state: ControlState, inner: SimulatorHandler): SimulatorHandler {
  return async (req, res) => {
    const fault = state.faults.api;
    const path = new URL(req.url ?? '/', 'http://simulator.invalid').pathname;
    const hit = path.startsWith('/cgi-bin/') && (fault.paths.length === 0 || fault.paths.some((p) => path.startsWith(p)));
    if (fault.mode === 'none' || !hit) return inner(req, res);
    const body = await readBody(req);
    if (fault.mode === 'error') {
      state.counters.apiFailed += 1;
      res.writeHead(fault.status, { 'content-type': 'text/plain' });
      res.end('simulated WeCom outage');
      return true;
    }
    // The call happens, late: by then the caller has usually given up and will retry.
    state.counters.apiDelayed += 1;
    await sleep(fault.delayMs);
    return inner(replayRequest(req, body), res);
  };
}

/** Runs `fn` after `ms` unless the control closes first. */
function later(timers: Set<NodeJS.Timeout>, ms: number, fn: () => void): void {
  const timer = setTimeout(() => {
    timers.delete(timer);
    fn();
  }, ms);
  timers.add(timer);
}

/** A request with the same method, URL and headers whose body is `body` (the original stream was read). */
function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  return Object.assign(Readable.from([body]), { method: req.method, url: req.url, headers: req.headers }) as unknown as IncomingMessage;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    // Callbacks and API calls are small; anything bigger is not ours.
    if (size > 1024 * 1024) throw new Error('control body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
