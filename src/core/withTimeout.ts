import { TimeoutError } from './errors.ts';

/**
 * Resolves or rejects like `promise`, or rejects with a `TimeoutError(message)` once `ms` pass first.
 * The timer is always cleared, so nothing is left pending. The underlying work is not cancelled.
 *
 * @example
 * await withTimeout(redis.ping(), 1_000, 'redis ping timed out');
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `timed out after ${ms} ms`): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(message, { ms })), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
