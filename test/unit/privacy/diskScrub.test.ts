import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/core/logger.ts';
import { createDiskScrub } from '../../../src/privacy/diskScrub.ts';

// A batch of erasures must cost one Redis rewrite, not one per customer (issue 25, item 4).
describe('createDiskScrub', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());
  const logger = createLogger({ level: 'silent' });

  it('rewrites at once, then folds every request of the next minute into one rewrite at its end', async () => {
    const rewrite = vi.fn(async () => undefined);
    const scrub = createDiskScrub({ rewriter: { rewrite }, logger, now: () => Date.now() });
    scrub.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(rewrite).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 50; i++) scrub.request();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(rewrite).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(rewrite).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(rewrite).toHaveBeenCalledTimes(2);
  });

  it('gives up after five failures in a row, until the next request', async () => {
    const rewrite = vi.fn().mockRejectedValue(new Error('unknown command BGREWRITEAOF'));
    const scrub = createDiskScrub({ rewriter: { rewrite }, logger, now: () => Date.now() });
    scrub.request();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(rewrite).toHaveBeenCalledTimes(5);
    scrub.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(rewrite).toHaveBeenCalledTimes(6);
    scrub.stop();
  });

  it('tries a failed rewrite again a minute later', async () => {
    const rewrite = vi.fn().mockRejectedValueOnce(new Error('an AOF rewrite is running')).mockResolvedValue(undefined);
    const scrub = createDiskScrub({ rewriter: { rewrite }, logger, now: () => Date.now() });
    scrub.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(rewrite).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rewrite).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(rewrite).toHaveBeenCalledTimes(2);
  });
});
