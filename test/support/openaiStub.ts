import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OpenAI-compatible server for tests: POST /v1/chat/completions answers with scripted
 * behaviours over real HTTP on 127.0.0.1, and records every request it received. POST
 * /v1/audio/transcriptions (multipart, as the SDK sends it) answers what `transcribe` says.
 */

/** One `audio/transcriptions` upload as the stub received it. */
export interface TranscriptionRequest {
  model: string;
  fileName: string;
  contentType: string;
  audio: Buffer;
}

/** What a transcription request gets: the text heard, or an HTTP error. */
export type TranscriptionBehaviour = { text: string } | { status: number };

/** A chat completion request as the stub received it. */
export interface StubRequest {
  headers: IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
    tools?: Array<{ type: string; function: { name: string; parameters: unknown } }>;
    tool_choice?: unknown;
    [key: string]: unknown;
  };
}

export type StubBehaviour =
  /** 200 with this message content; an object is JSON-encoded, a string is sent as is. */
  | { kind: 'content'; content: unknown; usage?: { prompt: number; completion: number } }
  /** 200 with a function tool call whose arguments are this (JSON-encoded when not a string). */
  | { kind: 'tool_call'; arguments: unknown; usage?: { prompt: number; completion: number } }
  /** 200 in whichever form the request asked for (tool call when it sent tools, else content). */
  | { kind: 'answer'; value: unknown; usage?: { prompt: number; completion: number } }
  /** An HTTP error with an OpenAI-style error body. */
  | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> }
  /** Never answers, so the client times out. */
  | { kind: 'hang' }
  /** Answers like `then`, but only after `ms` (a slow endpoint rather than a dead one). */
  | { kind: 'delay'; ms: number; then: StubBehaviour }
  /** Rejects response_format like endpoints without structured output; answers tool calls with `value`. */
  | { kind: 'no_json_schema'; value: unknown };

export interface OpenAiStub {
  /** Base URL to give the SDK, ending in /v1. */
  baseUrl: string;
  requests: StubRequest[];
  transcriptions: TranscriptionRequest[];
  close(): Promise<void>;
}

/** The fields and files of a multipart/form-data body (enough for the SDK's uploads). */
function parseMultipart(body: Buffer, contentType: string): Map<string, { fileName?: string; contentType?: string; data: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const parts = new Map<string, { fileName?: string; contentType?: string; data: Buffer }>();
  if (!boundary) return parts;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    if (name !== undefined) {
      parts.set(name, { fileName: /filename="([^"]*)"/.exec(headers)?.[1], contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1], data: part.subarray(headerEnd + 4) });
    }
    start = next;
  }
  return parts;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function completion(request: StubRequest, message: Record<string, unknown>, usage = { prompt: 120, completion: 40 }) {
  return {
    id: `chatcmpl-stub-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.body.model ?? 'stub-model',
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
  };
}

const encode = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function toolCall(request: StubRequest, args: unknown, usage?: { prompt: number; completion: number }) {
  const name = request.body.tools?.[0]?.function.name ?? 'tool';
  return completion(request, { tool_calls: [{ id: 'call_stub', type: 'function', function: { name, arguments: encode(args) } }] }, usage);
}

/**
 * Starts the stub on 127.0.0.1 with a free port. `script` is either a list of behaviours used in
 * order (the last one repeats) or a function choosing one per request.
 *
 * @example
 * const stub = await startOpenAiStub([{ kind: 'status', status: 500 }, { kind: 'answer', value: reply }]);
 * // … new OpenAI({ baseURL: stub.baseUrl, apiKey: 'test' }) …
 * await stub.close();
 */
export async function startOpenAiStub(
  script: StubBehaviour[] | ((request: StubRequest, index: number) => StubBehaviour),
  options: { transcribe?: (request: TranscriptionRequest) => TranscriptionBehaviour } = {},
): Promise<OpenAiStub> {
  const requests: StubRequest[] = [];
  const transcriptions: TranscriptionRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') {
        const parts = parseMultipart(Buffer.concat(chunks), req.headers['content-type'] ?? '');
        const file = parts.get('file');
        const upload: TranscriptionRequest = { model: parts.get('model')?.data.toString('utf8') ?? '', fileName: file?.fileName ?? '', contentType: file?.contentType ?? '', audio: file?.data ?? Buffer.alloc(0) };
        transcriptions.push(upload);
        const answer = options.transcribe ? options.transcribe(upload) : { text: '听到了' };
        if ('status' in answer) send(res, answer.status, { error: { message: `stub status ${answer.status}`, type: 'stub_error' } });
        else send(res, 200, { text: answer.text });
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
        return;
      }
      let body: StubRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StubRequest['body'];
      } catch {
        send(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      const request: StubRequest = { headers: req.headers, body };
      const index = requests.length;
      requests.push(request);
      const behaviour = typeof script === 'function' ? script(request, index) : script[Math.min(index, script.length - 1)];
      if (!behaviour) {
        send(res, 500, { error: { message: 'stub has no scripted behaviour', type: 'server_error' } });
        return;
      }
      respond(res, request, body, behaviour);
    });
  });
  function respond(res: ServerResponse, request: StubRequest, body: StubRequest['body'], behaviour: StubBehaviour): void {
    switch (behaviour.kind) {
      case 'content':
        send(res, 200, completion(request, { content: encode(behaviour.content) }, behaviour.usage));
        return;
      case 'tool_call':
        send(res, 200, toolCall(request, behaviour.arguments, behaviour.usage));
        return;
      case 'answer':
        send(res, 200, body.tools ? toolCall(request, behaviour.value, behaviour.usage) : completion(request, { content: encode(behaviour.value) }, behaviour.usage));
        return;
      case 'status':
        send(res, behaviour.status, { error: { message: behaviour.message ?? `stub status ${behaviour.status}`, type: 'stub_error' } }, behaviour.headers);
        return;
      case 'hang':
        return; // closed by close()
      case 'no_json_schema':
        if (body.response_format) {
          send(res, 400, { error: { message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model", type: 'invalid_request_error', param: 'response_format' } });
        } else {
          send(res, 200, toolCall(request, behaviour.value));
        }
        return;
      case 'delay':
        setTimeout(() => {
          if (!res.destroyed) respond(res, request, body, behaviour.then);
        }, behaviour.ms);
        return;
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    transcriptions,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
