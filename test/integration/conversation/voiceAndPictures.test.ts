import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.ts';
import type { WecomSimulator } from '../../../src/simulator/wecomSimulator.ts';
import { startOpenAiStub, type OpenAiStub, type TranscriptionBehaviour } from '../../support/openaiStub.ts';
import { ADMIN_TOKEN, adminGet, botTexts, customer, isolatedEnv, startTestService } from '../../support/serviceHarness.ts';

/**
 * Voice notes and pictures through the simulator over real HTTP, with a speech endpoint (the
 * OpenAI-compatible stub) and the real ffmpeg converting the simulator's AMR.
 */
let service: RunningService;
let sim: WecomSimulator;
let speech: OpenAiStub;
let heard: TranscriptionBehaviour = { text: '' };

interface TranscriptRow {
  direction: string;
  text: string;
  media?: { type: string; fileId?: string; contentType?: string; heard?: string };
}
interface SessionDetail {
  id: string;
  status: string;
  answers: Record<string, { value: unknown; raw: string }>;
  transcript: TranscriptRow[];
}

beforeAll(async () => {
  speech = await startOpenAiStub([], { transcribe: () => heard });
  service = await startTestService(isolatedEnv('media', { SPEECH_BASE_URL: speech.baseUrl, SPEECH_API_KEY: 'test-key' }));
  sim = service.simulator!;
});
afterAll(async () => {
  await service?.stop();
  await speech?.close();
});

async function sessionOf(customerId: string): Promise<SessionDetail> {
  const list = await adminGet<{ items: Array<{ id: string }> }>(service, `/api/sessions?customer=${customerId}`);
  return (await adminGet<SessionDetail>(service, `/api/sessions/${list.body.items[0]!.id}`)).body;
}

async function sendsVoice(id: string, file?: { data: Buffer; contentType: string }): Promise<string[]> {
  const before = sim.messagesTo(id).length;
  await sim.customerSendsVoice(id, file);
  await service.idle();
  return botTexts(sim, id).slice(before);
}

/** Starts with the AMR magic line, then bytes no AMR decoder accepts. */
const BROKEN_AMR = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256))]);

describe('voice notes with a speech endpoint', () => {
  it('converts the AMR, transcribes it and records the answer as if typed', async () => {
    const c = customer(service, sim, 'wm_voice_ok');
    expect((await c.says('你好')).join()).toMatch(/0-10/);
    const uploads = speech.transcriptions.length;
    heard = { text: '九分吧，顾问很专业' };
    const replies = await sendsVoice('wm_voice_ok');

    // The spoken words carry the score and its reason: both recorded, the reason acknowledged, on to the next question.
    expect(replies.join()).toMatch(/认可我们的专业[\s\S]*三个环节/);
    const upload = speech.transcriptions[uploads]!;
    expect(upload.model).toBe('whisper-1');
    expect(upload.audio.subarray(0, 4).toString('latin1')).toBe('RIFF'); // WAV, not the AMR WeCom sent
    const session = await sessionOf('wm_voice_ok');
    expect(session.answers.nps?.value).toBe(9);
    expect(session.answers.reason_promoter?.raw).toBe('九分吧，顾问很专业');
    const entry = session.transcript.find((t) => t.media?.type === 'voice');
    expect(entry).toMatchObject({ direction: 'in', text: '[语音] 九分吧，顾问很专业', media: { heard: '九分吧，顾问很专业', contentType: 'audio/amr' } });
    expect(entry!.media!.fileId).toBeTruthy();
  });

  it('asks kindly for a typed answer when ffmpeg cannot read the audio, and keeps the note', async () => {
    const c = customer(service, sim, 'wm_voice_broken');
    await c.says('你好');
    const uploads = speech.transcriptions.length;
    const replies = await sendsVoice('wm_voice_broken', { data: BROKEN_AMR, contentType: 'audio/amr' });

    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/没能听清.*打字/);
    expect(replies[0]).toMatch(/0-10/); // the question again
    expect(speech.transcriptions.length).toBe(uploads);
    const session = await sessionOf('wm_voice_broken');
    expect(session.answers.nps).toBeUndefined();
    expect(session.transcript.find((t) => t.media?.type === 'voice')).toMatchObject({ text: '[语音]', media: { type: 'voice' } });
    expect((await c.says('8')).join()).not.toMatch(/没能听清/);
    expect((await sessionOf('wm_voice_broken')).answers.nps?.value).toBe(8);
  });

  it('asks for a typed answer when the speech endpoint keeps failing (one retry)', async () => {
    const c = customer(service, sim, 'wm_voice_down');
    await c.says('你好');
    const uploads = speech.transcriptions.length;
    heard = { status: 503 };
    const replies = await sendsVoice('wm_voice_down');

    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/打字/);
    expect(speech.transcriptions.length - uploads).toBe(2);
    expect((await sessionOf('wm_voice_down')).answers.nps).toBeUndefined();
  });
});

describe('pictures', () => {
  it('acknowledges a picture, asks the question again and keeps it for the advisor', async () => {
    const c = customer(service, sim, 'wm_picture');
    await c.says('你好');
    const before = sim.messagesTo('wm_picture').length;
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await sim.customerSendsImage('wm_picture', { data: png, contentType: 'image/png' });
    await service.idle();
    const replies = botTexts(sim, 'wm_picture').slice(before);

    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/收到图片，我会转给顾问看看/);
    expect(replies[0]).toMatch(/0-10/);
    const session = await sessionOf('wm_picture');
    const entry = session.transcript.find((t) => t.media?.type === 'image');
    expect(entry).toMatchObject({ direction: 'in', text: '[图片]', media: { type: 'image', contentType: 'image/png' } });

    // The advisor who takes the chat sees the picture in the console.
    await c.says('转人工');
    const list = await consoleGet<{ items: Array<{ id: string; sessionId: string }> }>('/api/console/escalations');
    const escalation = list.body.items.find((e) => e.sessionId === session.id);
    expect(escalation).toBeDefined();
    const detail = await consoleGet<{ session: { transcript: TranscriptRow[] } }>(`/api/console/escalations/${escalation!.id}`);
    const shown = detail.body.session.transcript.find((t) => t.media?.type === 'image');
    expect(shown?.media?.fileId).toBe(entry!.media!.fileId);
    const file = await fetch(`${service.url}/api/console/escalations/${escalation!.id}/media/${shown!.media!.fileId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
  });
});

async function consoleGet<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, body: (await res.json()) as T };
}
