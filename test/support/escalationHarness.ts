import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningService } from '../../src/main.ts';
import { ADMIN_TOKEN } from './serviceHarness.ts';

/**
 * A flows directory for escalation tests: the shipped NPS flow as `nps-advisors` (advisors
 * advisor1 and advisor2, the simulator's receiving servicers) and as `nps-queue` (no advisors),
 * and the shipped `csat-after-service`.
 */
export async function escalationFlowsDir(): Promise<string> {
  const source = await readFile(join(import.meta.dirname, '../../flows/nps-default.yaml'), 'utf8');
  if (!source.includes('advisors: []')) throw new Error('flows/nps-default.yaml no longer has "advisors: []"; update the test flows');
  const dir = await mkdtemp(join(tmpdir(), 'hf-escalation-flows-'));
  await writeFile(join(dir, 'nps-advisors.yaml'), source.replace(/^id: nps-default$/m, 'id: nps-advisors').replace('advisors: []', 'advisors: [advisor1, advisor2]'));
  await writeFile(join(dir, 'nps-queue.yaml'), source.replace(/^id: nps-default$/m, 'id: nps-queue'));
  // As shipped: no advisors, escalates on a strongly negative answer, which is its last question.
  await writeFile(join(dir, 'csat-after-service.yaml'), await readFile(join(import.meta.dirname, '../../flows/csat-after-service.yaml'), 'utf8'));
  return dir;
}

/** Calls the console or admin API with a bearer token (ADMIN_TOKEN by default). */
export async function api<T = unknown>(
  service: RunningService,
  method: string,
  path: string,
  body?: unknown,
  token: string = ADMIN_TOKEN,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The console's view of one escalation (fields the tests read). */
export interface EscalationView {
  id: string;
  sessionId: string;
  customerId: string;
  trigger: string;
  status: string;
  handover: string;
  score: number | null;
  servicerId: string | null;
  assignedTo: string | null;
  customerWords: string | null;
  summary: string[];
  firstReplyAt: string | null;
  firstReplyBy: string | null;
  firstReplySeconds: number | null;
  waitingSeconds: number;
  notifiedRounds: number;
  handBack: string | null;
  actions: Array<{ by: string; action: string; detail?: string }>;
  reply: { mode: string; canReply: boolean; text: string };
  wecom: { state: number; servicerId: string | null } | null;
  session: { status: string; answers: Record<string, { value: unknown; raw: string }>; transcript: Array<{ direction: string; author: string; text: string; advisorId: string | null; delivery: string | null }> } | null;
}

/** The active escalation of a customer, in full, through the console API. */
export async function escalationOf(service: RunningService, customerId: string, view: 'active' | 'resolved' = 'active'): Promise<EscalationView | undefined> {
  const list = await api<{ items: Array<{ id: string; customerId: string }> }>(service, 'GET', `/api/console/escalations?view=${view}`);
  const item = list.body.items.find((i) => i.customerId === customerId);
  if (!item) return undefined;
  return (await api<EscalationView>(service, 'GET', `/api/console/escalations/${item.id}`)).body;
}

/** Robot markdown contents received by the simulator so far. */
export function robotContents(robot: unknown[]): string[] {
  return robot.map((b) => (b as { markdown?: { content?: string }; text?: { content?: string } }).markdown?.content ?? (b as { text?: { content?: string } }).text?.content ?? '');
}
