import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { startService, type RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { api, escalationFlowsDir, escalationOf, eventually, robotContents } from '../../support/escalationHarness.ts';
import { startOpenAiStub, type OpenAiStub } from '../../support/openaiStub.ts';
import { ADMIN_TOKEN, customer, isolatedEnv } from '../../support/serviceHarness.ts';
import { startWebhookReceiver } from '../../support/webhookReceiver.ts';

// Two detractors give their reason with a phone number in it, through the simulator. The number
// must reach advisors' robot alerts, webhooks, the CSV export, dashboard quotes, the LLM and the
// logs masked; only a flow that sets privacy.llmFullText sends it to the LLM as written.

const MASKED = '138****5678';
const FULL = ['13812345678', '138 1234 5678'];
const OTHER_FULL = '139 8765 4321';

let service: RunningService;
let sim: WecomSimulator;
let stub: OpenAiStub;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const logLines: string[] = [];

beforeAll(async () => {
  // Reply analysis is refused (the rules read answers, the request is still recorded). The
  // full-text customer's summary is refused with an error that quotes the input, as content
  // filters do, and the service logs that error; the other summary gets two lines.
  stub = await startOpenAiStub((request) => {
    const input = request.body.messages?.at(-1)?.content ?? '';
    if (request.body.response_format || request.body.tools) return { kind: 'status', status: 400, message: 'not in this test' };
    if (input.includes('139')) return { kind: 'status', status: 400, message: `content rejected: ${input}` };
    return { kind: 'content', content: '顾客等待太久\n希望回电' };
  });
  receiver = await startWebhookReceiver();
  const flows = await escalationFlowsDir();
  const source = await readFile(join(flows, 'nps-advisors.yaml'), 'utf8');
  await writeFile(join(flows, 'nps-fulltext.yaml'), `${source.replace(/^id: nps-advisors$/m, 'id: nps-fulltext')}\nprivacy:\n  llmFullText: true\n`);
  const config = loadConfig(
    isolatedEnv('pii', {
      FLOWS_DIR: flows,
      DEFAULT_FLOW_ID: 'nps-advisors',
      LOG_LEVEL: 'debug',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: stub.baseUrl,
      OPENAI_MODEL: 'stub-model',
    }),
  );
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  service = await startService(config, { logger: createLogger({ level: 'debug', destination }) });
  sim = service.simulator!;
  const created = await api<{ secret: string }>(service, 'POST', '/api/webhooks', { url: receiver.url(), events: ['survey.escalated'] });
  expect(created.status).toBe(201);

  // The default flow: masked everywhere.
  const c = customer(service, sim, 'wm_pii_masked');
  await c.says('你好');
  await c.says('3');
  await c.says('等了一个小时，太慢了，我手机 138 1234 5678 请回电');
  // A flow that lets the LLM read the full text.
  await sim.customerEnters('wm_pii_full', { sceneParam: 'nps-fulltext' });
  await service.idle();
  const f = customer(service, sim, 'wm_pii_full');
  await f.says('3');
  await f.says(`等了一个小时，太慢了，电话 ${OTHER_FULL} 请回电`);
  await eventually(async () => ((await escalationOf(service, 'wm_pii_full'))?.summary.length ? true : undefined), 15_000, 'summary');
  await service.followUp.whenIdle({ timeoutMs: 20_000 });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await receiver?.stop();
  await stub?.close();
});

function expectMasked(text: string, masked = MASKED, full: readonly string[] = FULL): void {
  expect(text).toContain(masked);
  for (const f of full) expect(text).not.toContain(f);
}

describe('personal numbers in customers’ words leave huifang masked', () => {
  it('robot alerts to advisors quote the customer with the number masked', async () => {
    const alert = await eventually(() => robotContents(sim.robotMessages()).find((m) => m.includes('请回电') && m.includes('138')), 15_000, 'alert');
    // Markdown-inert: full-width asterisks, so WeCom does not read "****" as bold.
    expectMasked(alert, '138＊＊＊＊5678');
    // The full-text flow only concerns the LLM: its alert is masked as well.
    const other = await eventually(() => robotContents(sim.robotMessages()).find((m) => m.includes('139')), 15_000, 'second alert');
    expectMasked(other, '139＊＊＊＊4321', [OTHER_FULL, '13987654321']);
  });

  it('webhook payloads carry the answers with the number masked', async () => {
    const escalated = receiver.received.filter((r) => r.type === 'survey.escalated' && r.body.includes('wm_pii_masked'));
    expect(escalated).toHaveLength(1);
    expectMasked(escalated[0]!.body);
    const raws = (escalated[0]!.json.data.answers as Array<{ raw: string }>).map((a) => a.raw);
    expect(raws).toContain(`等了一个小时，太慢了，我手机 ${MASKED} 请回电`);
  });

  it('the CSV export and the dashboard quotes show the number masked', async () => {
    const res = await fetch(`${service.url}/api/analytics/export.csv?flowId=nps-advisors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expectMasked(await res.text());
    const quotes = await eventually(async () => {
      const v = await api<{ items: Array<{ text: string }> }>(service, 'GET', '/api/analytics/verbatims?flowId=nps-advisors&limit=50');
      return v.body.items.find((i) => i.text.includes('请回电'));
    }, 10_000, 'quote');
    expectMasked(quotes.text);
  });

  it('the LLM gets the reply and the summary input masked, unless the flow sets privacy.llmFullText', () => {
    const sent = stub.requests.map((r) => JSON.stringify(r.body.messages ?? []));
    const masked = sent.filter((s) => s.includes('138'));
    // One reply analysis and one summary at least.
    expect(masked.some((s) => s.includes('customer_reply'))).toBe(true);
    expect(masked.some((s) => s.includes('对话：'))).toBe(true);
    for (const s of masked) expectMasked(s);

    const full = sent.filter((s) => s.includes('139'));
    expect(full.some((s) => s.includes('customer_reply') && s.includes(OTHER_FULL))).toBe(true);
    expect(full.some((s) => s.includes('对话：') && s.includes(OTHER_FULL))).toBe(true);
  });

  it('logs mask the number, even in an error the LLM endpoint echoed the full text in', () => {
    const logs = logLines.join('');
    // The full-text customer's words came back inside the endpoint's error, and were logged.
    expect(logs.split('\n').find((l) => l.includes('LLM summary failed'))).toContain('139****4321');
    for (const f of [...FULL, OTHER_FULL, '13987654321']) expect(logs).not.toContain(f);
  });
});
