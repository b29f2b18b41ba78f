import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { maskPii, maskPiiDeep } from './maskPii.ts';

export type { Logger };

/**
 * The root structured logger. Secrets and phone numbers never reach the output: known secret
 * fields are redacted by path, and every string logged (fields, nested objects, errors and the
 * message itself) passes `maskPii`, so a customer's words that end up in a log line — an error
 * message quoting a reply, an LLM failure detail — have their personal numbers masked. Masking
 * lives here rather than at the call sites because a call site that forgets is a leak.
 */
export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'huifang',
      level: options.level ?? 'info',
      redact: {
        paths: [
          '*.secret',
          '*.token',
          '*.accessToken',
          '*.access_token',
          '*.apiKey',
          '*.authorization',
          'req.headers.authorization',
          '*.encodingAesKey',
          '*.phone',
          '*.eventsSigningSecret',
          '*.linkSecret',
          '*.contactSecret',
        ],
        censor: '[redacted]',
      },
      formatters: { log: (object) => maskPiiDeep(object) },
      // Errors reach the serializer as Error instances, which maskPiiDeep leaves alone; the
      // serialized copy is a plain object once spread. An `err` that is a message string stays one.
      serializers: { err: (error: unknown) => (error instanceof Error ? maskPiiDeep({ ...stdSerializers.err(error) }) : maskPiiDeep(error)) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, maskedArguments(args) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

/**
 * The message strings of a log call, masked. Pino takes an error's message as the line's message
 * when none is given, after this hook has run, so that message is supplied here, masked.
 */
function maskedArguments(args: unknown[]): unknown[] {
  const [first, second] = args;
  const error = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
  if (error instanceof Error && typeof second !== 'string') return [first, maskPii(error.message)];
  return args.map((a) => (typeof a === 'string' ? maskPii(a) : a));
}

/** Masks a phone number to its first 3 and last 4 digits for logs (138****5678). */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return '***';
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}
