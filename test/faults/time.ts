/** Small timing helpers for the fault suite; every wait in the suite is one of these, with a deadline. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Resolves with `promise`, or rejects with `message` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check` every `everyMs` until it answers true or `deadline` (epoch ms) passes; returns the last answer. */
export async function pollUntil(check: () => Promise<boolean>, deadline: number, everyMs = 500): Promise<boolean> {
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(everyMs, deadline - Date.now()));
  }
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
