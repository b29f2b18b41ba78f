import OpenAI, { toFile } from 'openai';
import type { Logger } from '../../core/logger.ts';
import type { SpeechTranscriber } from '../../core/ports.ts';
import { convertToWav, isAmr } from '../speech/convertVoice.ts';

/** Longest transcript kept (a 60 s voice note is ~250 characters of Chinese). */
const MAX_TEXT_CHARS = 1_000;

export interface SpeechTranscriberOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  /** Per request to the speech endpoint. */
  timeoutMs: number;
  ffmpegPath: string;
  /** ffmpeg's own time limit (default 10 s). */
  ffmpegTimeoutMs?: number;
  logger: Logger;
}

/**
 * Voice notes to text through any OpenAI-compatible `audio/transcriptions` endpoint. WeCom's AMR
 * is converted to WAV with ffmpeg first (no retry: the same bytes fail the same way). The
 * endpoint gets the timeout and one retry on connection errors, 429 and 5xx (the library's rule).
 * Never throws: a failure comes back as a reason, and the customer is asked to type instead.
 *
 * @example
 * const speech = createSpeechTranscriber({ apiKey, baseUrl, model: 'whisper-1', timeoutMs: 15_000, ffmpegPath: '/usr/bin/ffmpeg', logger });
 * const heard = await speech.transcribe({ data: amrBytes, contentType: 'voice/amr' });
 */
export function createSpeechTranscriber(options: SpeechTranscriberOptions): SpeechTranscriber {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: 1 });
  const log = options.logger.child({ module: 'nlu.speech', model: options.model });
  return {
    async transcribe(audio) {
      let file = { data: audio.data, name: 'voice.bin', type: audio.contentType };
      if (isAmr(audio.data, audio.contentType)) {
        try {
          file = { data: await convertToWav(audio.data, { ffmpegPath: options.ffmpegPath, timeoutMs: options.ffmpegTimeoutMs }), name: 'voice.wav', type: 'audio/wav' };
        } catch (error) {
          const detail = (error as Error).message;
          log.warn({ err: detail, bytes: audio.data.length }, 'voice note could not be converted');
          return { ok: false, reason: 'convert', detail };
        }
      }
      try {
        const result = await client.audio.transcriptions.create({
          file: await toFile(file.data, file.name, { type: file.type }),
          model: options.model,
          language: 'zh',
          response_format: 'json',
        });
        const text = (result.text ?? '').trim().slice(0, MAX_TEXT_CHARS);
        // Never log the words: they are the customer's.
        log.info({ chars: text.length }, 'voice note transcribed');
        return text === '' ? { ok: false, reason: 'empty', detail: 'nothing heard' } : { ok: true, text };
      } catch (error) {
        const detail = (error as Error).message;
        log.warn({ err: detail }, 'speech endpoint failed');
        return { ok: false, reason: 'recognise', detail };
      }
    },
  };
}
