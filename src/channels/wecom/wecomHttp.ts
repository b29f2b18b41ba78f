import { WecomHttpStatusError } from './wecomErrors.ts';

/**
 * One HTTP exchange with WeCom, with a timeout: the JSON answer; with `binary`, a non-JSON answer
 * (a media file, at most `maxBytes`) comes back as `{ errcode: 0, data, contentType }`.
 */
export async function fetchWecomJson(url: string, body: unknown, options: { timeoutMs: number; binary?: { maxBytes: number } }): Promise<unknown> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new WecomHttpStatusError(response.status);
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (options.binary && !/json|text\/plain/i.test(contentType)) {
    return { errcode: 0, errmsg: '', data: await readCapped(response, options.binary.maxBytes), contentType };
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('answer is not JSON');
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`media of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  const data = Buffer.from(await response.arrayBuffer());
  if (data.length > maxBytes) throw new Error(`media of ${data.length} bytes is over the ${maxBytes}-byte limit`);
  return data;
}
