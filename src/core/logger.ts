import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The root structured logger. Secrets and phone numbers never reach it: known secret
 * fields are redacted by path, and callers log ids rather than message bodies.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
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
  });
}

/** Masks a phone number to its first 3 and last 4 digits for logs (138****5678). */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return '***';
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}
