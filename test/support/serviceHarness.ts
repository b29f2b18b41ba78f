import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startService, type RunningService } from '../../src/main.ts';
import type { SimulatorMessage, WecomSimulator } from '../../src/simulator/wecomSimulator.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Isolation for one test file: its own database and Redis key prefix on the shared servers. */
export function isolatedEnv(label: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = randomBytes(4).toString('hex');
  return {
    MONGODB_URI: `${inject('mongoUri').replace(/\/$/, '')}/t_${label}_${id}`,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: `hf:test:${label}:${id}:`,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_TOKEN,
    // The webhook receivers of the tests (test/support/webhookReceiver.ts) listen on loopback,
    // which the outbound guard refuses unless allowed.
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    // Role tables send dozens of refused tokens from 127.0.0.1 within a minute; the sign-in brake
    // (10 by default) is tested with its real limit in test/integration/http/signInBrake.test.ts.
    AUTH_FAILURE_LIMIT: '1000',
    ...extra,
  };
}

/** Starts the whole service in-process on `env` (with the built-in simulator unless WeCom is configured). */
export async function startTestService(env: Record<string, string>): Promise<RunningService> {
  const config = loadConfig(env);
  return startService(config, { logger: createLogger({ level: config.logLevel }) });
}

/** Text of what the bot sent a customer (menus as head + labels), in order. */
export function botTexts(sim: WecomSimulator, customerId: string): string[] {
  return sim.messagesTo(customerId).map(renderSimMessage);
}

export function renderSimMessage(message: SimulatorMessage): string {
  const body = message.body as { content?: string; head_content?: string; list?: Array<{ click?: { content: string } }>; tail_content?: string };
  if (message.msgtype === 'text') return body.content ?? '';
  if (message.msgtype === 'msgmenu') {
    return [body.head_content, (body.list ?? []).map((i) => `[${i.click?.content ?? ''}]`).join(' '), body.tail_content].filter(Boolean).join('\n');
  }
  return `<${message.msgtype}>`;
}

/** Menu item ids of the last menu the bot sent, for clicking. */
export function lastMenu(sim: WecomSimulator, customerId: string): Array<{ id: string; label: string }> {
  const menus = sim.messagesTo(customerId).filter((m) => m.msgtype === 'msgmenu');
  const body = menus.at(-1)?.body as { list?: Array<{ click?: { id: string; content: string } }> } | undefined;
  return (body?.list ?? []).flatMap((i) => (i.click ? [{ id: i.click.id, label: i.click.content }] : []));
}

/** A customer that says something and waits until the service has answered everything. */
export function customer(service: RunningService, sim: WecomSimulator, id: string) {
  return {
    id,
    async says(text: string): Promise<string[]> {
      const before = sim.messagesTo(id).length;
      await sim.customerSays(id, text);
      await service.idle();
      return botTexts(sim, id).slice(before);
    },
    async clicks(label: string | RegExp): Promise<string[]> {
      const item = lastMenu(sim, id).find((i) => (typeof label === 'string' ? i.label.includes(label) : label.test(i.label)));
      if (!item) throw new Error(`no menu item ${String(label)} in ${JSON.stringify(lastMenu(sim, id))}`);
      const before = sim.messagesTo(id).length;
      await sim.customerSays(id, item.label, { menuId: item.id });
      await service.idle();
      return botTexts(sim, id).slice(before);
    },
    all: () => botTexts(sim, id),
  };
}

/** GET an admin API path with the admin token. */
export async function adminGet<T = unknown>(service: RunningService, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, body: (await res.json()) as T };
}
