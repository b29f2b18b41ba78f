import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { uiKitDir } from '../http/uiRoutes.ts';
import { createSimulatorControl } from '../simulator/simulatorControl.ts';
import { startSimulatorServer } from '../simulator/simulatorServer.ts';
import { SIMULATOR_DEFAULTS, createWecomSimulator } from '../simulator/wecomSimulator.ts';

/**
 * The WeCom simulator as a process of its own (`npm run simulator -- --callback-url URL`), so it
 * outlives the service it talks to: the fault suite kills and restarts the service while
 * customers keep writing. It serves the simulated WeCom API at `/cgi-bin/...`, the chat page at
 * `/` with its `/api/...` endpoints, and the control API at `/control/...` (see
 * simulatorControl.ts). Credentials are SIMULATOR_DEFAULTS; point the service at it with
 * WECOM_API_BASE and the four WECOM_* credentials. Prints `READY <url>` once listening.
 */

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  'callback-url': z.string().url(),
  /** Pause before each of WeCom's 3 callback retries; WeCom documents about 5 s. */
  'retry-delay-ms': z.coerce.number().int().min(0).max(60_000).default(5_000),
  'callback-timeout-ms': z.coerce.number().int().min(100).max(60_000).default(5_000),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'callback-url': { type: 'string' },
      'retry-delay-ms': { type: 'string' },
      'callback-timeout-ms': { type: 'string' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`usage: npm run simulator -- --callback-url http://127.0.0.1:3000/wecom/callback [--port N] [--retry-delay-ms N]\n${parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}`);
    process.exit(2);
  }
  const args = parsed.data;
  // The control API can make WeCom misbehave and read every customer's chat: loopback only.
  if (!LOOPBACK.has(args.host)) {
    console.error(`refusing to listen on ${args.host}: the simulator and its control API are for loopback only`);
    process.exit(2);
  }

  const simulator = createWecomSimulator({
    uiDir: uiKitDir(),
    retryCallbacks: true,
    retryDelayMs: args['retry-delay-ms'],
    callbackTimeoutMs: args['callback-timeout-ms'],
  });
  const control = createSimulatorControl({ simulator, serviceCallbackUrl: args['callback-url'] });
  const api = control.withApiFaults(simulator.handle);
  const { server, origin } = await startSimulatorServer(async (req, res) => (await control.handle(req, res)) || api(req, res), args.port, args.host);
  simulator.apiBase = origin;
  simulator.setCallbackUrl(`${origin}${control.relayPath}`);
  console.log(JSON.stringify({ corpId: SIMULATOR_DEFAULTS.corpId, openKfId: simulator.openKfId, apiBase: origin, callbacksTo: args['callback-url'] }));
  console.log(`READY ${origin}`);

  const stop = () => {
    control.close();
    void simulator.close().finally(() => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
