import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** AMR files (what WeCom sends) start with this magic line. */
const AMR_MAGIC = Buffer.from('#!AMR');

export interface VoiceConverterOptions {
  /** e.g. /usr/bin/ffmpeg */
  ffmpegPath: string;
  /** ffmpeg is killed after this long (default 10 s); a 60 s voice note converts in well under a second. */
  timeoutMs?: number;
}

/** True for AMR, which speech endpoints do not take and which is converted first. */
export function isAmr(data: Buffer, contentType: string): boolean {
  return /amr/i.test(contentType) || data.subarray(0, AMR_MAGIC.length).equals(AMR_MAGIC);
}

/**
 * Converts a voice note (AMR-NB from WeCom) to 16 kHz mono WAV with ffmpeg. Files rather than
 * pipes: a piped WAV has no length in its header, which some speech servers refuse. Throws with
 * ffmpeg's complaint when it is missing, times out or cannot read the audio; not retried (the
 * same bytes fail the same way).
 */
export async function convertToWav(audio: Buffer, options: VoiceConverterOptions): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'huifang-voice-'));
  try {
    const input = join(dir, 'in.amr');
    const output = join(dir, 'out.wav');
    await writeFile(input, audio);
    await runFfmpeg(options.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', input, '-ac', '1', '-ar', '16000', '-f', 'wav', output], options.timeoutMs ?? 10_000);
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runFfmpeg(path: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => reject(new Error(`ffmpeg could not start (${path}): ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(new Error(signal ? `ffmpeg stopped by ${signal} (timeout ${timeoutMs} ms)` : `ffmpeg exited ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}
